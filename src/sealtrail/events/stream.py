"""The live tail: events stored after a ledger index, as Server-Sent Events.

Each look at the store runs in a worker thread with a session of its own: it reads the
tenant's tree size, then at most `batch` leaves after the last index sent. Between looks
the stream holds no database connection and the event loop is free. Comments keep idle
connections open through proxies, and the caller's credential is checked again at the
same pace, so a revoked key, an ended session or a lost role ends the stream.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import orjson
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db.tenancy import bind_tenant
from sealtrail.errors import RateLimited
from sealtrail.events import query
from sealtrail.ledger import tree
from sealtrail.observability import metrics

KEEPALIVE = b": keepalive\n\n"


@dataclass(frozen=True)
class Pace:
    """Seconds between looks at the store and between comments; leaves per look."""

    poll: float
    keepalive: float
    batch: int


class StreamSlots:
    """At most `per_caller` open live tails per person or API key, in this process.

    A tail counts while its generator lives: the server drops it when the stream ends,
    however it ends (finished, client gone, never started), and it leaves the weak set.
    """

    def __init__(self, per_caller: int) -> None:
        self.per_caller = per_caller
        self._open: defaultdict[str, weakref.WeakSet[AsyncIterator[bytes]]] = defaultdict(
            weakref.WeakSet
        )
        self._lock = threading.Lock()

    def open(self, who: str, start: Callable[[], AsyncIterator[bytes]]) -> AsyncIterator[bytes]:
        """The tail `start` makes, or 429 when `who` holds `per_caller` open already."""
        with self._lock:
            live = self._open[who]
            if len(live) >= self.per_caller:
                raise RateLimited(
                    f"{len(live)} live tails are open for this caller; close one first",
                    {"open": len(live), "limit": self.per_caller},
                    headers={"Retry-After": "15"},
                )
            tail_ = start()
            live.add(tail_)
            return tail_


def last_index(factory: sessionmaker[Session], tenant_id: int) -> int:
    """The ledger index of the tenant's newest stored event; -1 before the first."""
    with factory() as session, session.begin():
        size, _ = tree.head(session.connection(), tenant_id)
    return size - 1


def read_after(
    factory: sessionmaker[Session],
    tenant_id: int,
    flt: query.EventFilter,
    after: int,
    batch: int,
) -> tuple[list[dict[str, Any]], int, bool]:
    """Matching events of the `batch` leaves after `after`, the last index read, and
    whether more leaves follow."""
    with factory() as session, session.begin():
        bind_tenant(session, tenant_id)
        size, _ = tree.head(session.connection(), tenant_id)
        upto = min(size - 1, after + batch)
        if upto <= after:
            return [], after, False
        items = query.by_ledger_index(session, tenant_id, flt, after=after, upto=upto)
    return items, upto, upto < size - 1


def message(item: dict[str, Any]) -> bytes:
    """One message: the event as a search item, its ledger index as the message id."""
    return b"id: %d\nevent: audit\ndata: %s\n\n" % (item["ledger"]["index"], orjson.dumps(item))


async def tail(
    factory: sessionmaker[Session],
    tenant_id: int,
    flt: query.EventFilter,
    after: int,
    pace: Pace,
    still_allowed: Callable[[], bool],
) -> AsyncIterator[bytes]:
    """Messages of the events after index `after` until the client leaves or is refused."""
    metrics.AUDIT_STREAMS_OPEN.inc()
    try:
        now = time.monotonic()
        next_look, next_comment = now, now + pace.keepalive
        while True:
            if time.monotonic() >= next_look:
                items, after, more = await anyio.to_thread.run_sync(
                    read_after, factory, tenant_id, flt, after, pace.batch
                )
                for item in items:
                    yield message(item)
                now = time.monotonic()
                next_look = now if more else now + pace.poll
            now = time.monotonic()
            if now >= next_comment:
                if not await anyio.to_thread.run_sync(still_allowed):
                    return
                yield KEEPALIVE
                next_comment = now + pace.keepalive
            await anyio.sleep(max(0.0, min(next_look, next_comment) - time.monotonic()))
    finally:
        metrics.AUDIT_STREAMS_OPEN.dec()
