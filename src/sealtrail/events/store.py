"""Storage: write a batch of queued events into the event store in one transaction.

Delivery is at-least-once, storage is exactly-once: the `event_ids` row of each event
is locked and marked stored in the same transaction that inserts the event, so a
redelivered message is recognised and skipped.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import structlog
from sqlalchemy import Connection, TextClause, bindparam, text
from sqlalchemy.orm import Session

from sealtrail.db.base import utcnow
from sealtrail.db.bulk import encoder, insert_rows
from sealtrail.events.models import EVENT_IDS, EVENT_TARGETS, EVENTS
from sealtrail.ledger import tree as ledger
from sealtrail.verify.canonical import event_leaf_hash

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class QueuedEvent:
    """An event as decoded from a queue message."""

    tenant_id: int
    id: uuid.UUID
    time: datetime
    received_at: datetime
    content_hash: bytes
    document: dict[str, Any]
    raw: bytes


def decode_message(body: bytes) -> list[QueuedEvent]:
    """The events of a queue message written by ingest; raise ValueError when malformed.

    Version 2 carries the events of one request; version 1 (one event per message) is
    what queues written before it hold.
    """
    msg = orjson.loads(body)
    version = msg.get("v")
    tenant_id = int(msg["tenant_id"])
    if version == 2:
        return [_queued(tenant_id, item["hash"], item["event"]) for item in msg["events"]]
    if version == 1:
        return [_queued(tenant_id, msg["hash"], msg["event"])]
    raise ValueError(f"unknown message version {version!r}")


def _queued(tenant_id: int, content_hash: str, doc: dict[str, Any]) -> QueuedEvent:
    return QueuedEvent(
        tenant_id=tenant_id,
        id=uuid.UUID(doc["id"]),
        # Ingest wrote both times in one strict UTC form; fromisoformat reads it in C.
        time=datetime.fromisoformat(doc["time"]),
        received_at=datetime.fromisoformat(doc["received_at"]),
        content_hash=bytes.fromhex(content_hash),
        document=doc,
        raw=orjson.dumps(doc),
    )


def search_text(doc: dict[str, Any]) -> str:
    """The lowercase text that free-text search (`q`) looks in."""
    parts = [doc["action"], doc["actor"].get("name", ""), doc["actor"]["id"]]
    parts.extend(t.get("name", "") for t in doc.get("targets", ()))
    parts.append(doc.get("description", ""))
    return " ".join(p for p in parts if p).lower()


def store_batch(session: Session, events: Sequence[QueuedEvent]) -> list[QueuedEvent]:
    """Insert the events not stored yet; return those inserted, in input order."""
    conn = session.connection()
    now = utcnow()
    to_store: list[QueuedEvent] = []
    for tenant_id, group in _by_tenant(events).items():
        to_store.extend(_claim(conn, tenant_id, group, now))
    if not to_store:
        return []
    insert_events(conn, [event_values(ev) for ev in to_store])
    insert_rows(conn, EVENT_TARGETS, [row for ev in to_store for row in target_values(ev)])
    # The ledger grows in this same transaction: an event is stored if and only if it
    # has its leaf, so the trail and its proofs can never disagree.
    append_to_ledger(conn, to_store)
    return to_store


_REGISTRY = (
    "SELECT event_id, content_hash, stored_at IS NOT NULL AS stored FROM event_ids "
    "WHERE tenant_id = :tenant AND event_id IN :ids"
)
_MARK_STORED = text(
    "UPDATE event_ids SET stored_at = :now WHERE tenant_id = :tenant AND event_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


@functools.lru_cache(maxsize=4)
def _registry_lookup(dialect: str) -> TextClause:
    # On PostgreSQL the rows stay locked until the batch commits: two workers given the
    # same message (a lease that expired) store it once. SQLite's write lock does that.
    sql = _REGISTRY + (" FOR UPDATE" if dialect == "postgresql" else "")
    return text(sql).bindparams(bindparam("ids", expanding=True))


def _claim(
    conn: Connection, tenant_id: int, group: list[QueuedEvent], now: datetime
) -> list[QueuedEvent]:
    """The tenant's events to store now, their registry rows marked or written."""
    dialect = conn.dialect
    key = encoder(EVENT_IDS.c.event_id, dialect)
    keys = {ev.id: key(ev.id) for ev in group}
    registry = {
        row[0]: row
        for row in conn.execute(
            _registry_lookup(dialect.name), {"tenant": tenant_id, "ids": list(keys.values())}
        )
    }
    chosen: list[QueuedEvent] = []
    unregistered: list[QueuedEvent] = []
    seen: set[uuid.UUID] = set()
    for ev in group:
        if ev.id in seen:
            continue  # the same message twice in one batch
        row = registry.get(keys[ev.id])
        if row is None:
            # Ingest queued it but died before committing the registry row.
            unregistered.append(ev)
        elif row[2]:
            continue
        elif bytes(row[1]) != ev.content_hash:
            # A message left by a crashed request whose id was later accepted with other
            # content: that other content is the one the producer was told of.
            log.warning("event.orphan_skipped", tenant_id=tenant_id, event_id=str(ev.id))
            continue
        seen.add(ev.id)
        chosen.append(ev)
    insert_rows(
        conn,
        EVENT_IDS,
        [(tenant_id, ev.id, ev.content_hash, ev.received_at, now) for ev in unregistered],
    )
    fresh = {ev.id for ev in unregistered}
    registered = [keys[ev.id] for ev in chosen if ev.id not in fresh]
    if registered:
        stamp = encoder(EVENT_IDS.c.stored_at, dialect)
        conn.execute(_MARK_STORED, {"now": stamp(now), "tenant": tenant_id, "ids": registered})
    return chosen


