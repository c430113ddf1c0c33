"""The trail worker: consume queued events in batches, store them, then acknowledge."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from functools import cached_property

import orjson
import structlog
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db.base import utcnow
from sealtrail.db.partitions import Partitioner
from sealtrail.errors import Conflict
from sealtrail.events.message import DecodedMessage, Prepared, QueuedEvent, decode_message
from sealtrail.events.registry import Registry, registry_for
from sealtrail.events.store import store_batch
from sealtrail.observability import metrics
from sealtrail.queue import Delivery, Message, Queue

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
        registry: Registry | None = None,
        clock: Callable[[], float] = time.monotonic,
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
        # None: never yet, so both run at start. The clock (monotonic) counts from an
        # arbitrary point, the boot on Linux: 0 would mean "an hour after boot".
        self.clock = clock
        self._last_maintenance: float | None = None
        self.checkpoint = checkpoint
        self.checkpoint_interval = checkpoint_interval
        self._last_checkpoint: float | None = None
        self.housekeeping = housekeeping
        if registry is not None:
            self.registry = registry

    @cached_property
    def registry(self) -> Registry:
        """The idempotency registry: ids of dead-lettered events are released there."""
        return registry_for(self.factory, self.queue)

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
        """Upkeep: checkpoints every interval; hourly partitions ahead and pruning of
        expired login failures and sessions (dead letters are kept until replayed)."""
        now = self.clock()
        last = self._last_checkpoint
        if self.checkpoint and (last is None or now - last >= self.checkpoint_interval):
            self._last_checkpoint = now
            self.checkpoint()
        last = self._last_maintenance
        if last is not None and now - last < MAINTENANCE_INTERVAL:
            return
        self._last_maintenance = now
        self.partitioner.ensure_ahead(utcnow(), self.partitions_ahead)
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
        decoded: list[tuple[Delivery, DecodedMessage]] = []
        for delivery in deliveries:
            try:
                message = decode_message(delivery.body)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                metrics.WORKER_FAILURES.inc()
                last = delivery.deliveries >= self.queue.settings.max_deliveries
                log.error(
                    "worker.dead_lettered" if last else "worker.message_failed",
                    error=f"undecodable message: {exc}",
                    tenant_id=delivery.tenant_id,
                    deliveries=delivery.deliveries,
                )
                self.queue.nack(delivery, f"undecodable message: {exc}", self.retry_delay)
                continue
            if message.released:
                self._readmit(delivery, message)
            else:
                decoded.append((delivery, message))
        if not decoded:
            return received
        failed: dict[str, list[tuple[int, str, QueuedEvent]]] = {}
        try:
            self._store([ev for _, message in decoded for ev in message.events])
        except OperationalError:
            raise
        except SQLAlchemyError as exc:
            log.warning("worker.batch_failed", error=str(exc), size=len(decoded))
            failed = self._store_one_by_one(decoded)
        done: list[Delivery] = []
        for delivery, message in decoded:
            problems = [(u.position, u.reason, u.key) for u in message.undecodable]
            problems += [
                (position, reason, (ev.id, ev.content_hash))
                for position, reason, ev in failed.get(delivery.receipt, ())
            ]
            if problems:
                self._give_back(delivery, message, problems)
            else:
                done.append(delivery)
        self.queue.ack(done)
        return received

    def _store(self, events: Sequence[QueuedEvent]) -> None:
        if not events:
            return
        started = time.perf_counter()
        self.partitioner.ensure_for(ev.time for ev in events)
        with self.factory() as session, session.begin():
            stored = store_batch(session, events)
        metrics.WORKER_BATCH_SECONDS.observe(time.perf_counter() - started)
        metrics.EVENTS_STORED.inc(len(stored))

    def _store_one_by_one(
        self, decoded: list[tuple[Delivery, DecodedMessage]]
    ) -> dict[str, list[tuple[int, str, QueuedEvent]]]:
        """Isolate what breaks a batch so the rest still lands: each message alone, then
        each event of a failing message alone. Return the events that cannot be stored
        (their place in their message, why), by delivery receipt."""
        failed: dict[str, list[tuple[int, str, QueuedEvent]]] = {}
        for delivery, message in decoded:
            try:
                self._store(message.events)
                continue
            except OperationalError:
                raise
            except SQLAlchemyError as exc:
                if len(message.events) == 1:
                    failures = [(message.events[0], exc)]
                else:
                    failures = self._store_each(message.events)
            place = {ev.id: p for ev, p in zip(message.events, message.positions, strict=True)}
            failed[delivery.receipt] = [
                (place[ev.id], f"store failed for event {ev.id}: {error}", ev)
                for ev, error in failures
            ]
        return failed

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

    def _give_back(
        self,
        delivery: Delivery,
        message: DecodedMessage,
        problems: list[tuple[int, str, tuple[uuid.UUID, bytes] | None]],
    ) -> None:
        """Give back a message holding only the events that failed (the others are
        stored). On its last delivery it is dead-lettered, and its ids are released from
        the idempotency registry first: a resend must queue them again, not be taken for
        a duplicate of something never stored."""
        metrics.WORKER_FAILURES.inc()
        positions = sorted({position for position, _, _ in problems})
        reason = problems[0][1]
        if len(positions) > 1:
            reason = f"{len(positions)} events failed; first: {reason}"
        last = delivery.deliveries >= self.queue.settings.max_deliveries
        if last:
            self.registry.release(
                message.tenant_id, {key[0]: key[1] for _, _, key in problems if key is not None}
            )
        log.error(
            "worker.dead_lettered" if last else "worker.message_failed",
            error=reason,
            tenant_id=message.tenant_id,
            failed=len(positions),
            events=len(message.items),
            deliveries=delivery.deliveries,
        )
        remaining = Message(
            body=message.remainder(positions, released=last),
            tenant_id=delivery.tenant_id,
            size=len(positions),
        )
        self.queue.nack(delivery, reason, self.retry_delay, remaining=remaining)

    def _readmit(self, delivery: Delivery, message: DecodedMessage) -> None:
        """A replayed dead letter whose ids were released: its events are queued again
        through the registry, as a resend would be. An id accepted meanwhile with other
        content keeps that content (the producer was told of it)."""
        for ev in message.events:
            item = Prepared(ev.id, orjson.loads(ev.raw), ev.content_hash, ev.raw, ev.leaf)
            try:
                self.registry.publish_new(message.tenant_id, {ev.id: item}, ev.received_at)
            except Conflict:
                log.warning(
                    "event.replay_superseded", tenant_id=message.tenant_id, event_id=str(ev.id)
                )
        if message.undecodable:
            problems = [(u.position, u.reason, u.key) for u in message.undecodable]
            self._give_back(delivery, message, problems)
        else:
            self.queue.ack([delivery])
