"""Audit event schema v1: what producers send, validated strictly.

`docs/event-schema.md` explains each field; `event-schema-v1.json` beside this file is
the JSON Schema generated from these models (`sealtrail schema` rewrites it).
"""

from __future__ import annotations

import math
import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from ipaddress import ip_address
from socket import AF_INET, AF_INET6, inet_pton
from typing import Annotated, Any, NamedTuple

import orjson
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import SchemaValidator, core_schema

METADATA_MAX_BYTES = 16 * 1024
METADATA_MAX_DEPTH = 5
METADATA_MAX_KEYS = 100
CHANGES_MAX_BYTES = 64 * 1024
CHANGES_MAX_DEPTH = 10
MAX_TARGETS = 50
DEFAULT_MAX_FUTURE_SKEW = timedelta(minutes=5)
# RFC 8785 canonical form (used by the ledger) allows only IEEE 754 exact integers.
MAX_SAFE_INTEGER = 2**53 - 1

# fullmatch and ASCII digits: `$` would let a final newline through, `\d` other scripts'
# digits. The store, the canonical form and the queue message represent years 0001-9999.
_RFC3339 = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_ACTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9][A-Za-z0-9_\-]*)*")
_OUT_OF_RANGE = "is outside the years 0001-9999 once converted to UTC"


def parse_rfc3339(value: object) -> datetime:
    """Parse an RFC 3339 timestamp that carries an offset; return it in UTC (years
    0001-9999 in UTC; ValueError otherwise)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("timestamp must carry a UTC offset")
        return _in_utc(value)
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 timestamp string, e.g. 2026-11-24T09:30:00Z")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ValueError("must be an RFC 3339 timestamp with offset, e.g. 2026-11-24T09:30:00.123Z")
    date, clock, fraction, offset = match.groups()
    text = f"{date}T{clock}"
    if fraction:
        text += "." + fraction[:6].ljust(6, "0")
    text += "+00:00" if offset in ("Z", "z") else offset
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a valid date or time: {exc}") from None
    return _in_utc(parsed)


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+01:00: the UTC time falls before year 1.
        raise ValueError(_OUT_OF_RANGE) from None


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, microseconds only when present; four-digit years."""
    # isoformat pads the year to four digits and ends "+00:00" in UTC.
    return moment.astimezone(UTC).isoformat()[:-6] + "Z"


def _check_json(value: Any, *, max_bytes: int, max_depth: int, max_keys: int | None) -> None:
    keys = 0
    # Iterative walk: (node, depth) pairs; scalars other than big integers cost nothing.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise ValueError(f"nested deeper than {max_depth} levels")
        kind = type(node)
        if kind is dict:
            keys += len(node)
            children = node.values()
        elif kind is list:
            children = node
        else:
            _check_number(node)
            continue
        for child in children:
            child_kind = type(child)
            if child_kind is dict or child_kind is list:
                stack.append((child, depth + 1))
            elif child_kind is int or child_kind is float:
                _check_number(child)
    if max_keys is not None and keys > max_keys:
        raise ValueError(f"has {keys} keys, more than {max_keys}")
    size = len(orjson.dumps(value))
    if size > max_bytes:
        raise ValueError(f"is {size} bytes as JSON, more than {max_bytes}")


def _check_number(value: object) -> None:
    """I-JSON numbers: integers within ±2^53-1, no infinity or NaN (JSON has neither)."""
    if type(value) is int and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise ValueError(f"integer {value} is outside ±2^53-1 (I-JSON, RFC 7493)")
    if type(value) is float and not math.isfinite(value):
        raise ValueError("numbers must be finite; this one overflows a double (e.g. 1e400)")


