"""The queue interface every driver implements.

Semantics (shared by every driver and checked by one test suite): at-least-once
delivery; a received message is invisible for the visibility timeout, then delivered
again unless acknowledged; after `max_deliveries` deliveries without an ack it moves to
the dead-letter queue, where it is kept until replayed: nothing deletes it by age.
A message has a size (how many items it carries, 1 unless said): `receive` takes
messages until their sizes reach its limit, so a consumer asks for work, not messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueSettings:
    """Delivery semantics of a queue."""

    visibility_timeout: float = 300.0
    max_deliveries: int = 5


@dataclass(frozen=True)
class Message:
    """A message to publish; `tenant_id` scopes who may see it in the dead-letter queue;
    `size` is how many items it carries."""

    body: bytes
    tenant_id: int | None = None
    size: int = 1

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"a message carries at least one item, not {self.size}")


@dataclass(frozen=True)
class Delivery:
    """A received message; hand it back to `ack` or `nack`."""

    receipt: str
    body: bytes
    tenant_id: int | None
    deliveries: int
    enqueued_at: float
    size: int = 1


@dataclass(frozen=True)
class DeadLetter:
    """A message that could not be processed in `max_deliveries` attempts."""

    id: str
    tenant_id: int | None
    body: bytes
    enqueued_at: float
    dead_at: float
    deliveries: int
    reason: str
    size: int = 1


@dataclass(frozen=True)
class QueueStats:
    """Gauges for operations: backlog and in flight (in items: the sum of message sizes),
    age of the oldest message, DLQ size (in messages) and the age of its oldest letter."""

    depth: int
    in_flight: int
    oldest_age_seconds: float
    dead_letters: int
    oldest_dead_letter_age_seconds: float = 0.0


class Queue(ABC):
    """A durable at-least-once queue with a dead-letter queue."""

    def __init__(self, settings: QueueSettings) -> None:
        self.settings = settings

    @abstractmethod
    def publish(self, messages: Sequence[Message]) -> None:
        """Store messages durably; when this returns they survive a crash."""

    @abstractmethod
    def receive(self, limit: int) -> list[Delivery]:
        """Take the oldest visible messages until their sizes add up to `limit` (at least
        one message when any is visible), hiding them for the visibility timeout."""

    @abstractmethod
    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Remove processed messages for good."""

    @abstractmethod
    def nack(
        self,
        delivery: Delivery,
        reason: str,
        delay: float = 0.0,
        remaining: Message | None = None,
    ) -> None:
        """Give a message back after a failure; dead-letter it when out of deliveries
        (`delivery.deliveries >= settings.max_deliveries`). `remaining`, when given,
        replaces the message's body and size (what is left of it to do), in the queue or
        in the dead-letter queue."""

    @abstractmethod
    def wait(self, timeout: float) -> None:
        """Block until a message may be available or `timeout` seconds pass."""

    @abstractmethod
    def dead_letters(
        self, *, tenant_id: int | None = None, limit: int = 100, after: str | None = None
    ) -> list[DeadLetter]:
        """Dead letters, oldest first, optionally only a tenant's, after a cursor id."""

    @abstractmethod
    def replay(self, ids: Sequence[str] | None = None, *, tenant_id: int | None = None) -> int:
        """Move dead letters (the given ids, or all) back to the queue; return how many."""

    @abstractmethod
    def stats(self) -> QueueStats:
        """Current gauges."""

    @abstractmethod
    def ping(self) -> None:
        """Raise if the queue cannot be reached."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


class KeyedQueue(Queue):
    """A queue that also keeps idempotency keys: recording the keys of what is published
    and publishing it is one atomic step, so no key is recorded for a message the queue
    lacks, and no message is queued whose key was not recorded."""

    @abstractmethod
    def publish_once(
        self,
        scope: int,
        digests: Mapping[bytes, bytes],
        build: Callable[[list[bytes]], Message],
    ) -> dict[bytes, bytes]:
        """In one transaction: find which keys of `digests` (key -> digest of the content)
        were recorded under `scope` before, and return their recorded digests. Unless
        one of those differs from the digest given now, record the other keys and publish
        `build(other keys)`; nothing is written when every key is known or one clashes."""

    @abstractmethod
    def release(self, scope: int, digests: Mapping[bytes, bytes]) -> None:
        """Forget the keys of `digests` recorded under `scope` with those digests (their
        content was dead-lettered), so that publishing them again is publishing anew."""
