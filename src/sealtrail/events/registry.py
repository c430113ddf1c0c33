"""The idempotency registry: which event ids a tenant had accepted, with what content.

Ingest asks it to queue the new events of a request in one step with recording their
ids, so that a 202 always means queued and an id is never recorded for events the queue
lacks. Where the ids are kept depends on the deployment:

- `QueueRegistry`, when the trail database is SQLite: in the queue file, in the same
  transaction as the message (`KeyedQueue.publish_once`). Ingest then never takes the
  trail database's write lock, which the worker holds while it stores a batch.
- `DatabaseRegistry` otherwise: in the `event_ids` table, committed after the queue holds
  the message; PostgreSQL's row locks let ingest and the worker write side by side.
"""

from __future__ import annotations

import functools
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db.bulk import encoder, insert_rows, select_in
from sealtrail.errors import Conflict
from sealtrail.events.message import Prepared, encode_message
from sealtrail.events.models import EVENT_IDS
from sealtrail.observability import metrics
from sealtrail.queue import KeyedQueue, Message, Queue


class Registry(ABC):
    """Records accepted ids and queues the events behind them, atomically."""

    @abstractmethod
    def publish_new(
        self, tenant_id: int, events: dict[uuid.UUID, Prepared], received_at: datetime
    ) -> int:
        """Queue the events whose ids the tenant had not sent before and return how many;
        raise Conflict, queueing nothing, when an id was accepted with other content."""

    @abstractmethod
    def release(self, tenant_id: int, digests: dict[uuid.UUID, bytes]) -> None:
        """Forget ids accepted with these content hashes: their events were dead-lettered,
        so a resend (the same content or a corrected one) is queued as new."""


def _conflict(clashing: Sequence[uuid.UUID]) -> Conflict:
    metrics.EVENTS_REJECTED.labels(reason="conflict").inc()
    ids = [str(i) for i in clashing]
    return Conflict(f"event id {ids[0]} was already accepted with different content", {"ids": ids})


def _message(tenant_id: int, events: Sequence[Prepared], *, keyed: bool = False) -> Message:
    # One message per request: the queue writes, leases and acknowledges a batch at the
    # cost of one event.
    return Message(
        body=encode_message(tenant_id, events, keyed=keyed), tenant_id=tenant_id, size=len(events)
    )


class QueueRegistry(Registry):
    """Ids kept by the queue with the messages (a SQLite trail beside a SQLite queue).

    `legacy` reads the `event_ids` table that earlier versions wrote, so that ids
    accepted before the upgrade stay known; it is None when that table is empty.
    """

    def __init__(self, queue: KeyedQueue, legacy: sessionmaker[Session] | None = None) -> None:
        self.queue = queue
        self.legacy = legacy

    def publish_new(
        self, tenant_id: int, events: dict[uuid.UUID, Prepared], received_at: datetime
    ) -> int:
        candidates = events
        if self.legacy is not None:
            with self.legacy() as session:
                candidates = _unsent(session.connection(), tenant_id, events)
            if not candidates:
                return 0
        digests = {i.bytes: ev.content_hash for i, ev in candidates.items()}
        # Encoded before the queue's lock is taken; again inside only when some ids turn
        # out to be resends.
        whole = _message(tenant_id, list(candidates.values()), keyed=True)

        def build(fresh: list[bytes]) -> Message:
            if len(fresh) == len(candidates):
                return whole
            return _message(tenant_id, [candidates[uuid.UUID(bytes=k)] for k in fresh], keyed=True)

        recorded = self.queue.publish_once(tenant_id, digests, build)
        clashing = [uuid.UUID(bytes=k) for k, digest in recorded.items() if digest != digests[k]]
        if clashing:
            raise _conflict(clashing)
        return len(digests) - len(recorded)

    def release(self, tenant_id: int, digests: dict[uuid.UUID, bytes]) -> None:
        if self.legacy is not None:
            with self.legacy() as session, session.begin():
                _forget(session.connection(), tenant_id, digests)
        self.queue.release(tenant_id, {i.bytes: digest for i, digest in digests.items()})


