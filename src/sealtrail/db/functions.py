"""SQL functions that each engine spells differently, compiled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

# Seconds from the Unix epoch back to 0001-01-01T00:00:00Z (negative).
_YEAR_1_SECONDS = -62135596800


class epoch_bucket(FunctionElement[int]):  # noqa: N801 - SQL function style
    """`floor(epoch_seconds(column) / width)`: the index of a fixed-width time bucket."""

    type = Integer()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], width_seconds: int) -> None:
        # The width is an inline SQL literal among the arguments, so it is part of the
        # statement cache key (an attribute would not be: every width would share the
        # first one's compiled SQL) and GROUP BY repeats it verbatim (a bind would not be).
        super().__init__(column, literal_column(str(int(width_seconds)), Integer()))


def _parts(element: epoch_bucket, compiler: Any, **kw: Any) -> tuple[str, str]:
    column, width = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(width, **kw)


@compiles(epoch_bucket, "sqlite")
def _sqlite_bucket(element: epoch_bucket, compiler: Any, **kw: Any) -> str:
    column, width = _parts(element, compiler, **kw)
    # SQLite's integer division truncates toward zero: before 1970 that is one bucket
    # late. Shifted by whole buckets past year 1, every dividend is positive.
    shift = -(_YEAR_1_SECONDS // int(width)) + 1
    return (
        f"((CAST(strftime('%s', {column}) AS INTEGER) + {shift * int(width)}) / {width} - {shift})"
    )


@compiles(epoch_bucket, "postgresql")
def _postgres_bucket(element: epoch_bucket, compiler: Any, **kw: Any) -> str:
    column, width = _parts(element, compiler, **kw)
    return f"CAST(floor(extract(epoch from {column}) / {width}) AS BIGINT)"
