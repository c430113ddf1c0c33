"""Storage: write a batch of queued events into the event store in one transaction.

Delivery is at-least-once, storage is exactly-once: the `event_ids` row of each event
is locked and marked stored in the same transaction that inserts the event, so a
redelivered message is recognised and skipped.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import structlog
from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.orm import Session

from sealtrail.db.base import utcnow
from sealtrail.events.models import EVENT_IDS, EVENT_TARGETS, EVENTS, EventId
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


def decode_message(body: bytes) -> QueuedEvent:
    """Decode a queue message written by ingest; raise ValueError when malformed."""
    msg = orjson.loads(body)
    if msg.get("v") != 1:
        raise ValueError(f"unknown message version {msg.get('v')!r}")
    doc = msg["event"]
    return QueuedEvent(
        tenant_id=int(msg["tenant_id"]),
        id=uuid.UUID(doc["id"]),
        # Ingest wrote both times in one strict UTC form; fromisoformat reads it in C.
        time=datetime.fromisoformat(doc["time"]),
        received_at=datetime.fromisoformat(doc["received_at"]),
        content_hash=bytes.fromhex(msg["hash"]),
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
    by_tenant: dict[int, list[QueuedEvent]] = defaultdict(list)
    for ev in events:
        by_tenant[ev.tenant_id].append(ev)
    now = utcnow()
    to_store: list[QueuedEvent] = []
    for tenant_id, group in by_tenant.items():
        rows = session.execute(
            select(EventId.event_id, EventId.content_hash, EventId.stored_at)
            .where(EventId.tenant_id == tenant_id, EventId.event_id.in_([e.id for e in group]))
            .with_for_update()
        ).all()
        registry = {r.event_id: r for r in rows}
        unregistered: list[QueuedEvent] = []
        chosen: set[uuid.UUID] = set()
        for ev in group:
            if ev.id in chosen:
                continue  # the same message twice in one batch
            row = registry.get(ev.id)
            if row is None:
                # Ingest queued it but died before committing the registry row.
                unregistered.append(ev)
            elif row.stored_at is not None:
                continue
            elif row.content_hash != ev.content_hash:
                # A message left by a crashed request whose id was later accepted with
                # other content: that other content is the one the producer was told of.
                log.warning("event.orphan_skipped", tenant_id=tenant_id, event_id=str(ev.id))
                continue
            chosen.add(ev.id)
            to_store.append(ev)
        if unregistered:
            session.connection().execute(
                insert(EVENT_IDS),
                [
                    {
                        "tenant_id": tenant_id,
                        "event_id": ev.id,
                        "content_hash": ev.content_hash,
                        "accepted_at": ev.received_at,
                        "stored_at": now,
                    }
                    for ev in unregistered
                ],
            )
        fresh_ids = {ev.id for ev in unregistered}
        registered = [ev for ev in to_store if ev.tenant_id == tenant_id and ev.id not in fresh_ids]
        if registered:
            session.execute(
                update(EventId)
                .where(
                    EventId.tenant_id == tenant_id,
                    EventId.event_id.in_([ev.id for ev in registered]),
                )
                .values(stored_at=now)
                .execution_options(synchronize_session=False)
            )
    if not to_store:
        return []
    # Core inserts (not ORM bulk): a plain executemany, measurably cheaper per row.
    conn = session.connection()
    insert_events(conn, [event_row(ev) for ev in to_store])
    targets = [row for ev in to_store for row in target_rows(ev)]
    if targets:
        conn.execute(insert(EVENT_TARGETS), targets)
    # The ledger grows in this same transaction: an event is stored if and only if it
    # has its leaf, so the trail and its proofs can never disagree.
    append_to_ledger(conn, to_store)
    return to_store


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


def insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert event rows and index their text for free-text search, in the caller's
    transaction (which on SQLite holds the write lock: BEGIN IMMEDIATE)."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        last_rowid = conn.execute(text("SELECT coalesce(max(rowid), 0) FROM events")).scalar_one()
    conn.execute(insert(EVENTS), rows)
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


def event_row(ev: QueuedEvent) -> dict[str, Any]:
    doc = ev.document
    source = doc.get("source")
    return {
        "tenant_id": ev.tenant_id,
        "time": ev.time,
        "id": ev.id,
        "received_at": ev.received_at,
        "action": doc["action"],
        "outcome": doc["outcome"],
        "actor_id": doc["actor"]["id"],
        "source_app": source["app"] if source else None,
        "search_text": search_text(doc),
        "doc": ev.raw.decode(),
    }


def target_rows(ev: QueuedEvent) -> list[dict[str, Any]]:
    unique = {(t["type"], t["id"]) for t in ev.document.get("targets", ())}
    return [
        {
            "tenant_id": ev.tenant_id,
            "target_id": target_id,
            "time": ev.time,
            "event_id": ev.id,
            "target_type": target_type,
        }
        for target_type, target_id in sorted(unique)
    ]
