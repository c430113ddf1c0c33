"""Rate limits: token buckets behind a small interface (in-process now, Redis later).

A bucket holds up to `burst` tokens and refills at `rate` tokens per second; a call
takes `cost` tokens or, when there are not enough, is refused with the seconds after
which it would succeed (the `Retry-After` of the 429).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Protocol


class RateLimiter(Protocol):
    """Where buckets live; shared by all requests of a process (or of a cluster)."""

    def take(self, key: str, cost: float, *, rate: float, burst: float) -> float:
        """Take `cost` tokens from bucket `key`; 0 when allowed, else seconds to wait."""


class MemoryRateLimiter:
    """Buckets in this process's memory; the least recently used are forgotten first."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys
        self._now = time.monotonic

    def take(self, key: str, cost: float, *, rate: float, burst: float) -> float:
        now = self._now()
        with self._lock:
            tokens, stamp = self._buckets.pop(key, (burst, now))
            tokens = min(burst, tokens + (now - stamp) * rate)
            if cost > burst:
                # Never satisfiable at once: refuse, saying when a full bucket is back.
                self._buckets[key] = (tokens, now)
                return max(1.0, (burst - tokens) / rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (cost - tokens) / rate
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return wait


def retry_after(seconds: float) -> str:
    """The Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
