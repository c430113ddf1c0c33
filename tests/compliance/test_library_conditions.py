"""The condition language: every operator, combinator and quantifier, with its details."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sealtrail.compliance.library.conditions import (
    ConditionError,
    FieldUnavailable,
    blocked_by,
    compile_condition,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DOC: dict[str, Any] = {
    "name": "prod-data",
    "size": 14,
    "ratio": 0.5,
    "enabled": True,
    "zero": 0,
    "none": None,
    "tags": ["pci", "prod"],
    "empty": [],
    "policy": {"minimum_length": 8, "max_age_days": None},
    "created": "2025-01-01T00:00:00Z",
    "recent": "2025-05-30T12:00:00+00:00",
    "naive": "2025-05-30T12:00:00",
    "garbage": "last tuesday",
}


def holds(spec: dict[str, Any], doc: Any = DOC, now: datetime = NOW) -> bool:
    return compile_condition(spec).holds(doc, now)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"path": "size", "eq": 14}, True),
        ({"path": "size", "eq": 15}, False),
        ({"path": "enabled", "eq": True}, True),
        ({"path": "zero", "eq": False}, False),  # booleans never equal numbers
        ({"path": "enabled", "eq": 1}, False),
        ({"path": "none", "eq": None}, True),
        ({"path": "missing", "eq": None}, False),  # absent is not null for eq
        ({"path": "name", "ne": "dev"}, True),
        ({"path": "name", "ne": "prod-data"}, False),
        ({"path": "missing", "ne": "x"}, False),  # absent values satisfy no comparison
        ({"path": "size", "lt": 15}, True),
        ({"path": "size", "lt": 14}, False),
        ({"path": "size", "lte": 14}, True),
        ({"path": "size", "lte": 13}, False),
        ({"path": "size", "gt": 13}, True),
        ({"path": "size", "gt": 14}, False),
        ({"path": "size", "gte": 14}, True),
        ({"path": "ratio", "gte": 0.6}, False),
        ({"path": "none", "gte": 0}, False),  # null is not a number
        ({"path": "enabled", "gte": 0}, False),  # nor is a boolean
        ({"path": "name", "gt": 0}, False),
        ({"path": "name", "in": ["prod-data", "x"]}, True),
        ({"path": "name", "in": ["x"]}, False),
        ({"path": "enabled", "in": [1]}, False),
        ({"path": "name", "not_in": ["x"]}, True),
        ({"path": "name", "not_in": ["prod-data"]}, False),
        ({"path": "missing", "not_in": ["x"]}, False),
        ({"path": "tags", "contains": "pci"}, True),
        ({"path": "tags", "contains": "dev"}, False),
        ({"path": "name", "contains": "prod"}, True),  # substring of a string
        ({"path": "size", "contains": 1}, False),
        ({"path": "none", "exists": True}, True),  # present, even though null
        ({"path": "missing", "exists": True}, False),
        ({"path": "policy.missing", "exists": True}, False),
        ({"path": "none", "is_null": True}, True),
        ({"path": "missing", "is_null": True}, True),
        ({"path": "policy.max_age_days", "is_null": True}, True),
        ({"path": "size", "is_null": True}, False),
        ({"path": "size", "not_null": True}, True),
        ({"path": "none", "not_null": True}, False),
        ({"path": "tags", "truthy": True}, True),
        ({"path": "empty", "truthy": True}, False),
        ({"path": "zero", "truthy": True}, False),
        ({"path": "missing", "truthy": True}, False),
        ({"path": "empty", "falsy": True}, True),
        ({"path": "missing", "falsy": True}, True),
        ({"path": "name", "falsy": True}, False),
        ({"path": "policy.minimum_length", "gte": 8}, True),
        ({"path": "tags.1", "eq": "prod"}, True),  # a numeric segment indexes a list
        ({"path": "tags.5", "exists": True}, False),
        ({"path": "name.length", "exists": True}, False),  # cannot walk into a string
    ],
)
def test_operator(spec: dict[str, Any], expected: bool) -> None:
    assert holds(spec) is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"path": "created", "older_than_days": 90}, True),
        ({"path": "created", "older_than_days": 200}, False),
        ({"path": "created", "newer_than_days": 200}, True),
        ({"path": "created", "newer_than_days": 90}, False),
        ({"path": "recent", "newer_than_days": 2}, True),
        ({"path": "recent", "older_than_days": 2}, False),
        ({"path": "recent", "newer_than_days": 1}, False),
        ({"path": "naive", "newer_than_days": 2}, True),  # no offset means UTC
        ({"path": "none", "older_than_days": 1}, False),  # null is neither old nor new
        ({"path": "none", "newer_than_days": 1}, False),
        ({"path": "garbage", "older_than_days": 1}, False),
        ({"path": "size", "newer_than_days": 1}, False),
    ],
)
def test_date_operators_use_the_injected_clock(spec: dict[str, Any], expected: bool) -> None:
    assert holds(spec) is expected


def test_date_boundary_exactly_n_days_is_within_not_older() -> None:
    doc = {"t": "2025-05-02T12:00:00Z"}  # exactly 30 days before NOW
    assert holds({"path": "t", "newer_than_days": 30}, doc)
    assert not holds({"path": "t", "older_than_days": 30}, doc)
    later = datetime(2025, 6, 1, 12, 0, 1, tzinfo=UTC)
    assert holds({"path": "t", "older_than_days": 30}, doc, later)


def test_combinators() -> None:
    yes, no = {"path": "size", "eq": 14}, {"path": "size", "eq": 0}
    assert holds({"all": [yes, yes]})
    assert not holds({"all": [yes, no]})
    assert holds({"any": [no, yes]})
    assert not holds({"any": [no, no]})
    assert holds({"not": no})
    assert not holds({"not": yes})
    assert holds({"not": {"all": [yes, {"not": yes}]}})


INGRESS = {
    "ingress": [
        {"protocol": "tcp", "from_port": 443, "ipv4_ranges": ["0.0.0.0/0"]},
        {"protocol": "-1", "from_port": None, "ipv4_ranges": ["0.0.0.0/0"]},
    ]
}
WIDE_OPEN = {
    "all": [{"path": "protocol", "eq": "-1"}, {"path": "ipv4_ranges", "contains": "0.0.0.0/0"}]
}


def test_quantifiers_apply_a_nested_condition_to_each_item() -> None:
    assert holds({"path": "ingress", "any_item": WIDE_OPEN}, INGRESS)
    assert not holds({"path": "ingress", "no_item": WIDE_OPEN}, INGRESS)
    assert not holds({"path": "ingress", "all_items": WIDE_OPEN}, INGRESS)
    assert holds({"path": "ingress", "all_items": {"path": "ipv4_ranges", "truthy": True}}, INGRESS)
    only_web = {"ingress": INGRESS["ingress"][:1]}
    assert holds({"path": "ingress", "no_item": WIDE_OPEN}, only_web)


def test_quantifiers_over_empty_null_absent_and_non_lists() -> None:
    for doc in ({"ingress": []}, {"ingress": None}, {}):
        assert holds({"path": "ingress", "no_item": WIDE_OPEN}, doc)
        assert holds({"path": "ingress", "all_items": WIDE_OPEN}, doc)
        assert not holds({"path": "ingress", "any_item": WIDE_OPEN}, doc)
    for kind in ("any_item", "all_items", "no_item"):
        assert not holds({"path": "ingress", kind: WIDE_OPEN}, {"ingress": "tcp"})


def test_quantifiers_nest() -> None:
    doc = {"groups": [{"rules": [{"port": 22}]}, {"rules": [{"port": 443}]}]}
    spec = {"path": "groups", "any_item": {"path": "rules", "any_item": {"path": "port", "eq": 22}}}
    assert holds(spec, doc)
    assert not holds(
        {**spec, "any_item": {"path": "rules", "no_item": {"path": "port", "lt": 1024}}}, doc
    )


def explain(spec: dict[str, Any], doc: Any = DOC) -> str:
    condition = compile_condition(spec)
    if condition.holds(doc, NOW):
        return "PASS: " + condition.success(doc, NOW)
    return "FAIL: " + condition.failure(doc, NOW)


def test_failure_details_name_the_path_the_actual_value_and_the_expectation() -> None:
    assert explain({"path": "policy.minimum_length", "gte": 14}) == (
        "FAIL: policy.minimum_length is 8, expected ≥ 14"
    )
    assert explain({"path": "name", "in": ["a", "b"]}) == (
        'FAIL: name is "prod-data", expected one of ["a", "b"]'
    )
    assert explain({"path": "created", "newer_than_days": 90}) == (
        'FAIL: created is "2025-01-01T00:00:00Z", expected within the last 90 days'
    )


def test_details_explain_why_a_path_is_absent() -> None:
    doc = {"password_policy": None}
    assert explain({"path": "password_policy.minimum_length", "gte": 14}, doc) == (
        "FAIL: password_policy.minimum_length is absent (password_policy is null), expected ≥ 14"
    )
    assert explain({"path": "policy.nope", "eq": 1}) == (
        "FAIL: policy.nope is absent (no 'nope' in policy), expected = 1"
    )


def test_combinator_details() -> None:
    both = {"all": [{"path": "size", "gte": 20}, {"path": "enabled", "eq": False}]}
    assert explain(both) == "FAIL: size is 14, expected ≥ 20; enabled is true, expected = false"
    either = {"any": [{"path": "size", "gte": 20}, {"path": "zero", "eq": 1}]}
    assert explain(either) == "FAIL: none of [size is 14, expected ≥ 20 | zero is 0, expected = 1]"
    assert explain({"not": {"path": "enabled", "eq": True}}) == (
        "FAIL: enabled is true, which must not hold"
    )
    assert explain({"any": [{"path": "zero", "eq": 1}, {"path": "size", "lt": 20}]}) == (
        "PASS: size is 14 (< 20)"
    )


def test_quantifier_details_name_the_offending_items() -> None:
    assert explain({"path": "ingress", "no_item": WIDE_OPEN}, INGRESS) == (
        'FAIL: ingress[1] matches: protocol is "-1" and ipv4_ranges is ["0.0.0.0/0"] '
        '(contains "0.0.0.0/0")'
    )
    keys = {"keys": [{"id": f"K{n}", "active": True} for n in range(5)]}
    details = explain({"path": "keys", "all_items": {"path": "active", "eq": False}}, keys)
    assert details.startswith("FAIL: keys[0] (K0): active is true, expected = false; keys[1] (K1)")
    assert details.endswith("; and 2 more")
    assert explain({"path": "empty", "any_item": WIDE_OPEN}) == "FAIL: empty is empty"
    assert explain({"path": "name", "all_items": WIDE_OPEN}) == (
        'FAIL: name is "prod-data", expected a list'
    )


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        ({"path": "size", "gtee": 14}, "gtee", "unknown operator 'gtee'"),
        ({"path": "size"}, "", "exactly one operator"),
        ({"path": "size", "gt": 1, "lt": 5}, "", "exactly one operator"),
        ({"path": "size", "gte": "14"}, "gte", "expected a number"),
        ({"path": "size", "gte": True}, "gte", "expected a number"),
        ({"path": "name", "in": "abc"}, "in", "expected a list"),
        ({"path": "none", "is_null": False}, "is_null", "write `true`"),
        ({"path": "created", "older_than_days": -1}, "older_than_days", "number of days"),
        ({"path": "a..b", "exists": True}, "path", "not a dotted path"),
        ({"path": 3, "exists": True}, "path", "not a dotted path"),
        ({"all": []}, "all", "non-empty list"),
        ({"any": {"path": "x", "exists": True}}, "any", "non-empty list"),
        ({"all": [{"path": "x", "exists": True}], "any": []}, "", "only key"),
        (
            {"all": [{"path": "x", "eq": 1}, {"path": "y", "ge": 1}]},
            "all[1].ge",
            "unknown operator",
        ),
        (
            {"not": {"path": "x", "any_item": {"path": "y", "bad": 1}}},
            "not.any_item.bad",
            "unknown",
        ),
        ({"frobnicate": 1}, "", "unknown condition keys"),
        ({"path": "x", 7: 1}, "7", "unknown operator '7'"),
        ({}, "", "non-empty mapping"),
    ],
)
def test_invalid_conditions_are_rejected_with_their_location(
    spec: dict[str, Any], where: str, message: str
) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(spec)
    assert caught.value.where == where
    assert message in str(caught.value)


def test_paths_are_the_top_level_fields_a_condition_reads() -> None:
    spec = {
        "all": [
            {"path": "policy.minimum_length", "gte": 14},
            {"not": {"path": "name", "eq": "x"}},
            {"path": "ingress", "no_item": {"path": "protocol", "eq": "-1"}},
        ]
    }
    assert compile_condition(spec).paths() == {"policy.minimum_length", "name", "ingress"}


@pytest.mark.parametrize(
    ("paths", "field", "blocked"),
    [
        ({"policy.minimum_length"}, "policy", True),  # reads under an unavailable field
        ({"policy"}, "policy.minimum_length", True),  # reads a field with an unavailable part
        ({"policy"}, "policy", True),
        ({"policy_name"}, "policy", False),  # a prefix of the name is not the field
        ({"name"}, "policy", False),
    ],
)
def test_blocked_by_unavailable_fields(paths: set[str], field: str, blocked: bool) -> None:
    error = blocked_by(frozenset(paths), {field: "AccessDenied"})
    assert (error is not None) is blocked
    if error is not None:
        assert isinstance(error, FieldUnavailable)
        assert str(error) == f"{field} could not be collected: AccessDenied"
