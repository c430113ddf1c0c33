"""The trail worker: consume queued events in batches, store them, then acknowledge."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import structlog
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db.base import utcnow
from sealtrail.db.partitions import Partitioner
from sealtrail.events.message import QueuedEvent, decode_message
from sealtrail.events.store import store_batch
from sealtrail.observability import metrics
from sealtrail.queue import Delivery, Queue

log = structlog.get_logger(__name__)

MAINTENANCE_INTERVAL = 3600.0


class TrailWorker:
    """Moves events from the queue into the event store; safe to run several at once."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        queue: Queue,
        partitioner: Partitioner,
        *,
        batch_size: int = 100,
        max_batch_size: int | None = None,
        poll_interval: float = 0.2,
        retry_delay: float = 5.0,
        partitions_ahead: int = 3,
        checkpoint: Callable[[], int] | None = None,
        checkpoint_interval: float = 5.0,
        housekeeping: Callable[[], int] | None = None,
    ) -> None:
        self.factory = factory
        self.queue = queue
        self.partitioner = partitioner
        self.batch_size = batch_size
        # Under a backlog batches double up to this size: fewer commits (and fsyncs) per
        # event when it matters, small batches (low latency) when the queue is shallow.
        self.max_batch_size = max(batch_size, max_batch_size or batch_size)
        self._next_batch = batch_size
        self.poll_interval = poll_interval
        self.retry_delay = retry_delay
        self.partitions_ahead = partitions_ahead
        self._last_maintenance = 0.0
        self.checkpoint = checkpoint
        self.checkpoint_interval = checkpoint_interval
        self._last_checkpoint = 0.0
        self.housekeeping = housekeeping

    def run(self, stop: threading.Event) -> None:
        """Process batches until `stop` is set."""
        log.info("worker.started", batch_size=self.batch_size)
        while not stop.is_set():
            try:
                self.maintain()
                handled = self.process_once()
            except SQLAlchemyError as exc:
                # The database is unreachable or busy: the messages come back after the
                # visibility timeout; wait and try again rather than die.
                log.error("worker.database_error", error=str(exc))
                stop.wait(self.retry_delay)
                continue
            if handled == 0:
                self.queue.wait(self.poll_interval)
        log.info("worker.stopped")

    def maintain(self) -> None:
        """Upkeep: checkpoints every interval; hourly partitions ahead, DLQ retention and
        pruning of expired login failures and sessions."""
        now = time.monotonic()
        if self.checkpoint and now - self._last_checkpoint >= self.checkpoint_interval:
            self._last_checkpoint = now
            self.checkpoint()
        if now - self._last_maintenance < MAINTENANCE_INTERVAL:
            return
        self._last_maintenance = now
        self.partitioner.ensure_ahead(utcnow(), self.partitions_ahead)
        purged = self.queue.purge_expired()
        if purged:
            log.info("dlq.purged", count=purged)
        if self.housekeeping:
            pruned = self.housekeeping()
            if pruned:
                log.info("identity.pruned", count=pruned)

    def process_once(self) -> int:
        """Receive one batch and store it; return how many events it held (the sizes of
        the messages handled, stored, skipped as duplicates or given back)."""
        asked = self._next_batch
        deliveries = self.queue.receive(asked)
        # A message carries the events of one request: the batch is counted in events.
        received = sum(d.size for d in deliveries)
        self._next_batch = (
            min(self.max_batch_size, asked * 2) if received >= asked else self.batch_size
        )
        if not deliveries:
            return 0
        decoded: list[tuple[Delivery, list[QueuedEvent]]] = []
        for delivery in deliveries:
            try:
                decoded.append((delivery, decode_message(delivery.body)))
            except (ValueError, KeyError, TypeError) as exc:
                metrics.WORKER_FAILURES.inc()
                self.queue.nack(delivery, f"undecodable message: {exc}", self.retry_delay)
        if decoded:
            try:
                self._store([ev for _, events in decoded for ev in events])
                self.queue.ack([d for d, _ in decoded])
            except OperationalError:
                raise
            except SQLAlchemyError as exc:
                log.warning("worker.batch_failed", error=str(exc), size=len(decoded))
                self._store_one_by_one(decoded)
        return received

    def _store(self, events: Sequence[QueuedEvent]) -> None:
        started = time.perf_counter()
        self.partitioner.ensure_for(ev.time for ev in events)
        with self.factory() as session, session.begin():
            stored = store_batch(session, events)
        metrics.WORKER_BATCH_SECONDS.observe(time.perf_counter() - started)
        metrics.EVENTS_STORED.inc(len(stored))

    def _store_one_by_one(self, decoded: list[tuple[Delivery, list[QueuedEvent]]]) -> None:
        """Isolate what breaks a batch so the rest still lands: each message alone, then
        each event of a failing message alone. A message with an event that cannot be
        stored goes back (its stored events are skipped when it returns) and ends in the
        dead-letter queue with the reason."""
        for delivery, events in decoded:
            try:
                self._store(events)
                self.queue.ack([delivery])
                continue
            except OperationalError:
                raise
            except SQLAlchemyError as exc:
                failures = [(events[0], exc)] if len(events) == 1 else self._store_each(events)
            if not failures:
                self.queue.ack([delivery])
                continue
            metrics.WORKER_FAILURES.inc()
            event, error = failures[0]
            log.error(
                "worker.message_failed",
                error=str(error),
                event_id=str(event.id),
                failed=len(failures),
                events=len(events),
            )
            reason = f"store failed for event {event.id}: {error}"
            if len(failures) > 1:
                reason = f"{len(failures)} events failed; first: {reason}"
            self.queue.nack(delivery, reason, self.retry_delay)

    def _store_each(self, events: list[QueuedEvent]) -> list[tuple[QueuedEvent, SQLAlchemyError]]:
        failures: list[tuple[QueuedEvent, SQLAlchemyError]] = []
        for event in events:
            try:
                self._store([event])
            except OperationalError:
                raise
            except SQLAlchemyError as exc:
                failures.append((event, exc))
        return failures
