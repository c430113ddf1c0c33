"""Storage: write a batch of queued events into the event store in one transaction.

Delivery is at-least-once, storage is exactly-once: an event is stored together with its
ledger leaf, and the leaf index by event id tells a redelivered event apart. The worker
writes nothing to the idempotency registry: a page of a random-keyed index per event
is the dearest thing it does. It reads `event_ids` for events whose ids ingest recorded
there (`DatabaseRegistry`), locking the rows on PostgreSQL so two workers given the same
message store it once; events of a keyed message had their ids recorded by the queue
with the message itself (`QueueRegistry`) and need no such check.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

from sealtrail.db.bulk import encoder, insert_rows, select_in
from sealtrail.events import epochs
from sealtrail.events.message import QueuedEvent
from sealtrail.events.models import EVENT_IDS, EVENT_TARGETS, EVENTS
from sealtrail.events.registry import registered_keys
from sealtrail.ledger import tree as ledger
from sealtrail.ledger.models import LEAVES

log = structlog.get_logger(__name__)


def store_batch(session: Session, events: Sequence[QueuedEvent]) -> list[QueuedEvent]:
    """Insert the events not stored yet; return those inserted, in the order stored
    (that of the events' primary key: tenant, time, id)."""
    conn = session.connection()
    to_store: list[QueuedEvent] = []
    for tenant_id, group in _by_tenant(events).items():
        to_store.extend(_claim(conn, tenant_id, group))
    if not to_store:
        return []
    to_store.sort(key=_event_key)
    # The ledger grows in this same transaction: an event is stored if and only if it
    # has its leaf, so the trail and its proofs can never disagree.
    if conn.dialect.name == "sqlite":
        # The leaves first: each event's index gives its epoch (events/epochs.py).
        indexes = append_to_ledger(conn, to_store)
        write_trail(conn, to_store, [epochs.of_index(i) for i in indexes])
    else:
        write_trail(conn, to_store, None)
        append_to_ledger(conn, to_store)
    return to_store


_STORED = text(
    f"SELECT event_id FROM {LEAVES.name} WHERE tenant_id = :tenant AND event_id IN :ids"  # noqa: S608
).bindparams(bindparam("ids", expanding=True))


def _claim(conn: Connection, tenant_id: int, group: list[QueuedEvent]) -> list[QueuedEvent]:
    """The tenant's events to store now (not stored yet, registered with this content);
    registry rows are written only for events whose request died before registering."""
    dialect = conn.dialect
    key = encoder(EVENT_IDS.c.event_id, dialect)
    keys = {ev.id: key(ev.id) for ev in group}
    # The registry first: on PostgreSQL its rows stay locked until the batch commits, so
    # a second worker given the same message (a lease that expired) waits here until the
    # first commits, and then sees the leaves. SQLite's write lock does that.
    unkeyed = [keys[ev.id] for ev in group if not ev.keyed]
    registry = registered_keys(conn, tenant_id, unkeyed, lock=dialect.name == "postgresql")
    stored = {row[0] for row in select_in(conn, _STORED, tenant_id, list(keys.values()))}
    chosen: list[QueuedEvent] = []
    unregistered: list[QueuedEvent] = []
    seen: set[uuid.UUID] = set()
    for ev in group:
        k = keys[ev.id]
        if ev.id in seen or k in stored:
            continue  # stored by an earlier delivery, or twice in this batch
        if ev.keyed:
            pass  # the queue recorded its id with the message, in one transaction
        elif k not in registry:
            # Ingest queued it but died before committing the registry row.
            unregistered.append(ev)
        elif registry[k] != ev.content_hash:
            # A message left by a crashed request whose id was later accepted with other
            # content: that other content is the one the producer was told of.
            log.warning("event.orphan_skipped", tenant_id=tenant_id, event_id=str(ev.id))
            continue
        seen.add(ev.id)
        chosen.append(ev)
    insert_rows(
        conn,
        EVENT_IDS,
        [(tenant_id, ev.id, ev.content_hash, ev.received_at) for ev in unregistered],
    )
    return chosen


def append_to_ledger(conn: Connection, events: Sequence[QueuedEvent]) -> list[int]:
    """Give each event its leaf (the hash of its RFC 8785 bytes) in its tenant's log;
    return the events' ledger indexes, in order (the events sorted by tenant)."""
    indexes: list[int] = []
    for tenant_id, group in _by_tenant(events).items():
        indexes.extend(
            ledger.append(conn, tenant_id, [ledger.Leaf(ev.id, ev.time, ev.leaf) for ev in group])
        )
    return indexes


def write_trail(
    conn: Connection, events: Sequence[QueuedEvent], epoch_of: Sequence[int] | None
) -> None:
    """Insert the events' rows and their target rows in key order; on SQLite, in the
    epochs given (one per event) and widening those epochs' time bounds."""
    # In key order, each index's inserts walk its pages forward instead of jumping
    # between them at random (in a raw SQLite model of a batch of 40,000 at 1,000,000
    # events, 17-19 µs per event instead of 25-26; docs/performance.md).
    marked = list(zip(events, epoch_of or [0] * len(events), strict=True))
    insert_events(conn, [event_values(ev, e) for ev, e in marked])
    targets = [row for ev, e in marked for row in target_values(ev, e)]
    targets.sort(key=target_key)
    insert_rows(conn, EVENT_TARGETS, targets)
    if epoch_of is not None:
        epochs.record(conn, ((ev.tenant_id, e, ev.time) for ev, e in marked))


def _event_key(ev: QueuedEvent) -> tuple[int, datetime, uuid.UUID]:
    return (ev.tenant_id, ev.time, ev.id)


def target_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key of a `target_values` row, SQLite's: tenant, epoch, target, time, event."""
    return (row[0], row[5], *row[1:4])


def _by_tenant(events: Sequence[QueuedEvent]) -> dict[int, list[QueuedEvent]]:
    groups: dict[int, list[QueuedEvent]] = defaultdict(list)
    for ev in events:
        groups[ev.tenant_id].append(ev)
    return groups


def insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert event rows and index their text for free-text search, in the caller's
    transaction. On SQLite the text indexed is that of the rows after the largest rowid
    read here: in WAL mode a transaction may write only if nothing was committed since
    it read, so no other rows can come between."""
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


def event_values(ev: QueuedEvent, epoch: int = 0) -> tuple[Any, ...]:
    """The event's row in the column order of `events`."""
    return (
        ev.tenant_id,
        ev.time,
        ev.id,
        ev.received_at,
        ev.action,
        ev.outcome,
        ev.actor_id,
        ev.source_app,
        ev.search_text,
        ev.raw,
        epoch,
    )


def target_values(ev: QueuedEvent, epoch: int = 0) -> list[tuple[Any, ...]]:
    """The event's `event_targets` rows in column order, one per distinct target."""
    return [
        (ev.tenant_id, target_id, ev.time, ev.id, target_type, epoch)
        for target_type, target_id in ev.targets
    ]