Time = Annotated[
    datetime,
    BeforeValidator(parse_rfc3339),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _check_action(value: str) -> str:
    if not _ACTION.fullmatch(value):
        raise ValueError("must be dot-separated words of letters, digits, _ or -, e.g. user.login")
    return value


def _check_email(value: str) -> str:
    # Validated, not rewritten: the email type would store the normalised form (domain
    # lowercased, a display name or spaces dropped), not what was sent.
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from None
    return value


def _check_ip(value: str) -> str:
    if _inet_pton_accepts(value):
        return value
    try:
        ip_address(value)
    except ValueError:
        raise ValueError("must be an IPv4 or IPv6 address") from None
    return value


def _inet_pton_accepts(value: str) -> bool:
    """Whether the C address parser takes `value`: ten times cheaper than `ip_address`."""
    # It accepts a subset of what `ip_address` does (no scope ids such as `fe80::1%eth0`;
    # both refuse IPv4 leading zeros), so `_check_ip` leaves whatever it refuses to
    # `ip_address`. tests/events/test_schema_fast.py compares the two.
    try:
        inet_pton(AF_INET6 if ":" in value else AF_INET, value)
    except (OSError, ValueError):  # ValueError: an embedded NUL or a lone surrogate
        return False
    return True


Action = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_check_action)
]
IPAddress = Annotated[str, StringConstraints(max_length=45), AfterValidator(_check_ip)]
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_check_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]
Short = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Medium = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Long = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class Outcome(StrEnum):
    success = "success"
    failure = "failure"
    unknown = "unknown"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Actor(_Strict):
    """Who did it."""

    type: Short = Field(default="user", description="user, service, api_key, system ...")
    id: Medium = Field(description="Stable identifier of the actor in the producer's system.")
    name: Medium | None = None
    email: Email | None = None
    ip: IPAddress | None = None
    user_agent: Long | None = None
    session_id: Medium | None = None


class Target(_Strict):
    """What it was done to."""

    type: Short
    id: Medium
    name: Medium | None = None


class Source(_Strict):
    """Which application emitted the event."""

    app: Short
    service: Short | None = None
    environment: Short | None = None
    version: Short | None = None


class Context(_Strict):
    """Correlation identifiers."""

    request_id: Medium | None = None
    trace_id: Medium | None = None


class Changes(_Strict):
    """State before and after the action."""

    before: Any = None
    after: Any = None

    @field_validator("before", "after")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        _check_json(value, max_bytes=CHANGES_MAX_BYTES, max_depth=CHANGES_MAX_DEPTH, max_keys=None)
        return value


def time_ordered_id() -> uuid.UUID:
    """A new UUIDv7 (RFC 9562): the Unix time in milliseconds, then 74 random bits.

    Ids given by the server sort by the time they were made, so they are added at the
    end of the id indexes (the queue's, the ledger's) instead of at a random page each:
    at 1,000,000 ids the queue's write of a request of 500 events took 5.9 ms instead
    of 15.2 (`bench/store_floor.py`, docs/performance.md).
    """
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC variant
    return uuid.UUID(int=value)


class EventIn(_Strict):
    """An audit event as a producer sends it (schema v1)."""

    id: uuid.UUID = Field(
        default_factory=time_ordered_id,
        description="UUID; the idempotency key. Generated if absent (a UUIDv7).",
    )
    time: Time = Field(description="When it happened: RFC 3339 with offset.")
    action: Action = Field(description="Dotted verb phrase, e.g. trade.order.create.")
    category: Short | None = None
    outcome: Outcome = Outcome.unknown
    actor: Actor
    targets: list[Target] = Field(default_factory=list, max_length=MAX_TARGETS)
    source: Source | None = None
    context: Context | None = None
    changes: Changes | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    metadata: dict[str, Any] | None = None

    @field_validator("time")
    @classmethod
    def _not_in_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        ctx = info.context or {}
        now: datetime = ctx.get("now") or datetime.now(UTC)
        skew: timedelta = ctx.get("max_future_skew", DEFAULT_MAX_FUTURE_SKEW)
        if value > now + skew:
            raise ValueError(f"is more than {int(skew.total_seconds())} s in the future")
        return value

    @field_validator("metadata")
    @classmethod
    def _bounded_metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _check_json(
                value,
                max_bytes=METADATA_MAX_BYTES,
                max_depth=METADATA_MAX_DEPTH,
                max_keys=METADATA_MAX_KEYS,
            )
        return value

    def document(self) -> dict[str, Any]:
        """The event as stored: only the fields present, times in UTC."""
        return event_document(self.__dict__)

    def valid_event(self) -> ValidEvent:
        """This event as ingest takes it: its id and its stored form."""
        return ValidEvent(self.id, self.document())


