"""The bytes a ledger leaf commits to: the stored event in RFC 8785 (JCS) form."""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

from sealtrail.verify.merkle import leaf_hash

MAX_SAFE_INTEGER = 2**53 - 1


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


def canonical_bytes(event: dict[str, Any]) -> bytes:
    """RFC 8785 serialisation of a stored event (the fields sent, `tenant`, `received_at`).

    The ledger fields (`ledger`) are not part of the event and are left out. Most events
    take a fast path (orjson, in C) that yields the same bytes; the rest go through the
    reference implementation.
    """
    body = {k: v for k, v in event.items() if k != "ledger"}
    if _plain(body):
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return rfc8785.dumps(body)


def event_leaf_hash(event: dict[str, Any]) -> bytes:
    """SHA-256(0x00 || canonical bytes): the event's leaf in its tenant's log."""
    return leaf_hash(canonical_bytes(event))
