"""Chooses the queue driver by the URL scheme."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from sealtrail.errors import ConfigurationError
from sealtrail.queue.base import Queue, QueueSettings


def _sqlite(url: str, settings: QueueSettings, synchronous: str) -> Queue:
    from sealtrail.queue.sqlite import SQLiteQueue

    return SQLiteQueue.from_url(url, settings, synchronous=synchronous)


DRIVERS: dict[str, Callable[[str, QueueSettings, str], Queue]] = {"sqlite": _sqlite}


def open_queue(url: str, settings: QueueSettings, *, sqlite_synchronous: str = "FULL") -> Queue:
    """Open the queue named by `url` (`sqlite:///path/queue.db`, ...)."""
    scheme = urlsplit(url).scheme
    driver = DRIVERS.get(scheme)
    if driver is None:
        known = ", ".join(sorted(DRIVERS))
        raise ConfigurationError(f"unsupported broker URL scheme {scheme!r} (known: {known})")
    return driver(url, settings, sqlite_synchronous)
