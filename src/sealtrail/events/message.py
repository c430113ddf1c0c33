"""The queue message between ingest and the worker: the events of one request.

Version 3 (written now) carries each event as the text to store and its ledger leaf
hash, both made by ingest, where requests are handled side by side, so the worker, which
is serial, does not serialise or hash again. A message published by `QueueRegistry` is
keyed: the queue recorded its ids with it. Versions 2 (events as objects) and 1 (one
event per message) are what queues written before it hold; the worker still reads them.
Each event is decoded on its own, so that one bad event never holds back the others; a
message the worker dead-letters holds only its bad events and, when their ids were
released from the idempotency registry, says so (`"released": true`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from sealtrail.verify.canonical import event_leaf_hash


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated event ready to queue: its stored form, that form's text, its ledger leaf
    hash (of the RFC 8785 form) and its content hash (what idempotency compares)."""

    id: uuid.UUID
    document: dict[str, Any]
    content_hash: bytes
    text: str
    leaf: bytes


def encode_message(tenant_id: int, items: Sequence[Prepared], *, keyed: bool = False) -> bytes:
    """The queue message for the new events of one request; `keyed` when the queue
    recorded their ids with it."""
    return orjson.dumps(
        {
            "v": 3,
            "tenant_id": tenant_id,
            "keyed": keyed,
            "events": [
                {"hash": item.content_hash.hex(), "leaf": item.leaf.hex(), "doc": item.text}
                for item in items
            ],
        }
    )


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """An event as decoded from a queue message: `raw` is its stored JSON text, `leaf` its
    ledger leaf hash, `keyed` whether the queue recorded its id with the message; the
    rest are the columns it is stored and indexed under (its document is not kept: a
    batch holds tens of thousands)."""

    tenant_id: int
    id: uuid.UUID
    time: datetime
    received_at: datetime
    content_hash: bytes
    raw: str
    leaf: bytes
    action: str
    outcome: str
    actor_id: str
    source_app: str | None
    search_text: str
    targets: tuple[tuple[str, str], ...]
    keyed: bool = False

    @classmethod
    def of(cls, tenant_id: int, document: dict[str, Any], content_hash: bytes = b"") -> QueuedEvent:
        """An event built from its stored document (tools and benchmarks seed with this)."""
        return _queued(
            tenant_id,
            document,
            orjson.dumps(document).decode(),
            content_hash,
            event_leaf_hash(document),
            keyed=False,
        )


def search_text(doc: dict[str, Any]) -> str:
    """The lowercase text that free-text search (`q`) looks in."""
    parts = [doc["action"], doc["actor"].get("name", ""), doc["actor"]["id"]]
    parts.extend(t.get("name", "") for t in doc.get("targets", ()))
    parts.append(doc.get("description", ""))
    return " ".join(p for p in parts if p).lower()


def _queued(
    tenant_id: int, doc: dict[str, Any], raw: str, content_hash: bytes, leaf: bytes, *, keyed: bool
) -> QueuedEvent:
    source = doc.get("source")
    targets = doc.get("targets")
    return QueuedEvent(
        tenant_id=tenant_id,
        id=uuid.UUID(doc["id"]),
        time=_time(doc["time"]),
        received_at=_time(doc["received_at"]),
        content_hash=content_hash,
        raw=raw,
        leaf=leaf,
        action=doc["action"],
        outcome=doc["outcome"],
        actor_id=doc["actor"]["id"],
        source_app=source["app"] if source else None,
        search_text=search_text(doc),
        # One row per distinct target: (type, id), in a stable order.
        targets=tuple(sorted({(t["type"], t["id"]) for t in targets})) if targets else (),
        keyed=keyed,
    )


@dataclass(frozen=True, slots=True)
class Undecodable:
    """An item of a message that does not decode: where it is, why, and its id and content
    hash when they can be read."""

    position: int
    reason: str
    key: tuple[uuid.UUID, bytes] | None


@dataclass(frozen=True, slots=True)
class DecodedMessage:
    """A queue message decoded item by item: one bad event does not hide the others.

    `positions` gives each event's place among the message's items. `released` marks a
    message the worker dead-lettered after releasing its ids from the idempotency registry:
    replayed, its events must be registered again before they are stored.
    """

    tenant_id: int
    released: bool
    events: list[QueuedEvent]
    positions: list[int]
    undecodable: list[Undecodable]
    envelope: dict[str, Any]
    items: list[Any]

    def remainder(self, positions: Sequence[int], *, released: bool) -> bytes:
        """This message holding only the items at `positions` (in the same version)."""
        if self.envelope.get("v") == 1:
            return orjson.dumps({**self.envelope, "released": released})
        kept = [self.items[i] for i in sorted(set(positions))]
        return orjson.dumps({**self.envelope, "events": kept, "released": released})


def decode_message(body: bytes) -> DecodedMessage:
    """The events of a queue message written by ingest (any version), each item decoded on
    its own; raise ValueError, KeyError or TypeError when the message itself is malformed."""
    msg = orjson.loads(body)
    version = msg.get("v")
    tenant_id = int(msg["tenant_id"])
    if version == 3:
        keyed = msg["keyed"] is True

        def decode(item: Any) -> QueuedEvent:
            return _from_text(tenant_id, item["hash"], item["leaf"], item["doc"], keyed)

        items = list(msg["events"])
    elif version in (1, 2):

        def decode(item: Any) -> QueuedEvent:
            return QueuedEvent.of(tenant_id, item["event"], bytes.fromhex(item["hash"]))

        items = list(msg["events"]) if version == 2 else [msg]
    else:
        raise ValueError(f"unknown message version {version!r}")
    events: list[QueuedEvent] = []
    positions: list[int] = []
    undecodable: list[Undecodable] = []
    for position, item in enumerate(items):
        try:
            events.append(decode(item))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            undecodable.append(Undecodable(position, f"undecodable event: {exc}", _key_of(item)))
        else:
            positions.append(position)
    return DecodedMessage(
        tenant_id=tenant_id,
        released=msg.get("released") is True,
        events=events,
        positions=positions,
        undecodable=undecodable,
        envelope=msg,
        items=items,
    )


def _key_of(item: Any) -> tuple[uuid.UUID, bytes] | None:
    """The id and content hash of an item that does not decode, when they can be read."""
    try:
        doc = orjson.loads(item["doc"]) if "doc" in item else item["event"]
        return uuid.UUID(doc["id"]), bytes.fromhex(item["hash"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _from_text(
    tenant_id: int, content_hash: str, leaf: str, text_: str, keyed: bool
) -> QueuedEvent:
    doc = orjson.loads(text_)
    if type(doc) is not dict:
        raise ValueError("a queued event is not a JSON object")
    # The leaf is not recomputed here: the offline verifier recomputes every leaf.
    return _queued(
        tenant_id, doc, text_, bytes.fromhex(content_hash), bytes.fromhex(leaf), keyed=keyed
    )


def _time(value: str) -> datetime:
    # Ingest writes times in one strict UTC form; fromisoformat reads it in C.
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"queued time {value!r} has no offset")
    return moment
