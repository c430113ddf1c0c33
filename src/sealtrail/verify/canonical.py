"""The bytes a ledger leaf commits to: the stored event in RFC 8785 (JCS) form."""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

from sealtrail.verify.merkle import leaf_hash

MAX_SAFE_INTEGER = 2**53 - 1
# Events nest a few levels (metadata 5, changes 10); deeper ones take the iterative walk.
_MAX_DEPTH = 32


def _plain(value: Any) -> bool:
    """True when orjson's sorted compact output is exactly RFC 8785 for `value`: no floats
    (JCS formats them as ECMAScript does), integers within ±2^53-1, ASCII keys (JCS sorts
    keys by UTF-16 code units, orjson by code points; they agree on ASCII)."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            for key, child in node.items():
                if not key.isascii():
                    return False
                stack.append(child)
        elif kind is list:
            stack.extend(node)
        elif kind is float or (kind is int and not -MAX_SAFE_INTEGER <= node <= MAX_SAFE_INTEGER):
            return False
    return True


def _small_numbers(node: Any, depth: int = 0) -> bool:
    """True when the dicts and lists in `node` (a dict or list) hold no float and no integer
    beyond ±2^53-1: _plain without the key check, recursive because that is faster.

    False also past _MAX_DEPTH levels, which only sends a (rare) deep event to _plain.
    """
    if depth > _MAX_DEPTH:
        return False
    for child in node.values() if type(node) is dict else node:
        kind = type(child)
        if kind is str:
            continue
        if kind is dict or kind is list:
            if not _small_numbers(child, depth + 1):
                return False
        elif kind is float or (kind is int and not -MAX_SAFE_INTEGER <= child <= MAX_SAFE_INTEGER):
            return False
    return True


def canonical_bytes(event: dict[str, Any]) -> bytes:
    """RFC 8785 serialisation of a stored event (the fields sent, `tenant`, `received_at`).

    The ledger fields (`ledger`) are not part of the event and are left out. Most events
    take a fast path (orjson, in C) that yields the same bytes; the rest go through the
    reference implementation.
    """
    if type(event) is dict and "ledger" not in event:
        body = event
    else:
        body = {k: v for k, v in event.items() if k != "ledger"}
    if _small_numbers(body):
        fast = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        # orjson writes non-ASCII characters as they are: ASCII output has ASCII keys, so
        # with _small_numbers this is _plain(body), checked in C instead of a second walk.
        if fast.isascii():
            return fast
    if _plain(body):
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return rfc8785.dumps(body)


def event_leaf_hash(event: dict[str, Any]) -> bytes:
    """SHA-256(0x00 || canonical bytes): the event's leaf in its tenant's log."""
    return leaf_hash(canonical_bytes(event))