class DatabaseRegistry(Registry):
    """Ids in the trail database's `event_ids` table (PostgreSQL, or a queue elsewhere)."""

    def __init__(self, factory: sessionmaker[Session], queue: Queue) -> None:
        self.factory = factory
        self.queue = queue

    def publish_new(
        self, tenant_id: int, events: dict[uuid.UUID, Prepared], received_at: datetime
    ) -> int:
        for attempt in range(3):
            try:
                return self._publish_new(tenant_id, events, received_at)
            except IntegrityError:
                # Another request registered one of these ids meanwhile: look again.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _publish_new(
        self, tenant_id: int, events: dict[uuid.UUID, Prepared], received_at: datetime
    ) -> int:
        with self.factory() as session, session.begin():
            conn = session.connection()
            fresh = list(_unsent(conn, tenant_id, events).values())
            if not fresh:
                return 0
            insert_rows(
                conn, EVENT_IDS, [(tenant_id, ev.id, ev.content_hash, received_at) for ev in fresh]
            )
            self.queue.publish([_message(tenant_id, fresh)])
            # Committed only now: the registry never claims an id the queue lacks.
        return len(fresh)

    def release(self, tenant_id: int, digests: dict[uuid.UUID, bytes]) -> None:
        with self.factory() as session, session.begin():
            _forget(session.connection(), tenant_id, digests)


def _forget(conn: Connection, tenant_id: int, digests: dict[uuid.UUID, bytes]) -> None:
    """Delete the `event_ids` rows of these ids that hold these content hashes."""
    key = encoder(EVENT_IDS.c.event_id, conn.dialect)
    for event_id, digest in digests.items():
        conn.execute(_FORGET, {"tenant": tenant_id, "event_id": key(event_id), "digest": digest})


_FORGET = text(
    "DELETE FROM event_ids "
    "WHERE tenant_id = :tenant AND event_id = :event_id AND content_hash = :digest"
)


@functools.lru_cache(maxsize=2)
def _lookup(lock: bool) -> TextClause:
    sql = (
        "SELECT event_id, content_hash FROM event_ids "
        "WHERE tenant_id = :tenant AND event_id IN :ids"
    )
    return text(sql + (" FOR UPDATE" if lock else "")).bindparams(bindparam("ids", expanding=True))


def registered_keys(
    conn: Connection, tenant_id: int, keys: Sequence[Any], *, lock: bool = False
) -> dict[Any, bytes]:
    """The content hashes in `event_ids` by event id as the driver has it (`keys` are
    converted as the column converts them, `sealtrail.db.bulk`: SQLAlchemy's per-value
    handling cost more than the query). `lock` keeps the rows locked until the
    transaction ends (PostgreSQL)."""
    return {row[0]: bytes(row[1]) for row in select_in(conn, _lookup(lock), tenant_id, keys)}


def registered(conn: Connection, tenant_id: int, ids: list[uuid.UUID]) -> dict[uuid.UUID, bytes]:
    """The content hashes in `event_ids` for those of `ids` the tenant sent before."""
    key = encoder(EVENT_IDS.c.event_id, conn.dialect)
    keys = {key(i): i for i in ids}
    return {keys[k]: digest for k, digest in registered_keys(conn, tenant_id, list(keys)).items()}


def _unsent(
    conn: Connection, tenant_id: int, events: dict[uuid.UUID, Prepared]
) -> dict[uuid.UUID, Prepared]:
    """The events whose ids are not in `event_ids` yet; raise Conflict when one is there
    with other content."""
    known = registered(conn, tenant_id, list(events))
    clashing = [i for i, digest in known.items() if digest != events[i].content_hash]
    if clashing:
        raise _conflict(clashing)
    return {i: ev for i, ev in events.items() if i not in known}


def registry_for(factory: sessionmaker[Session], queue: Queue) -> Registry:
    """The registry for this database and queue (see the module's docstring)."""
    engine = factory.kw["bind"]
    if engine.dialect.name != "sqlite" or not isinstance(queue, KeyedQueue):
        return DatabaseRegistry(factory, queue)
    with factory() as session:
        written = session.execute(select(EVENT_IDS.c.tenant_id).limit(1)).first() is not None
    return QueueRegistry(queue, factory if written else None)
