"""The idempotency registry rows ingest writes are the rows SQLAlchemy would write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Connection, delete, insert

from sealtrail.events.ingest import enqueue, prepare
from sealtrail.events.models import EVENT_IDS
from sealtrail.events.schema import EventIn
from sealtrail.runtime import Runtime
from tests.conftest import TenantKeys, event
from tests.events.test_worker import caller_of

NAMES = ["tenant_id", "event_id", "content_hash", "accepted_at", "stored_at"]


def raw_rows(conn: Connection, ids: set[uuid.UUID]) -> list[tuple[object, ...]]:
    """The registry rows of `ids` as the driver returns them, with SQLite's storage classes."""
    columns = NAMES
    if conn.dialect.name == "sqlite":
        columns = [*NAMES, *(f"typeof({name})" for name in NAMES)]
    sql = f"SELECT {', '.join(columns)} FROM event_ids"
    return sorted(tuple(row) for row in conn.exec_driver_sql(sql) if uuid.UUID(str(row[1])) in ids)


def test_registry_rows_are_byte_identical_to_the_expression_layers(
    runtime: Runtime, tenant: TenantKeys
) -> None:
    caller = caller_of(tenant)
    received = [
        datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 11, 25, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    ]
    for moment in received:
        items = prepare(
            [EventIn.model_validate(event()).valid_event() for _ in range(3)], caller, moment
        )
        enqueue(runtime.factory, runtime.queue, caller, items, moment)
        ids = {item.id for item in items}
        with runtime.engine.begin() as conn:
            ours = raw_rows(conn, ids)
            conn.execute(delete(EVENT_IDS).where(EVENT_IDS.c.event_id.in_(ids)))
            conn.execute(
                insert(EVENT_IDS),
                [
                    {
                        "tenant_id": tenant.id,
                        "event_id": item.id,
                        "content_hash": item.content_hash,
                        "accepted_at": moment,
                    }
                    for item in items
                ],
            )
            theirs = raw_rows(conn, ids)
            conn.execute(delete(EVENT_IDS).where(EVENT_IDS.c.event_id.in_(ids)))
        assert len(ours) == 3
        assert ours == theirs
        assert [type(v) for v in ours[0]] == [type(v) for v in theirs[0]]


def test_a_resend_after_the_registry_row_is_recognised(
    runtime: Runtime, tenant: TenantKeys
) -> None:
    caller = caller_of(tenant)
    now = datetime.now(UTC)
    items = prepare([EventIn.model_validate(event()).valid_event() for _ in range(4)], caller, now)
    first = enqueue(runtime.factory, runtime.queue, caller, items[:2], now)
    again = enqueue(runtime.factory, runtime.queue, caller, items, now)
    assert (first.duplicates, again.duplicates) == (0, 2)
    with runtime.engine.connect() as conn:
        assert len(raw_rows(conn, {item.id for item in items})) == 4
