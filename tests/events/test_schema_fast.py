"""The fast paths of event validation decide and produce exactly what the slow ones do."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from ipaddress import ip_address
from typing import Any

import orjson
import pytest
from pydantic import TypeAdapter, ValidationError

from sealtrail.events.schema import (
    EVENT_FIELDS,
    EVENT_FIELDS_LIST,
    EventIn,
    _check_ip,
    _inet_pton_accepts,
    event_document,
    format_time,
)
from tests.conftest import event

TRICKY_IPS = [
    "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3.00",
    "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "0x1.2.3.4", "1.2.3.4 ", " 1.2.3.4",
    "1.2.3.4\x00", "\u0661.2.3.4", "1.2.3.\u0664", "+1.2.3.4", "1.2.3.-4", "", "::", "::1", "1::",
    "fe80::1%eth0", "fe80::1%1", "::%eth0", "fe80::1%", "::ffff:1.2.3.4", "::ffff:01.2.3.4",
    "::1.2.3.4", "1::1.2.3.4", "::ffff:1.2.3", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
    "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9", "12345::", "00000::", "FFFF::", "ffff::", "0:0:0:0:0:0:0:0",
    ":1::", ":::", "1::2::3", "1:::2", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "::ffff:1.2.3.4%x",
    "0000:0000:0000:0000:0000:0000:255.255.255.255", "g::1", "1:2:3:4:5:6:7:8%eth0",
    "\ud800", "::\ud800", "1.2.3.4\n",
]  # fmt: skip


def ip_address_accepts(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True


def check_ip_accepts(value: str) -> bool:
    try:
        _check_ip(value)
    except ValueError:
        return False
    return True


def random_ips(count: int) -> list[str]:
    rng = random.Random(20261125)
    alphabet = "0123456789abcdefABCDEF:.%"
    found = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 20))) for _ in range(count)
    ]
    for _ in range(count):
        parts = [str(rng.choice([0, 1, 9, 10, 99, 100, 255, 256, 999])) for _ in range(4)]
        if rng.random() < 0.3:
            parts[rng.randrange(4)] = "0" + parts[0]
        text = ".".join(parts[: rng.choice([3, 4, 4, 4, 5])])
        found += [text, "::ffff:" + text, "64:ff9b::" + text]
    return found


def test_ip_check_accepts_exactly_what_ip_address_accepts() -> None:
    for value in TRICKY_IPS + random_ips(3000):
        assert check_ip_accepts(value) == ip_address_accepts(value), value
        if _inet_pton_accepts(value):
            assert ip_address_accepts(value), value


def reference_format(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    base = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    return f"{base}.{m.microsecond:06d}Z" if m.microsecond else f"{base}Z"


def test_format_time_writes_four_digit_years_that_read_back() -> None:
    rng = random.Random(7)
    zones = [UTC, timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-12))]
    moments = [datetime(1, 1, 2, tzinfo=UTC), datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=UTC)]
    for _ in range(20000):
        moments.append(
            datetime(
                rng.randrange(2, 10000),
                rng.randrange(1, 13),
                rng.randrange(1, 29),
                rng.randrange(24),
                rng.randrange(60),
                rng.randrange(60),
                rng.choice([0, 1, 999999, rng.randrange(1_000_000)]),
                tzinfo=rng.choice(zones),
            )
        )
    for moment in moments:
        text = format_time(moment)
        assert text == reference_format(moment), moment
        assert datetime.fromisoformat(text) == moment


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONTEXT = {"now": NOW, "max_future_skew": timedelta(minutes=5)}
MODELS = TypeAdapter(list[EventIn])


def variants() -> list[Any]:
    """Valid and invalid events: every optional part present, absent, null or wrong."""
    full = event(
        time="2026-11-25T11:00:00.5+02:00",
        category="trade",
        outcome="success",
        actor={
            "type": "service",
            "id": "svc-1",
            "name": "Svc",
            "email": "svc@example.com",
            "ip": "fe80::1%eth0",
            "user_agent": "ua",
            "session_id": "s",
        },
        targets=[{"type": "order", "id": "o-1"}, {"type": "order", "id": "o-2", "name": "n"}],
        source={"app": "a", "service": "s", "environment": "e", "version": "1"},
        context={"request_id": "r", "trace_id": "t"},
        changes={"before": {"a": [1, None, {"b": 2.5}]}, "after": None},
        description="d",
        metadata={"k": "v", "n": None, "deep": {"x": [True, False]}},
    )
    minimal = {"time": "2026-11-25T12:00:00Z", "action": "a", "actor": {"id": "x"}}
    found: list[Any] = [full, minimal, event(), "not an object", None, [], 5]
    for name in list(full):
        without = dict(full)
        del without[name]
        found.append(without)
        for value in (None, "", "x" * 3000, 1, [], {}, {"id": "x"}, [{"type": "t"}]):
            found.append({**full, name: value})
    for part in ("actor", "source", "context", "changes"):
        for key in ("id", "app", "request_id", "before", "extra"):
            for value in (None, "", 2**60, "x" * 300, {"a": 1}):
                found.append({**full, part: {**full[part], key: value}})
    for ip in ("1.2.3.4", "01.2.3.4", "::1", "1.2.3", None, 5):
        found.append({**minimal, "actor": {"id": "x", "ip": ip}})
    for when in ("2026-11-25T12:04:59Z", "2026-11-25T12:05:01Z", "2026-11-25 12:00:00Z", "x"):
        found.append({**minimal, "time": when})
    found.append({**minimal, "id": "D23F0824128B4F338C5C7FD0A6A3A450"})
    found.append({**minimal, "metadata": {"k": 2**53}})
    found.append({**minimal, "metadata": {str(i): i for i in range(101)}})
    found.append({**minimal, "changes": {"before": 1e308 * 10}})
    return found


def outcome(validate: Any) -> tuple[str, Any]:
    try:
        return "ok", validate()
    except ValidationError as exc:
        return "invalid", exc.errors(include_url=False, include_context=False)


def same_ids(fast: list[dict[str, Any]], slow: list[EventIn]) -> None:
    for f, s in zip(fast, slow, strict=True):
        if "id" not in f or f["id"] != s.id:  # generated ids differ: compare the rest
            f["id"] = s.id


@pytest.mark.parametrize("raw", variants())
def test_field_dicts_accept_what_the_models_accept_with_the_same_document(raw: Any) -> None:
    fast = outcome(lambda: EVENT_FIELDS_LIST.validate_python([raw], context=CONTEXT))
    slow = outcome(lambda: MODELS.validate_python([raw], context=CONTEXT))
    assert fast[0] == slow[0]
    if fast[0] == "ok":
        same_ids(fast[1], slow[1])
        assert [event_document(f) for f in fast[1]] == [e.document() for e in slow[1]]
        assert [list(event_document(f)) for f in fast[1]] == [list(e.document()) for e in slow[1]]
    text = orjson.dumps(raw)
    fast = outcome(lambda: [EVENT_FIELDS.validate_json(text, context=CONTEXT)])
    slow = outcome(lambda: [EventIn.model_validate_json(text, context=CONTEXT)])
    assert fast[0] == slow[0]
    if fast[0] == "ok":
        same_ids(fast[1], slow[1])
        assert orjson.dumps([event_document(f) for f in fast[1]]) == orjson.dumps(
            [e.document() for e in slow[1]]
        )