def append_to_ledger(conn: Connection, events: Sequence[QueuedEvent]) -> None:
    """Give each event its leaf (the hash of its RFC 8785 bytes) in its tenant's log."""
    for tenant_id, group in _by_tenant(events).items():
        ledger.append(
            conn,
            tenant_id,
            [ledger.Leaf(ev.id, ev.time, event_leaf_hash(ev.document)) for ev in group],
        )


def _by_tenant(events: Sequence[QueuedEvent]) -> dict[int, list[QueuedEvent]]:
    groups: dict[int, list[QueuedEvent]] = defaultdict(list)
    for ev in events:
        groups[ev.tenant_id].append(ev)
    return groups


def insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert event rows and index their text for free-text search, in the caller's
    transaction (which on SQLite holds the write lock: BEGIN IMMEDIATE)."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        last_rowid = conn.execute(text("SELECT coalesce(max(rowid), 0) FROM events")).scalar_one()
    insert_rows(conn, EVENTS, rows)
    if sqlite:
        # The FTS5 trigram table of migration 0002 has external content: it is fed
        # explicitly. PostgreSQL maintains its GIN index itself.
        conn.execute(
            text(
                "INSERT INTO events_fts(rowid, search_text) "
                "SELECT rowid, search_text FROM events WHERE rowid > :last"
            ),
            {"last": last_rowid},
        )


def event_values(ev: QueuedEvent) -> tuple[Any, ...]:
    """The event's row in the column order of `events`."""
    doc = ev.document
    source = doc.get("source")
    return (
        ev.tenant_id,
        ev.time,
        ev.id,
        ev.received_at,
        doc["action"],
        doc["outcome"],
        doc["actor"]["id"],
        source["app"] if source else None,
        search_text(doc),
        ev.raw.decode(),
    )


def target_values(ev: QueuedEvent) -> list[tuple[Any, ...]]:
    """The event's `event_targets` rows in column order, one per distinct target."""
    unique = {(t["type"], t["id"]) for t in ev.document.get("targets", ())}
    return [
        (ev.tenant_id, target_id, ev.time, ev.id, target_type)
        for target_type, target_id in sorted(unique)
    ]
