"""Bulk inserts write exactly what the expression layer writes, on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text

from sealtrail.db.bulk import converter, insert_rows
from sealtrail.events.models import EVENT_IDS, EVENT_TARGETS, EVENTS
from sealtrail.runtime import Runtime

TIMES = [
    datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC),  # no microseconds
    datetime(2026, 11, 25, 12, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 11, 25, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 1, 2, 3, 4, 5, 60, tzinfo=UTC),  # a year of three digits
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=45))),
]


def test_conversions_match_the_columns_own(runtime: Runtime) -> None:
    dialect = runtime.engine.dialect
    for table in (EVENTS, EVENT_TARGETS, EVENT_IDS):
        for column in table.c:
            fast = converter(column, dialect)
            generic = column.type.dialect_impl(dialect).bind_processor(dialect)
            assert (fast is None) == (generic is None), column
            if fast is None or generic is None:
                continue
            samples: list[object] = [None]
            if column.key in ("time", "received_at", "accepted_at"):
                samples += TIMES
            elif column.key in ("id", "event_id"):
                samples += [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
            else:
                continue  # the column's own conversion is used as it is
            for value in samples:
                assert fast(value) == generic(value), (column, value)


def test_naive_times_are_refused(runtime: Runtime) -> None:
    convert = converter(EVENTS.c.time, runtime.engine.dialect)
    assert convert is not None
    with pytest.raises(ValueError, match="naive"):
        convert(datetime(2026, 11, 25, 12, 0))


def test_rows_read_back_as_the_expression_layer_wrote_them(runtime: Runtime) -> None:
    fast_rows = [(1, f"t-{i}", moment, uuid.uuid4(), "order", 0) for i, moment in enumerate(TIMES)]
    slow_rows = [(1, f"s-{i}", moment, uuid.uuid4(), "order", 0) for i, moment in enumerate(TIMES)]
    runtime.partitioner.ensure_for(TIMES)
    with runtime.engine.begin() as conn:
        insert_rows(conn, EVENT_TARGETS, fast_rows)
        conn.execute(
            insert(EVENT_TARGETS),
            [dict(zip(EVENT_TARGETS.c.keys(), row, strict=True)) for row in slow_rows],
        )
    with runtime.engine.connect() as conn:
        raw = {
            row[0]: row[1]
            for row in conn.execute(text("SELECT target_id, time FROM event_targets"))
        }
        typed = {
            row.target_id: (row.time, row.event_id)
            for row in conn.execute(
                select(EVENT_TARGETS.c.target_id, EVENT_TARGETS.c.time, EVENT_TARGETS.c.event_id)
            )
        }
    for i, moment in enumerate(TIMES):
        # The stored form (what range queries compare) is the same either way.
        assert raw[f"t-{i}"] == raw[f"s-{i}"]
        assert typed[f"t-{i}"] == (moment.astimezone(UTC), fast_rows[i][3])
