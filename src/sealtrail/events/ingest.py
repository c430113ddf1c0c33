"""Ingest: parse a request body, validate it whole, then queue it durably through the
idempotency registry (`events.registry`).

A batch is all-or-nothing: either every event is valid and queued, or none is; a 202
always means queued.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from sealtrail.errors import BadRequest, Conflict, UnsupportedMediaType, ValidationFailed
from sealtrail.events.message import Prepared
from sealtrail.events.registry import Registry
from sealtrail.events.schema import (
    EVENT_FIELDS,
    EVENT_FIELDS_LIST,
    EventIn,
    ValidEvent,
    event_document,
    format_time,
)
from sealtrail.identity.schemas import Caller
from sealtrail.observability import metrics
from sealtrail.verify.canonical import event_leaf_hash

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")
_EVENT_LIST = TypeAdapter(list[EventIn])


@dataclass(frozen=True)
class IngestResult:
    """What ingest answers: how many events were accepted and their ids, in order."""

    accepted: int
    ids: list[str]
    duplicates: int


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_events(
    body: bytes,
    content_type: str | None,
    *,
    now: datetime,
    max_batch: int,
    max_future_skew: timedelta,
) -> list[ValidEvent]:
    """Validate a body holding one event, a JSON array, or NDJSON; all or nothing."""
    media = _media_type(content_type)
    context = {"now": now, "max_future_skew": max_future_skew}
    if media in NDJSON_TYPES:
        return _reject_nul(_parse_ndjson(body, context, max_batch), body)
    if media not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"content type {media or '(none)'!r} is not accepted",
            {"accepted": [*JSON_TYPES, *NDJSON_TYPES]},
        )
    if not body.strip():
        raise BadRequest("request body is empty", code="invalid_json")
    try:
        raw = load_json(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}", code="invalid_json") from None
    except DuplicateKey as exc:
        if exc.path and isinstance(exc.path[0], int):
            raise _failed([exc.problem(exc.path[0], exc.path[1:])]) from None
        raise _failed([exc.problem(0, exc.path)]) from None
    if type(raw) is list:
        _check_batch_size(len(raw), max_batch)
        try:
            return _reject_nul(_validate_batch(raw, context), body)
        except ValidationError as exc:
            raise _validation_failed(exc.errors(), indexed=True) from None
    try:
        return _reject_nul([_validate_one(raw, context)], body)
    except ValidationError as exc:
        raise _validation_failed(exc.errors(), indexed=False) from None


class DuplicateKey(ValueError):
    """A JSON object names a key twice (RFC 8785 3.1 and I-JSON, RFC 7493 2.3, forbid it)."""

    def __init__(self, path: tuple[str | int, ...]) -> None:
        super().__init__(f"duplicate key {path[-1]!r}")
        self.path = path

    def problem(self, index: int, path: tuple[str | int, ...]) -> dict[str, Any]:
        """The 422 detail naming the duplicated field, `path` within event `index`."""
        return {
            "index": index,
            "field": ".".join(str(p) for p in path),
            "reason": f"duplicate key {self.path[-1]!r}: a key may appear once per object",
        }


# Integers of 19 digits or more may not fit orjson's 64 bits (it makes them floats). A
# run of digits is found in C: every digit made "0", everything else a space.
_DIGITS_ONLY = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))  # "0" or " "
_LONG_RUN = b"0" * 19


def load_json(text: bytes) -> Any:
    """The one JSON parser of ingest, for every body form: integers exactly as sent, and
    DuplicateKey for a key repeated in an object (orjson keeps the last one silently).

    orjson parses; when it writes the result back as the text, nothing was lost.
    Otherwise a key was dropped exactly when the text has more colons than
    orjson's serialisation of the result (a colon is a key separator or a character of a
    string, and orjson writes the characters of strings as they are), unless a colon was
    escaped (`\\u003a`). Only then, or when an integer may not fit in 64 bits, the text is
    parsed again by the standard library, which keeps both.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses numbers beyond a double (1e400), which validation words better:
        # "numbers must be finite", naming the field. Anything else stays invalid JSON.
        return _load_exact(text, strict=True)
    try:
        written = orjson.dumps(value)
    except TypeError:
        # Deeper than orjson writes (254 levels): no event field allows that, so
        # validation refuses it whatever its keys.
        return value
    if written == text:
        # Compact JSON as orjson writes it (many producers send that): its keys are
        # unique and its integers are integers, since orjson wrote them.
        return value
    if (
        written.count(b":") != text.count(b":")
        or b"\\u003" in text
        or _LONG_RUN in text.translate(_DIGITS_ONLY)
    ):
        return _load_exact(text, strict=False)
    return value


