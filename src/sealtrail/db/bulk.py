"""Bulk writes (and lookups by many keys) on the ingest path: whole rows straight to the
driver, one executemany.

The expression layer's per-row parameter handling cost about as much as the inserts
themselves, and these run for every stored event. The columns' own bind conversions
are applied here instead, with C-speed equivalents for the two that dominate on SQLite
(UTC times and UUIDs); `tests/db/test_bulk.py` checks they write what SQLAlchemy writes.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table, TextClause, Uuid, insert

from sealtrail.db.base import UTCDateTime

Row = tuple[Any, ...]
Convert = Callable[[Any], Any]


def _sqlite_time(value: datetime | None) -> str | None:
    """What SQLite's DATETIME stores for a UTC time: naive, always with microseconds."""
    if value is None:
        return None
    if value.tzinfo is UTC:
        # Times read from queued events are in UTC already: their text without the
        # "+00:00", for two thirds of the cost (this runs for every stored row).
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_uuid(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def converter(column: Column[Any], dialect: Dialect) -> Convert | None:
    """The function turning a Python value of `column` into what the driver is given."""
    if dialect.name == "sqlite":
        if isinstance(column.type, UTCDateTime):
            return _sqlite_time
        if isinstance(column.type, Uuid) and column.type.as_uuid:
            return _sqlite_uuid
    impl = column.type.dialect_impl(dialect)
    return impl.bind_processor(dialect)


def encoder(column: Column[Any], dialect: Dialect) -> Convert:
    """`converter`, or the identity when the driver takes the value as it is."""
    return converter(column, dialect) or _same


def _same(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=32)
def _insert_plan(
    table: Table, dialect: Dialect
) -> tuple[str, bool, tuple[str, ...], tuple[tuple[int, Convert], ...]]:
    """A table's INSERT of all columns in the dialect's parameter style, whether it is
    positional, the column names, and the bind conversions (position, function)."""
    compiled = insert(table).compile(dialect=dialect)
    names = tuple(column.key for column in table.c)
    assert not compiled.positional or tuple(compiled.positiontup or ()) == names
    conversions = tuple(
        (i, convert)
        for i, column in enumerate(table.c)
        if (convert := converter(column, dialect)) is not None
    )
    return str(compiled), compiled.positional, names, conversions


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert whole rows (values in column order) with one executemany."""
    if not rows:
        return
    sql, positional, names, conversions = _insert_plan(table, conn.dialect)
    if conversions:
        rows = [_converted(row, conversions) for row in rows]
    conn.exec_driver_sql(
        sql, list(rows) if positional else [dict(zip(names, row, strict=True)) for row in rows]
    )


def _converted(row: Row, conversions: tuple[tuple[int, Convert], ...]) -> Row:
    values = list(row)
    for i, convert in conversions:
        values[i] = convert(values[i])
    return tuple(values)


# Keys per lookup: a batch may hold more than the engines take parameters in a statement.
LOOKUP_CHUNK = 5000


def select_in(
    conn: Connection, statement: TextClause, tenant_id: int, keys: Sequence[Any]
) -> list[Row]:
    """The rows of `statement` (bound `:tenant` and an expanding `:ids`) for all `keys`,
    in chunks of LOOKUP_CHUNK."""
    rows: list[Row] = []
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = list(keys[start : start + LOOKUP_CHUNK])
        rows.extend(map(tuple, conn.execute(statement, {"tenant": tenant_id, "ids": chunk})))
    return rows
