"""The migrations create everything the models declare, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sealtrail.db.models import metadata


def _missing(diff) -> list:
    """Differences saying the database lacks something the models have."""
    flat = []
    for item in diff:
        flat.extend(item if isinstance(item, list) else [item])
    return [d for d in flat if isinstance(d, tuple) and d[0].startswith("add_")]


def _for_engine(dialect: str):
    """Leave out what the models build on the other engine only (`ddl_if(dialect=…)`)."""

    def include(obj, _name, _type, _reflected, _compare_to) -> bool:
        only = getattr(obj, "_ddl_if", None)
        return only is None or only.dialect in (None, dialect)

    return include


def test_every_table_column_and_index_of_the_models_is_migrated(runtime):
    with runtime.engine.connect() as conn:
        opts = {"compare_type": False, "include_object": _for_engine(conn.dialect.name)}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, metadata)
    assert _missing(diff) == []
