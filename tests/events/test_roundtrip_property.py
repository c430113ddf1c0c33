"""Whatever ingest accepts is stored and read back as sent; whatever it refuses is a 4xx.

Events are drawn over the whole schema (extreme times and offsets, unicode, numbers at
and beyond the I-JSON limits, nested metadata), sent over HTTP in one of the three body
forms, stored by the worker and read back with `GET /api/v1/audit/events/{id}`. A naive
reference says which events are valid: those must be accepted and come back equal (the
numbers with their type and value, the time as the same instant in UTC); the others must
be refused with a 4xx, never a 5xx.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import drain

URL = "/api/v1/audit/events"
LIMIT = 2**53 - 1
ACTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9][A-Za-z0-9_\-]*)*")

# Times are drawn around the time the module was loaded: data drawn must not depend on
# the clock (hypothesis replays examples).
NOW = datetime.now(UTC)
SKEW = timedelta(minutes=5)
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def strings(max_size: int) -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=1, max_size=max_size)


@st.composite
def times(draw: st.DrawFn) -> tuple[str, datetime | None]:
    """An RFC 3339 time and the UTC instant it names (None when no year 1-9999 has it)."""
    now = NOW.replace(tzinfo=None)
    local = draw(
        st.one_of(
            st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1000, 1, 1)),
            st.datetimes(min_value=now - timedelta(days=3650), max_value=now),
            # Past the 5 minutes allowed, however long the test runs (not 5 minutes).
            st.datetimes(min_value=now + timedelta(minutes=10), max_value=now + timedelta(days=2)),
            st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999)]),
        )
    )
    digits = draw(st.text("0123456789", max_size=9))
    local = local.replace(microsecond=int(digits[:6].ljust(6, "0")) if digits else 0)
    minutes = draw(st.one_of(st.just(0), st.integers(-(23 * 60 + 59), 23 * 60 + 59)))
    if minutes == 0 and draw(st.booleans()):
        suffix = "Z"
    else:
        sign = "-" if minutes < 0 else "+"
        suffix = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    text = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T"
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
        + (f".{digits}" if digits else "")
        + suffix
    )
    try:
        instant = local.replace(tzinfo=timezone(timedelta(minutes=minutes))).astimezone(UTC)
    except OverflowError:
        instant = None
    # Up to 5 minutes ahead is accepted; just past that, the server's clock decides.
    assume(instant is None or not SKEW < instant - NOW < SKEW + timedelta(minutes=10))
    return text, instant


NUMBERS = st.one_of(
    st.integers(-LIMIT, LIMIT),
    st.sampled_from([LIMIT, -LIMIT, LIMIT + 1, 2**63, 2**64 + 1, -(2**64) - 1, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(CHARS, max_size=20))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(CHARS, max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def json_ok(value: Any, max_depth: int, depth: int = 1) -> bool:
    """The reference: containers nested at most `max_depth` deep, I-JSON integers."""
    if isinstance(value, bool) or value is None or isinstance(value, float | str):
        return True
    if isinstance(value, int):
        return -LIMIT <= value <= LIMIT
    if depth > max_depth:
        return False
    children = value.values() if isinstance(value, dict) else value
    return all(json_ok(child, max_depth, depth + 1) for child in children)


def key_count(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(key_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(key_count(v) for v in value)
    return 0


@st.composite
def events(draw: st.DrawFn) -> tuple[dict[str, Any], bool, datetime | None]:
    """An event, whether the reference finds it valid, and the instant of its time."""
    time_text, instant = draw(times())
    if draw(st.integers(0, 9)):
        action = draw(st.from_regex(ACTION, fullmatch=True).filter(lambda a: len(a) <= 200))
    else:
        action = draw(st.sampled_from(["user.login\n", "user..login", ".user", "a b", ""]))
    ev: dict[str, Any] = {
        "time": time_text,
        "action": action,
        "actor": {"id": draw(strings(256))},
    }
    optional = {
        "category": strings(128),
        "outcome": st.sampled_from(["success", "failure", "unknown"]),
        "targets": st.lists(
            st.fixed_dictionaries({"type": strings(128), "id": strings(256)}), max_size=3
        ),
        "source": st.fixed_dictionaries({"app": strings(128)}, optional={"version": strings(128)}),
        "context": st.fixed_dictionaries({}, optional={"request_id": strings(256)}),
        "changes": st.fixed_dictionaries(
            {}, optional={"before": JSON_VALUES, "after": JSON_VALUES}
        ),
        "description": st.text(CHARS, max_size=200),
        "metadata": st.dictionaries(st.text(CHARS, max_size=8), JSON_VALUES, max_size=4),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            ev[name] = draw(strategy)
    for name, strategy in {
        "type": strings(128),
        "name": strings(256),
        "email": st.sampled_from(["a@example.com", "Zoë.o'Neil@Example.ORG"]),
        "ip": st.ip_addresses().map(str),
        "user_agent": strings(1024),
    }.items():
        if draw(st.booleans()):
            ev["actor"][name] = draw(strategy)
    valid = (
        instant is not None
        and instant - NOW <= SKEW
        and ACTION.fullmatch(action) is not None
        and len(action) <= 200
        and json_ok(ev.get("metadata", {}), 5)
        and key_count(ev.get("metadata", {})) <= 100
        and all(json_ok(v, 10) for v in ev.get("changes", {}).values())
    )
    return ev, valid, instant


def body_of(sent: list[dict[str, Any]], form: str, ascii_only: bool) -> tuple[bytes, str]:
    """The request body in one of the three forms, written by a producer's own JSON."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=ascii_only)

    if form == "object":
        return dump(sent[0]).encode(), "application/json"
    if form == "array":
        return dump(sent).encode(), "application/json"
    return "\n".join(dump(e) for e in sent).encode(), "application/x-ndjson"


