"""The worker: exactly-once storage under at-least-once delivery, and failure isolation."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import func, select, text

from sealtrail.db import bulk
from sealtrail.events.ingest import enqueue, prepare
from sealtrail.events.message import Prepared, encode_message
from sealtrail.events.models import Event, EventId, EventTarget
from sealtrail.events.registry import DatabaseRegistry
from sealtrail.events.schema import EventIn
from sealtrail.events.worker import TrailWorker
from sealtrail.identity.schemas import Caller, Scope
from sealtrail.ledger import tree as ledger_tree
from sealtrail.ledger.models import LedgerLeaf
from sealtrail.queue import Message
from sealtrail.runtime import Runtime
from sealtrail.verify.canonical import event_leaf_hash
from tests.conftest import TenantKeys, drain, event, iso

URL = "/api/v1/audit/events"


def caller_of(tenant: TenantKeys) -> Caller:
    return Caller(
        tenant_id=tenant.id,
        tenant=tenant.name,
        key_id=0,
        key_prefix="x",
        scopes=frozenset({Scope.ingest}),
    )


def prepared(tenant: TenantKeys, **overrides) -> Prepared:
    [item] = prepare(
        [EventIn.model_validate(event(**overrides)).valid_event()],
        caller_of(tenant),
        datetime.now(UTC),
    )
    return item


def rows(runtime: Runtime, tenant: TenantKeys, event_id: str) -> list[Event]:
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(Event).where(Event.tenant_id == tenant.id, Event.id == uuid.UUID(event_id))
            )
        )


def test_redelivered_message_is_stored_once(client, runtime, tenant):
    ev = event()
    client.post(URL, json=ev, headers=tenant.auth("ingest"))
    [delivery] = runtime.queue.receive(10)
    body = delivery.body
    drain_worker = runtime.worker()
    # The worker stores it but "crashes" before the ack: the same message comes again.
    runtime.queue.nack(delivery, "simulated crash")
    assert drain_worker.process_once() == 1
    runtime.queue.publish([Message(body=body, tenant_id=tenant.id)])
    assert drain(runtime) == 1
    assert len(rows(runtime, tenant, ev["id"])) == 1


# A request can die between queueing and registering only where the registry is the
# database's (`DatabaseRegistry`: PostgreSQL, or a queue that keeps no keys); the two tests
# below use that registry on both engines.


def database_send(runtime: Runtime, tenant: TenantKeys, doc: dict) -> int:
    """Send one event through the database registry; return how many were new."""
    caller = caller_of(tenant)
    items = prepare([EventIn.model_validate(doc).valid_event()], caller, datetime.now(UTC))
    registry = DatabaseRegistry(runtime.factory, runtime.queue)
    result = enqueue(registry, caller, items, datetime.now(UTC))
    return result.accepted - result.duplicates


def test_message_queued_by_a_request_that_died_before_commit_is_stored_and_registered(
    runtime, tenant
):
    item = prepared(tenant)
    # Ingest queued the message, then died before committing its registry row.
    runtime.queue.publish([Message(body=encode_message(tenant.id, [item]), tenant_id=tenant.id)])
    assert drain(runtime) == 1
    assert len(rows(runtime, tenant, str(item.id))) == 1
    with runtime.factory() as session:
        registered = session.scalar(select(EventId).where(EventId.event_id == item.id))
        assert registered is not None
        assert registered.content_hash == item.content_hash
    # The producer retries (it never got its 202): the retry is recognised as a duplicate.
    doc = {k: v for k, v in item.document.items() if k not in ("tenant", "received_at")}
    assert database_send(runtime, tenant, doc) == 0
    assert drain(runtime) == 0
    assert len(rows(runtime, tenant, str(item.id))) == 1


def test_orphan_message_whose_id_was_accepted_with_other_content_is_not_stored(runtime, tenant):
    orphan = prepared(tenant, action="trade.order.create")
    runtime.queue.publish([Message(body=encode_message(tenant.id, [orphan]), tenant_id=tenant.id)])
    # Before the worker runs, the producer sends the same id with other content and gets 202.
    winner = {**event(), "id": str(orphan.id), "action": "trade.order.cancel"}
    assert database_send(runtime, tenant, winner) == 1
    drain(runtime)
    [stored] = rows(runtime, tenant, str(orphan.id))
    assert orjson.loads(stored.doc)["action"] == "trade.order.cancel"


def test_undecodable_message_goes_to_the_dlq_and_the_rest_of_its_batch_is_stored(
    client, runtime, tenant
):
    good = [event() for _ in range(3)]
    runtime.queue.publish([Message(body=b"\x00garbage", tenant_id=tenant.id)])
    client.post(URL, json=good, headers=tenant.auth("ingest"))
    for _ in range(runtime.settings.queue_max_deliveries + 1):
        drain(runtime)
    for ev in good:
        assert len(rows(runtime, tenant, ev["id"])) == 1
    [letter] = runtime.queue.dead_letters(tenant_id=tenant.id)
    assert "undecodable" in letter.reason
    assert letter.deliveries == runtime.settings.queue_max_deliveries


def test_targets_are_indexed_once_per_type_and_id(client, runtime, tenant):
    ev = event(
        targets=[
            {"type": "order", "id": "o-1"},
            {"type": "order", "id": "o-1"},
            {"type": "account", "id": "o-1"},
        ]
    )
    client.post(URL, json=ev, headers=tenant.auth("ingest"))
    drain(runtime)
    with runtime.factory() as session:
        n = session.scalar(
            select(func.count())
            .select_from(EventTarget)
            .where(EventTarget.event_id == uuid.UUID(ev["id"]))
        )
    assert n == 2
    page = client.get(URL, params={"target": "o-1"}, headers=tenant.auth("read")).json()
    assert [e["id"] for e in page["items"]] == [ev["id"]]


def test_a_batch_takes_its_ledger_places_in_time_order(client, runtime, tenant):
    base = datetime.now(UTC) - timedelta(minutes=5)
    batch = [event(time=iso(base + timedelta(seconds=s))) for s in (30, 10, 20, 10)]
    # Two events share a time: the id breaks the tie.
    assert client.post(URL, json=batch, headers=tenant.auth("ingest")).status_code == 202
    drain(runtime)
    with runtime.factory() as session:
        ids = session.scalars(
            select(LedgerLeaf.event_id)
            .where(LedgerLeaf.tenant_id == tenant.id)
            .order_by(LedgerLeaf.idx)
        ).all()
    expected = sorted(batch, key=lambda e: (e["time"], uuid.UUID(e["id"])))
    assert [str(i) for i in ids] == [e["id"] for e in expected]


def test_nul_characters_are_rejected_at_ingest(client, runtime, tenant):
    r = client.post(URL, json=[event(), event(description="a\x00b")], headers=tenant.auth("ingest"))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["index"] == 1
    assert runtime.queue.stats().depth == 0


def test_back_dated_events_land_in_their_month(client, runtime, tenant):
    old = event(time="2019-03-15T12:00:00Z")
    client.post(URL, json=old, headers=tenant.auth("ingest"))
    drain(runtime)
    page = client.get(URL, params={"until": "2019-04-01T00:00:00Z"}, headers=tenant.auth("read"))
    assert [e["id"] for e in page.json()["items"]] == [old["id"]]


def test_batches_grow_under_a_backlog_and_shrink_when_it_is_gone(runtime, tenant):
    items = [prepared(tenant) for _ in range(1000)]
    runtime.queue.publish(
        [Message(body=encode_message(tenant.id, [item]), tenant_id=tenant.id) for item in items]
    )
    worker = runtime.worker()
    worker.batch_size, worker.max_batch_size, worker._next_batch = 100, 400, 100
    sizes = []
    while handled := worker.process_once():
        sizes.append(handled)
    assert sizes == [100, 200, 400, 300]
    assert worker._next_batch == 100
    for item in items[::97]:
        assert len(rows(runtime, tenant, str(item.id))) == 1


def test_one_request_is_one_message_and_batches_count_its_events(client, runtime, tenant):
    for _ in range(3):
        batch = [event() for _ in range(300)]
        assert client.post(URL, json=batch, headers=tenant.auth("ingest")).status_code == 202
    assert runtime.queue.stats().depth == 900  # counted in events
    worker = runtime.worker()
    worker.batch_size, worker.max_batch_size, worker._next_batch = 500, 1000, 500
    # 300 + 300 reach 500; the last message alone is 300, under 500: the batch shrinks back.
    assert worker.process_once() == 600
    assert worker.process_once() == 300
    assert worker.process_once() == 0
    assert runtime.queue.stats().depth == 0


def test_an_event_that_cannot_be_stored_does_not_hold_back_the_rest_of_its_request(
    client, runtime, tenant
):
    poison = event(actor={"id": "poison", "type": "user"})
    good = [event() for _ in range(4)]
    with runtime.engine.begin() as conn:
        for sql in REFUSE_POISON[runtime.engine.dialect.name]:
            conn.execute(text(sql))
    r = client.post(
        URL, json=[good[0], good[1], poison, good[2], good[3]], headers=tenant.auth("ingest")
    )
    assert r.status_code == 202
    for _ in range(runtime.settings.queue_max_deliveries + 1):
        drain(runtime)
    for ev in good:
        assert len(rows(runtime, tenant, ev["id"])) == 1
    assert rows(runtime, tenant, poison["id"]) == []
    [letter] = runtime.queue.dead_letters(tenant_id=tenant.id)
    assert poison["id"] in letter.reason
    # The dead letter holds the poison alone, not its neighbours.
    assert letter.size == 1
    assert [orjson.loads(e["doc"])["id"] for e in orjson.loads(letter.body)["events"]] == [
        poison["id"]
    ]
    # Once the cause is gone, a replay stores the one event left and nothing twice.
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_poison" + DROP_ON[runtime.engine.dialect.name]))
    assert runtime.queue.replay([letter.id]) == 1
    drain(runtime)
    for ev in [*good, poison]:
        assert len(rows(runtime, tenant, ev["id"])) == 1


# A trigger stands in for whatever makes one row fail (a constraint, a bad value).
REFUSE_POISON = {
    "sqlite": [
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.actor_id = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'poison refused'); END"
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.actor_id = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF; "
        "RETURN NEW; END $$",
        "DROP TRIGGER IF EXISTS refuse_poison ON events",
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON events "
        "FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
    ],
}
DROP_ON = {"sqlite": "", "postgresql": " ON events"}


def test_a_batch_larger_than_one_lookup_is_checked_in_parts(runtime, tenant, monkeypatch):
    monkeypatch.setattr(bulk, "LOOKUP_CHUNK", 3)
    items = [prepared(tenant) for _ in range(10)]
    first = Message(body=encode_message(tenant.id, items[:4]), tenant_id=tenant.id, size=4)
    runtime.queue.publish([first])
    assert drain(runtime) == 4
    # Redelivered with six more: the stored four are found across several lookups.
    again = Message(body=encode_message(tenant.id, items), tenant_id=tenant.id, size=10)
    runtime.queue.publish([again])
    assert drain(runtime) == 10
    for item in items:
        assert len(rows(runtime, tenant, str(item.id))) == 1
    with runtime.factory() as session:
        stored = session.scalar(
            select(func.count()).select_from(Event).where(Event.tenant_id == tenant.id)
        )
    assert stored == 10


def test_messages_in_the_formats_of_earlier_versions_are_still_stored(runtime, tenant):
    # A queue written before the upgrade holds version 2 (a request's events as objects)
    # and version 1 (one event per message) messages.
    old, older = prepared(tenant), prepared(tenant)
    v2 = {
        "v": 2,
        "tenant_id": tenant.id,
        "events": [{"hash": old.content_hash.hex(), "event": old.document}],
    }
    v1 = {
        "v": 1,
        "tenant_id": tenant.id,
        "hash": older.content_hash.hex(),
        "event": older.document,
    }
    runtime.queue.publish(
        [Message(body=orjson.dumps(body), tenant_id=tenant.id) for body in (v2, v1)]
    )
    assert drain(runtime) == 2
    with runtime.engine.connect() as conn:
        for item in (old, older):
            [stored] = rows(runtime, tenant, str(item.id))
            assert orjson.loads(stored.doc) == item.document
            _, leaf = ledger_tree.leaf_of_event(conn, tenant.id, item.id)
            assert leaf == event_leaf_hash(item.document) == item.leaf


def test_an_undecodable_event_is_dead_lettered_alone_and_its_neighbours_are_stored(runtime, tenant):
    first, bad, last = prepared(tenant), prepared(tenant), prepared(tenant)
    # A time as versions before 0.9 wrote years before 1000: not ISO 8601.
    broken = dataclasses.replace(
        bad, text=bad.text.replace(bad.document["time"], "999-01-01T00:00:00Z")
    )
    body = encode_message(tenant.id, [first, broken, last], keyed=False)
    runtime.queue.publish([Message(body=body, tenant_id=tenant.id, size=3)])
    for _ in range(runtime.settings.queue_max_deliveries + 1):
        drain(runtime)
    assert len(rows(runtime, tenant, str(first.id))) == 1
    assert len(rows(runtime, tenant, str(last.id))) == 1
    [letter] = runtime.queue.dead_letters(tenant_id=tenant.id)
    assert letter.size == 1
    assert [e["doc"] for e in orjson.loads(letter.body)["events"]] == [broken.text]
    assert "undecodable event" in letter.reason


def poison_trail(runtime: Runtime) -> None:
    with runtime.engine.begin() as conn:
        for sql in REFUSE_POISON[runtime.engine.dialect.name]:
            conn.execute(text(sql))


def cure_trail(runtime: Runtime) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_poison" + DROP_ON[runtime.engine.dialect.name]))


def dead_letter_poison(client, runtime: Runtime, tenant: TenantKeys) -> dict:
    """Send a poison event beside a good one and let the worker dead-letter it."""
    poison = event(actor={"id": "poison", "type": "user"})
    poison_trail(runtime)
    r = client.post(URL, json=[event(), poison], headers=tenant.auth("ingest"))
    assert r.status_code == 202
    for _ in range(runtime.settings.queue_max_deliveries + 1):
        drain(runtime)
    assert len(runtime.queue.dead_letters(tenant_id=tenant.id)) == 1
    assert rows(runtime, tenant, poison["id"]) == []
    return poison


def test_a_resend_of_a_dead_lettered_event_is_queued_again_and_stored(client, runtime, tenant):
    poison = dead_letter_poison(client, runtime, tenant)
    cure_trail(runtime)
    r = client.post(URL, json=poison, headers=tenant.auth("ingest"))
    assert r.status_code == 202
    assert runtime.queue.stats().depth == 1  # queued again, not taken for a duplicate
    drain(runtime)
    assert len(rows(runtime, tenant, poison["id"])) == 1
    # Now it is stored, a resend is a duplicate again.
    assert client.post(URL, json=poison, headers=tenant.auth("ingest")).status_code == 202
    assert runtime.queue.stats().depth == 0


def test_a_corrected_resend_of_a_dead_lettered_event_wins_over_a_later_replay(
    client, runtime, tenant
):
    poison = dead_letter_poison(client, runtime, tenant)
    corrected = {**poison, "actor": {"id": "fixed", "type": "user"}}
    r = client.post(URL, json=corrected, headers=tenant.auth("ingest"))
    assert r.status_code == 202, r.text
    drain(runtime)
    # The dead letter is replayed after the cause is gone: the corrected content stays.
    cure_trail(runtime)
    [letter] = runtime.queue.dead_letters(tenant_id=tenant.id)
    assert runtime.queue.replay([letter.id]) == 1
    drain(runtime)
    [stored] = rows(runtime, tenant, poison["id"])
    assert orjson.loads(stored.doc)["actor"]["id"] == "fixed"
    assert runtime.queue.dead_letters(tenant_id=tenant.id) == []
    changed = {**poison, "action": "other.action"}
    assert client.post(URL, json=changed, headers=tenant.auth("ingest")).status_code == 409


def test_maintenance_runs_when_the_worker_starts_then_hourly(runtime):
    # A host up two minutes: its monotonic clock reads 120 s.
    now = [120.0]
    ran: list[float] = []
    worker = TrailWorker(
        runtime.trail_factory,
        runtime.queue,
        runtime.partitioner,
        housekeeping=lambda: ran.append(now[0]) or 0,
        clock=lambda: now[0],
    )
    worker.maintain()
    assert ran == [120.0]
    now[0] += 3599
    worker.maintain()
    assert ran == [120.0]
    now[0] += 1
    worker.maintain()
    assert ran == [120.0, 3720.0]