def _load_exact(text: bytes, *, strict: bool) -> Any:
    """`text` parsed by the standard library, keeping big integers and repeated keys; with
    `strict` (orjson refused it) anything but an overflowing number is invalid JSON."""
    try:
        # Decoded first: JSON is UTF-8 (RFC 8259 8.1); bytes would let json guess UTF-16.
        value = json.loads(text.decode(), object_pairs_hook=_object, parse_constant=_no_constant)
        if strict:
            orjson.dumps(value)  # lone surrogates (\\ud800), which orjson refuses
    except (ValueError, TypeError, RecursionError):
        # ValueError: not JSON, or an integer of more than 4,300 digits (CPython's limit).
        orjson.loads(text)  # raises orjson's own description of the problem
        raise orjson.JSONDecodeError("integer too long", text.decode(errors="replace"), 0) from None
    if path := _first_duplicate(value):
        raise DuplicateKey(path)
    return value


class _Repeated(dict[str, Any]):
    """An object in which `key` appeared more than once."""

    key: str


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    repeated = _Repeated(found)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            repeated.key = key
            break
        seen.add(key)
    return repeated


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _first_duplicate(value: Any) -> tuple[str | int, ...] | None:
    """The path of the first repeated key in `value` (depth first), or None."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Repeated):
            return (*path, node.key)
        if type(node) is dict:
            stack.extend((child, (*path, key)) for key, child in reversed(node.items()))
        elif type(node) is list:
            stack.extend((child, (*path, i)) for i, child in reversed(list(enumerate(node))))
    return None


def _validate_batch(raw: list[Any], context: dict[str, Any]) -> list[ValidEvent]:
    """Validate decoded events; when they fail, the models say why, in their words."""
    try:
        fields = EVENT_FIELDS_LIST.validate_python(raw, context=context)
    except ValidationError:
        return [ev.valid_event() for ev in _EVENT_LIST.validate_python(raw, context=context)]
    return [ValidEvent(f["id"], event_document(f)) for f in fields]


def _validate_one(raw: Any, context: dict[str, Any]) -> ValidEvent:
    """Validate one decoded event; when it fails, the model says why, in its words."""
    try:
        fields = EVENT_FIELDS.validate_python(raw, context=context)
    except ValidationError:
        return EventIn.model_validate(raw, context=context).valid_event()
    return ValidEvent(fields["id"], event_document(fields))


def _parse_ndjson(body: bytes, context: dict[str, Any], max_batch: int) -> list[ValidEvent]:
    lines = [line for line in body.split(b"\n") if line.strip()]
    _check_batch_size(len(lines), max_batch)
    events: list[ValidEvent] = []
    problems: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        try:
            events.append(_validate_one(load_json(line), context))
        except orjson.JSONDecodeError as exc:
            problems.append({"index": index, "field": "", "reason": f"invalid JSON: {exc}"})
        except DuplicateKey as exc:
            problems.append(exc.problem(index, exc.path))
        except ValidationError as exc:
            problems.extend(_describe(err, index) for err in exc.errors())
    if problems:
        raise _failed(problems)
    return events


def _reject_nul(events: list[ValidEvent], body: bytes) -> list[ValidEvent]:
    """Refuse NUL characters: no text column of PostgreSQL can store them."""
    if b"\\u0000" not in body:
        return events
    bad = [i for i, ev in enumerate(events) if _has_nul(ev.document)]
    if not bad:
        return events
    raise _failed(
        [
            {"index": i, "field": "", "reason": "NUL characters (\\u0000) are not accepted"}
            for i in bad
        ]
    )


def _has_nul(node: Any) -> bool:
    if isinstance(node, str):
        return "\x00" in node
    if isinstance(node, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_nul(v) for v in node)
    return False


def _check_batch_size(count: int, max_batch: int) -> None:
    if count == 0:
        raise ValidationFailed("batch is empty", [{"index": None, "field": "", "reason": "empty"}])
    if count > max_batch:
        raise ValidationFailed(
            f"batch has {count} events, more than {max_batch}",
            [{"index": None, "field": "", "reason": f"at most {max_batch} events per request"}],
            code="batch_too_large",
        )


def _describe(err: ErrorDetails, index: int | None) -> dict[str, Any]:
    loc = list(err["loc"])
    if err["type"] == "json_invalid":
        return {"index": index, "field": "", "reason": f"invalid JSON: {err['msg']}"}
    reason = err["msg"].removeprefix("Value error, ")
    return {"index": index, "field": ".".join(str(p) for p in loc), "reason": reason}


def _validation_failed(errors: list[ErrorDetails], *, indexed: bool) -> ValidationFailed:
    if indexed:
        problems = []
        for err in errors:
            loc = err["loc"]
            index = loc[0] if loc and isinstance(loc[0], int) else None
            problems.append(_describe({**err, "loc": loc[1:] if index is not None else loc}, index))
    else:
        problems = [_describe(err, 0) for err in errors]
    return _failed(problems)


def _failed(problems: list[dict[str, Any]]) -> ValidationFailed:
    metrics.EVENTS_REJECTED.labels(reason="invalid").inc()
    bad = sorted({p["index"] for p in problems if p["index"] is not None})
    summary = f"{len(bad)} invalid event(s)" if bad else "invalid request"
    return ValidationFailed(f"{summary}; nothing was accepted", problems)


def prepare(events: list[ValidEvent], caller: Caller, received_at: datetime) -> list[Prepared]:
    """Give each event its stored form (with tenant and received time) and content hash."""
    prepared: list[Prepared] = []
    stamp = format_time(received_at)
    for event in events:
        # The hash covers what the producer said, not when we received it, so that an
        # identical resend is recognised as one.
        digest = hashlib.sha256(orjson.dumps(event.document, option=orjson.OPT_SORT_KEYS)).digest()
        doc = {**event.document, "tenant": caller.tenant, "received_at": stamp}
        prepared.append(
            Prepared(
                id=event.id,
                document=doc,
                content_hash=digest,
                text=orjson.dumps(doc).decode(),
                leaf=event_leaf_hash(doc),
            )
        )
    return prepared


def enqueue(
    registry: Registry, caller: Caller, prepared: list[Prepared], received_at: datetime
) -> IngestResult:
    """Queue the events whose ids are new and record the ids; identical resends are
    no-ops, an id sent again with other content is a conflict."""
    unique: dict[uuid.UUID, Prepared] = {}
    for item in prepared:
        seen = unique.setdefault(item.id, item)
        if seen is item:
            continue
        if seen.content_hash != item.content_hash:
            metrics.EVENTS_REJECTED.labels(reason="conflict").inc()
            raise Conflict(
                f"event id {item.id} appears twice in the batch with different content",
                {"ids": [str(item.id)]},
            )
        unique[item.id] = item
    fresh = registry.publish_new(caller.tenant_id, unique, received_at)
    ids = [item.document["id"] for item in prepared]  # str(item.id), already made
    metrics.EVENTS_ACCEPTED.inc(fresh)
    metrics.EVENTS_DUPLICATE.inc(len(unique) - fresh)
    return IngestResult(accepted=len(prepared), ids=ids, duplicates=len(unique) - fresh)


@lru_cache(maxsize=1)
def event_list_schema() -> dict[str, Any]:
    """JSON Schema of a batch, for the OpenAPI document."""
    return _EVENT_LIST.json_schema()