def same_json(a: Any, b: Any) -> bool:
    """Equal with the same types (1 is not 1.0) and the same float values (-0.0 is kept)."""
    return orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        b, option=orjson.OPT_SORT_KEYS
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=st.lists(events(), min_size=1, max_size=3),
    form=st.sampled_from(["object", "array", "ndjson"]),
    ascii_only=st.booleans(),
)
def test_what_ingest_accepts_is_read_back_as_sent_and_the_rest_is_a_4xx(
    client, runtime, tenant, drawn, form, ascii_only
):
    if form == "object":
        drawn = drawn[:1]
    sent = [{"id": str(uuid.uuid4()), **ev} for ev, _, _ in drawn]
    body, ctype = body_of(sent, form, ascii_only)
    r = client.post(URL, content=body, headers={**tenant.auth("ingest"), "content-type": ctype})
    assert r.status_code < 500, r.text
    if not all(valid for _, valid, _ in drawn):
        assert r.status_code in (400, 409, 422), r.text
        return
    assert r.status_code == 202, r.text
    drain(runtime)
    assert runtime.queue.dead_letters(tenant_id=tenant.id) == []
    for ev, (_, _, instant) in zip(sent, drawn, strict=True):
        got = client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read"))
        assert got.status_code == 200, got.text
        stored = got.json()
        assert instant is not None
        assert datetime.fromisoformat(stored["time"]) == instant
        assert stored["time"].endswith("Z")
        assert stored["action"] == ev["action"]
        assert stored["tenant"] == tenant.name
        for name in ("category", "targets", "source", "context", "description", "metadata"):
            if name in ev and not (name == "targets" and not ev[name]):
                assert same_json(stored[name], ev[name]), name
        if "changes" in ev:
            for part in ("before", "after"):
                assert same_json(stored["changes"][part], ev["changes"].get(part)), part
        assert stored["actor"] == {"type": "user", **ev["actor"]}
