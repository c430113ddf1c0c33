"""SQL functions that each engine spells differently, compiled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class epoch_bucket(FunctionElement[int]):  # noqa: N801 - SQL function style
    """`floor(epoch_seconds(column) / width)`: the index of a fixed-width time bucket."""

    type = Integer()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], width_seconds: int) -> None:
        self.width_seconds = int(width_seconds)
        super().__init__(column)


@compiles(epoch_bucket, "sqlite")
def _sqlite_bucket(element: epoch_bucket, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / {element.width_seconds})"


@compiles(epoch_bucket, "postgresql")
def _postgres_bucket(element: epoch_bucket, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(floor(extract(epoch from {column}) / {element.width_seconds}) AS BIGINT)"
