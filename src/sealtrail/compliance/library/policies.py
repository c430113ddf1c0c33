"""Reading IAM-style JSON policy documents (identity policies and S3 bucket policies).

AWS accepts several shapes for the same thing (a statement or a list of them, an action
as a string or a list, a principal as "*" or {"AWS": [...]}); these helpers flatten them
so the hooks can ask simple questions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# Condition keys that pin a request to a known caller or network: an Allow to "*" that
# requires one of them (with a fixed value) is not open to the public.
RESTRICTING_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceip",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:userid",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
    }
)
# Operators that admit only the listed values; negated ones (StringNotEquals ...) and
# the ...IfExists forms let requests without the key through, so they restrict nothing.
_RESTRICTING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
_OPEN_NETWORKS = frozenset({"0.0.0.0/0", "::/0"})


def parse_document(document: Any) -> Mapping[str, Any] | None:
    """A policy document as a mapping (JSON text is parsed); None when there is none."""
    if document is None:
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return None
    return document if isinstance(document, Mapping) else None


def statements(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Each statement with a label (its Sid, or its position)."""
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    labelled = []
    for index, statement in enumerate(items):
        if isinstance(statement, Mapping):
            sid = statement.get("Sid")
            labelled.append((f"{sid!r}" if sid else f"#{index}", statement))
    return labelled


def as_list(value: Any) -> list[Any]:
    """A policy element that may be a single value or a list, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def effect(statement: Mapping[str, Any]) -> str:
    """The statement's Effect, normalised to "Allow" or "Deny"."""
    return str(statement.get("Effect", "")).capitalize()


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal value of the statement (AWS, Service, Federated, ...), flattened."""
    return _flatten_principal(statement.get("Principal"))


def _flatten_principal(principal: Any) -> list[str]:
    if isinstance(principal, Mapping):
        return [str(p) for value in principal.values() for p in as_list(value)]
    return [str(p) for p in as_list(principal)]


def is_everyone(statement: Mapping[str, Any]) -> bool:
    """Whether the statement applies to any principal at all.

    True for a Principal of "*" or {"AWS": "*"} (alone or in a list), and for any
    NotPrincipal: "everyone except these" is still everyone else.
    """
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        return "*" in [str(p) for p in as_list(principal.get("AWS"))]
    return "*" in _flatten_principal(principal)


def has_restricting_condition(statement: Mapping[str, Any]) -> bool:
    """Whether the Condition pins callers to fixed accounts, organisations or networks."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        name = str(operator).lower().split(":")[-1]  # drop ForAnyValue:/ForAllValues:
        if name not in _RESTRICTING_OPERATORS or not isinstance(tests, Mapping):
            continue
        for key, values in tests.items():
            if str(key).lower() in RESTRICTING_KEYS and _fixed(as_list(values)):
                return True
    return False


def _fixed(values: list[Any]) -> bool:
    texts = [str(v) for v in values]
    return bool(texts) and not any("*" in t or t in _OPEN_NETWORKS for t in texts)


def actions(statement: Mapping[str, Any]) -> list[str]:
    """The statement's Action values, as strings (empty when it uses NotAction)."""
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: Mapping[str, Any]) -> list[str]:
    """The statement's Resource values, as strings (empty when it uses NotResource)."""
    return [str(r) for r in as_list(statement.get("Resource"))]


def matches(pattern: str, value: str) -> bool:
    """IAM wildcard matching: `*` is any run of characters, `?` is one; case-sensitive."""
    return _wildcard(pattern).fullmatch(value) is not None


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(".".join(map(re.escape, p.split("?"))) for p in pattern.split("*")))
