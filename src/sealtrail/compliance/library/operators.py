"""The leaf operators of the condition language: how each tests a value and reads aloud."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final


class _Missing:
    """The value of a path that does not resolve (absent key, or a null parent)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
_MAX_SHOWN = 160  # characters of a value quoted in a details string


def show(value: Any) -> str:
    """A value as JSON, shortened for a details string."""
    if value is MISSING:
        return "absent"
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    if len(text) <= _MAX_SHOWN:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "an object with keys " + ", ".join(sorted(map(str, value)))
    return text[: _MAX_SHOWN - 1] + "…"


@dataclass(frozen=True)
class Operator:
    """A leaf operator: its test, its reading, and what its operand must be."""

    name: str
    test: Callable[[Any, Any, datetime], bool]
    describe: Callable[[Any], str]
    check: Callable[[Any], str | None]  # a problem with the operand, or None
    restate: bool = True  # whether a passing value's reason repeats the test


def _same(a: Any, b: Any) -> bool:
    # YAML `true` must not equal 1, nor `1` equal true.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _contains(value: Any, item: Any) -> bool:
    if isinstance(value, list):
        return any(_same(v, item) for v in value)
    return isinstance(value, str) and isinstance(item, str) and item in value


def _age(value: Any, now: datetime) -> timedelta | None:
    moment = _timestamp(value)
    return None if moment is None else now - moment


def _older(value: Any, days: Any, now: datetime) -> bool:
    age = _age(value, now)
    return age is not None and age > timedelta(days=days)


def _newer(value: Any, days: Any, now: datetime) -> bool:
    age = _age(value, now)
    return age is not None and age <= timedelta(days=days)


def _any_operand(_: Any) -> str | None:
    return None


def _number_operand(value: Any) -> str | None:
    return None if _number(value) else f"expected a number, got {show(value)}"


def _days_operand(value: Any) -> str | None:
    if _number(value) and value >= 0:
        return None
    return f"expected a number of days (≥ 0), got {show(value)}"


def _list_operand(value: Any) -> str | None:
    return None if isinstance(value, list) else f"expected a list, got {show(value)}"


def _true_operand(value: Any) -> str | None:
    return None if value is True else f"takes no operand: write `true`, got {show(value)}"


def _null(value: Any) -> bool:
    return value is MISSING or value is None


def _present(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any, datetime], bool]:
    """A test that an absent value never satisfies (and that ignores the clock)."""

    def guarded(value: Any, operand: Any, now: datetime) -> bool:
        return value is not MISSING and test(value, operand)

    return guarded


def _numeric(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any, datetime], bool]:
    """A comparison that only numbers (not booleans, not null) can satisfy."""

    def guarded(value: Any, operand: Any, now: datetime) -> bool:
        return _number(value) and test(value, operand)

    return guarded


def _unary(test: Callable[[Any], bool]) -> Callable[[Any, Any, datetime], bool]:
    """A test of the value alone (its operand is always `true`)."""

    def unary(value: Any, operand: Any, now: datetime) -> bool:
        return test(value)

    return unary


_OPERATORS = [
    Operator("eq", _present(_same), lambda o: f"= {show(o)}", _any_operand, restate=False),
    Operator("ne", _present(lambda v, o: not _same(v, o)), lambda o: f"≠ {show(o)}", _any_operand),
    Operator("lt", _numeric(lambda v, o: v < o), lambda o: f"< {o}", _number_operand),
    Operator("lte", _numeric(lambda v, o: v <= o), lambda o: f"≤ {o}", _number_operand),
    Operator("gt", _numeric(lambda v, o: v > o), lambda o: f"> {o}", _number_operand),
    Operator("gte", _numeric(lambda v, o: v >= o), lambda o: f"≥ {o}", _number_operand),
    Operator(
        "in",
        _present(lambda v, o: any(_same(v, x) for x in o)),
        lambda o: f"one of {show(o)}",
        _list_operand,
    ),
    Operator(
        "not_in",
        _present(lambda v, o: not any(_same(v, x) for x in o)),
        lambda o: f"none of {show(o)}",
        _list_operand,
    ),
    Operator("contains", _present(_contains), lambda o: f"contains {show(o)}", _any_operand),
    Operator(
        "exists",
        _unary(lambda v: v is not MISSING),
        lambda o: "present",
        _true_operand,
        restate=False,
    ),
    Operator("is_null", _unary(_null), lambda o: "null", _true_operand, restate=False),
    Operator(
        "not_null",
        _unary(lambda v: not _null(v)),
        lambda o: "not null",
        _true_operand,
        restate=False,
    ),
    Operator(
        "truthy",
        _unary(lambda v: v is not MISSING and bool(v)),
        lambda o: "truthy",
        _true_operand,
        restate=False,
    ),
    Operator(
        "falsy",
        _unary(lambda v: v is MISSING or not v),
        lambda o: "falsy",
        _true_operand,
        restate=False,
    ),
    Operator("older_than_days", _older, lambda o: f"older than {o} days", _days_operand),
    Operator("newer_than_days", _newer, lambda o: f"within the last {o} days", _days_operand),
]

OPERATORS: Final[dict[str, Operator]] = {op.name: op for op in _OPERATORS}
