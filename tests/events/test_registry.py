"""The idempotency registry: where each deployment keeps accepted ids, what it answers
to a resend, and that its rows are the rows SQLAlchemy would write."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, delete, insert

from sealtrail.errors import Conflict
from sealtrail.events.ingest import enqueue, prepare
from sealtrail.events.models import EVENT_IDS
from sealtrail.events.registry import DatabaseRegistry, QueueRegistry, Registry
from sealtrail.events.schema import EventIn
from sealtrail.queue import KeyedQueue
from sealtrail.runtime import Runtime
from tests.conftest import TenantKeys, drain, event
from tests.events.test_worker import caller_of

URL = "/api/v1/audit/events"
SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

NAMES = ["tenant_id", "event_id", "content_hash", "accepted_at"]


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
        enqueue(DatabaseRegistry(runtime.factory, runtime.queue), caller, items, moment)
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


def registries(runtime: Runtime) -> list[Registry]:
    found: list[Registry] = [DatabaseRegistry(runtime.factory, runtime.queue)]
    if isinstance(runtime.queue, KeyedQueue):
        found.append(QueueRegistry(runtime.queue))
    return found


def test_a_resend_is_recognised_and_other_content_is_a_conflict_in_every_registry(
    runtime: Runtime, tenant: TenantKeys
) -> None:
    caller = caller_of(tenant)
    now = datetime.now(UTC)
    for registry in registries(runtime):
        items = prepare(
            [EventIn.model_validate(event()).valid_event() for _ in range(4)], caller, now
        )
        first = enqueue(registry, caller, items[:2], now)
        again = enqueue(registry, caller, items, now)
        assert (first.duplicates, again.duplicates) == (0, 2)
        assert drain(runtime) == 4  # each event queued once
        changed = prepare(
            [EventIn.model_validate({**event(), "id": str(items[0].id)}).valid_event()],
            caller,
            now,
        )
        with pytest.raises(Conflict) as raised:
            enqueue(
                registry,
                caller,
                [*changed, *prepare([EventIn.model_validate(event()).valid_event()], caller, now)],
                now,
            )
        assert raised.value.details == {"ids": [str(items[0].id)]}
        assert runtime.queue.stats().depth == 0  # the new event of the refused batch too


def test_the_deployment_keeps_ids_with_the_queue_only_on_sqlite(
    runtime: Runtime, backend: str
) -> None:
    expected = QueueRegistry if backend == "sqlite" else DatabaseRegistry
    assert type(runtime.registry) is expected


@SQLITE
def test_on_sqlite_ingest_goes_on_while_the_trail_is_being_written(
    client, runtime: Runtime, tenant: TenantKeys
) -> None:
    # The worker holds the trail database's write lock while it stores a batch; ingest
    # must not wait for it (nor fail once the lock wait times out).
    path = runtime.settings.resolved_database_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, timeout=0, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    answers: list[int] = []
    try:
        sender = threading.Thread(
            target=lambda: answers.append(
                client.post(URL, json=[event(), event()], headers=tenant.auth("ingest")).status_code
            )
        )
        sender.start()
        sender.join(timeout=10)
        assert answers == [202]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert drain(runtime) == 2


@SQLITE
def test_ids_accepted_before_the_upgrade_stay_known(
    client, runtime: Runtime, tenant: TenantKeys
) -> None:
    # An earlier version recorded accepted ids in the trail database's `event_ids`.
    caller = caller_of(tenant)
    now = datetime.now(UTC)
    sent = event()
    [old] = prepare([EventIn.model_validate(sent).valid_event()], caller, now)
    with runtime.engine.begin() as conn:
        conn.execute(
            insert(EVENT_IDS),
            [
                {
                    "tenant_id": tenant.id,
                    "event_id": old.id,
                    "content_hash": old.content_hash,
                    "accepted_at": now,
                }
            ],
        )
    r = client.post(URL, json=sent, headers=tenant.auth("ingest"))
    assert r.status_code == 202
    assert runtime.queue.stats().depth == 0  # a resend: nothing queued
    r = client.post(URL, json={**sent, "action": "other.action"}, headers=tenant.auth("ingest"))
    assert r.status_code == 409
    assert r.json()["error"]["details"]["ids"] == [sent["id"]]


def test_a_released_id_is_accepted_anew_in_every_registry(runtime: Runtime, tenant: TenantKeys):
    caller = caller_of(tenant)
    now = datetime.now(UTC)
    found = registries(runtime)
    if isinstance(runtime.queue, KeyedQueue):
        # Ids that an earlier version recorded in `event_ids` are released there too.
        found.append(QueueRegistry(runtime.queue, runtime.factory))
    for registry in found:
        [item] = prepare([EventIn.model_validate(event()).valid_event()], caller, now)
        assert enqueue(registry, caller, [item], now).duplicates == 0
        if isinstance(registry, QueueRegistry) and registry.legacy is not None:
            with runtime.engine.begin() as conn:
                conn.execute(
                    insert(EVENT_IDS),
                    [
                        {
                            "tenant_id": tenant.id,
                            "event_id": item.id,
                            "content_hash": item.content_hash,
                            "accepted_at": now,
                        }
                    ],
                )
        registry.release(tenant.id, {item.id: item.content_hash})
        changed = prepare(
            [EventIn.model_validate({**event(), "id": str(item.id)}).valid_event()], caller, now
        )
        assert enqueue(registry, caller, changed, now).duplicates == 0  # not a conflict
        # Released only with the content hash it was recorded with.
        registry.release(tenant.id, {item.id: item.content_hash})
        with pytest.raises(Conflict):
            enqueue(registry, caller, [item], now)
        drain(runtime)