class ValidEvent(NamedTuple):
    """A validated event: its id and the document stored for it."""

    id: uuid.UUID
    document: dict[str, Any]


def event_document(fields: dict[str, Any]) -> dict[str, Any]:
    """The stored form of an event's validated fields: a model's, or `EVENT_FIELDS` dicts."""
    doc: dict[str, Any] = {
        "id": str(fields["id"]),
        "time": format_time(fields["time"]),
        "action": fields["action"],
        "outcome": fields["outcome"].value,
        "actor": _present(fields["actor"]),
    }
    if (category := fields.get("category")) is not None:
        doc["category"] = category
    if fields["targets"]:
        doc["targets"] = [_present(t) for t in fields["targets"]]
    if (source := fields.get("source")) is not None:
        doc["source"] = _present(source)
    if (context := fields.get("context")) is not None:
        doc["context"] = _present(context)
    if (changes := fields.get("changes")) is not None:
        values = changes if type(changes) is dict else changes.__dict__
        doc["changes"] = {"before": values.get("before"), "after": values.get("after")}
    if (description := fields.get("description")) is not None:
        doc["description"] = description
    if (metadata := fields.get("metadata")) is not None:
        doc["metadata"] = metadata
    return doc


def _present(part: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """A part's fields that are not None (in their order), as a dict of its own."""
    if type(part) is dict:
        # Validated into a dict of our own (fields of None default left out when absent):
        # taken as it is unless a null was sent. Its values are all strings or None.
        if None not in part.values():
            return part
        fields = part
    else:
        # A validated model keeps its field values in __dict__; reading it directly is
        # ~10x faster than going through model_fields.
        fields = part.__dict__
    return {name: value for name, value in fields.items() if value is not None}


def _as_field_dicts(schema: Any) -> Any:
    """`schema` (a pydantic core schema) with its models validating into dicts of fields."""
    # Same fields, validators and field order, and the defaults other than None, without
    # building model instances: a third of the cost of validating an event.
    if isinstance(schema, list):
        return [_as_field_dicts(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") != "model":
        return {key: _as_field_dicts(value) for key, value in schema.items()}
    fields = schema["schema"]["fields"]
    if schema.get("post_init") or any(
        set(f) - {"type", "schema", "metadata"} for f in fields.values()
    ):
        # Validating into dicts would lose it silently.
        raise TypeError(f"{schema['cls'].__name__} has more than plain fields to validate")
    config = schema["config"]
    return core_schema.typed_dict_schema(
        {name: _dict_field(field["schema"]) for name, field in fields.items()},
        extra_behavior=config["extra_fields_behavior"],
        config=config,
        ref=schema.get("ref"),
    )


def _dict_field(schema: Any) -> core_schema.TypedDictField:
    """A model field as a dict field; one whose default is None is left out when absent."""
    if schema["type"] != "default":
        return core_schema.typed_dict_field(_as_field_dicts(schema))
    if "default" in schema and schema["default"] is None:
        return core_schema.typed_dict_field(_as_field_dicts(schema["schema"]), required=False)
    return core_schema.typed_dict_field(_as_field_dicts(schema), required=False)


# A faster first pass over events, into dicts for `event_document`; the models stay the
# authority: ingest validates with them again to word the errors when this one fails.
EVENT_FIELDS = SchemaValidator(_as_field_dicts(EventIn.__pydantic_core_schema__))
EVENT_FIELDS_LIST = SchemaValidator(
    core_schema.list_schema(_as_field_dicts(EventIn.__pydantic_core_schema__))
)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an event as producers send it."""
    schema = EventIn.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://sealtrail.dev/schemas/event-v1.json"
    schema["title"] = "Sealtrail audit event v1"
    return schema
