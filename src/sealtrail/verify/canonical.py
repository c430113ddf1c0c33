"""The bytes a ledger leaf commits to: the stored event in RFC 8785 (JCS) form."""

from __future__ import annotations

from typing import Any

import rfc8785

from sealtrail.verify.merkle import leaf_hash


def canonical_bytes(event: dict[str, Any]) -> bytes:
    """RFC 8785 serialisation of a stored event (the fields sent, `tenant`, `received_at`).

    The ledger fields (`ledger`) are not part of the event and are left out.
    """
    body = {k: v for k, v in event.items() if k != "ledger"}
    return rfc8785.dumps(body)


def event_leaf_hash(event: dict[str, Any]) -> bytes:
    """SHA-256(0x00 || canonical bytes): the event's leaf in its tenant's log."""
    return leaf_hash(canonical_bytes(event))
