"""The durable queue between ingest and storage; one driver per engine, chosen by URL."""

from sealtrail.queue.base import (
    DeadLetter,
    Delivery,
    KeyedQueue,
    Message,
    Queue,
    QueueSettings,
    QueueStats,
)
from sealtrail.queue.registry import open_queue

__all__ = [
    "DeadLetter",
    "Delivery",
    "KeyedQueue",
    "Message",
    "Queue",
    "QueueSettings",
    "QueueStats",
    "open_queue",
]
