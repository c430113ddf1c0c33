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


def test_every_table_column_and_index_of_the_models_is_migrated(runtime):
    with runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, metadata)
    assert _missing(diff) == []
