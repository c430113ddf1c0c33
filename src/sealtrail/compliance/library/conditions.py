"""The condition language: a declarative, side-effect-free test over a resource's `config`.

A condition is plain data (parsed from YAML) compiled once into a small tree of nodes.
Nothing is ever evaluated as code. See docs/compliance.md for the reference.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sealtrail.compliance.library.operators import MISSING, OPERATORS, Operator, show

COMBINATORS = ("all", "any", "not")
QUANTIFIERS = ("any_item", "all_items", "no_item")
# How many matching (or failing) list items a details string names before summarising.
_MAX_ITEMS_SHOWN = 3


class ConditionError(ValueError):
    """A condition that does not follow the language; `where` locates the bad part."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


class FieldUnavailable(Exception):
    """A field the check needs was not collected; the evaluation becomes ERROR."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} could not be collected: {reason}")
        self.field = field
        self.reason = reason


class Condition(ABC):
    """A compiled condition node."""

    text: str  # a static, human-readable rendering of the condition

    @abstractmethod
    def holds(self, doc: Any, now: datetime) -> bool:
        """Whether the condition holds for `doc`."""

    @abstractmethod
    def success(self, doc: Any, now: datetime) -> str:
        """Why the condition holds (call only when it does)."""

    @abstractmethod
    def failure(self, doc: Any, now: datetime) -> str:
        """Why the condition does not hold (call only when it does not)."""

    @abstractmethod
    def paths(self) -> frozenset[str]:
        """The dotted paths this node reads, relative to the document it is given."""


class Leaf(Condition):
    """A test of one operator on the value at a dotted path."""

    def __init__(self, path: str, operator: Operator, expected: Any) -> None:
        self.path = path
        self._parts = tuple(path.split("."))
        self._expected = expected
        self._test = operator.test
        self._wanted = operator.describe(expected)
        self._restate = operator.restate
        self.text = f"{path} {self._wanted}"

    def _value(self, doc: Any) -> Any:
        return resolve(doc, self._parts)

    def holds(self, doc: Any, now: datetime) -> bool:
        """Whether the operator accepts the value at the path."""
        return self._test(self._value(doc), self._expected, now)

    def success(self, doc: Any, now: datetime) -> str:
        """The value (and the test it met, when that adds something)."""
        actual = self._actual(doc)
        return f"{actual} ({self._wanted})" if self._restate else actual

    def failure(self, doc: Any, now: datetime) -> str:
        """The value and the test it missed."""
        return f"{self._actual(doc)}, expected {self._wanted}"

    def _actual(self, doc: Any) -> str:
        value = self._value(doc)
        if value is not MISSING:
            return f"{self.path} is {show(value)}"
        return f"{self.path} is absent ({_why_absent(doc, self._parts)})"

    def paths(self) -> frozenset[str]:
        """Only this leaf's path."""
        return frozenset((self.path,))


class AllOf(Condition):
    """Holds when every child holds."""

    def __init__(self, children: list[Condition]) -> None:
        self.children = children
        self.text = "(" + " and ".join(c.text for c in children) + ")"

    def holds(self, doc: Any, now: datetime) -> bool:
        """Every child holds."""
        return all(c.holds(doc, now) for c in self.children)

    def success(self, doc: Any, now: datetime) -> str:
        """Every child's reason."""
        return " and ".join(c.success(doc, now) for c in self.children)

    def failure(self, doc: Any, now: datetime) -> str:
        """The reasons of every child that does not hold."""
        return "; ".join(c.failure(doc, now) for c in self.children if not c.holds(doc, now))

    def paths(self) -> frozenset[str]:
        """The union of the children's paths."""
        return frozenset().union(*(c.paths() for c in self.children))


class AnyOf(Condition):
    """Holds when at least one child holds."""

    def __init__(self, children: list[Condition]) -> None:
        self.children = children
        self.text = "(" + " or ".join(c.text for c in children) + ")"

    def holds(self, doc: Any, now: datetime) -> bool:
        """Some child holds."""
        return any(c.holds(doc, now) for c in self.children)

    def success(self, doc: Any, now: datetime) -> str:
        """The reason of the first child that holds."""
        return next(c.success(doc, now) for c in self.children if c.holds(doc, now))

    def failure(self, doc: Any, now: datetime) -> str:
        """Every child's reason, since none holds."""
        reasons = [c.failure(doc, now) for c in self.children]
        return reasons[0] if len(reasons) == 1 else "none of [" + " | ".join(reasons) + "]"

    def paths(self) -> frozenset[str]:
        """The union of the children's paths."""
        return frozenset().union(*(c.paths() for c in self.children))


class Negation(Condition):
    """Holds when its child does not."""

    def __init__(self, child: Condition) -> None:
        self.child = child
        self.text = f"not {child.text}"

    def holds(self, doc: Any, now: datetime) -> bool:
        """The child does not hold."""
        return not self.child.holds(doc, now)

    def success(self, doc: Any, now: datetime) -> str:
        """Why the child does not hold."""
        return self.child.failure(doc, now)

    def failure(self, doc: Any, now: datetime) -> str:
        """Why the child holds, which it must not."""
        return f"{self.child.success(doc, now)}, which must not hold"

    def paths(self) -> frozenset[str]:
        """The child's paths."""
        return self.child.paths()


class Quantifier(Condition):
    """`any_item`, `all_items` or `no_item`: a condition tested on each item of a list."""

    def __init__(self, path: str, kind: str, item: Condition) -> None:
        self.path = path
        self.kind = kind
        self.item = item
        self._parts = tuple(path.split("."))
        self.text = f"{path} {kind.replace('_', ' ')} {item.text}"

    def _items(self, doc: Any) -> list[Any] | None:
        value = resolve(doc, self._parts)
        if value is MISSING or value is None:
            return []
        return value if isinstance(value, list) else None

    def holds(self, doc: Any, now: datetime) -> bool:
        """Whether the list satisfies the quantifier (a non-list never does)."""
        items = self._items(doc)
        if items is None:
            return False
        if self.kind == "any_item":
            return any(self.item.holds(i, now) for i in items)
        if self.kind == "all_items":
            return all(self.item.holds(i, now) for i in items)
        return not any(self.item.holds(i, now) for i in items)

    def success(self, doc: Any, now: datetime) -> str:
        """The matching item (any_item) or a summary (all_items, no_item)."""
        items = self._items(doc) or []
        if self.kind == "any_item":
            index, item = next((n, i) for n, i in enumerate(items) if self.item.holds(i, now))
            return f"{self._label(index, item)}: {self.item.success(item, now)}"
        if not items:
            return f"{self.path} is empty"
        verb = "satisfy" if self.kind == "all_items" else "match none of"
        return f"all {len(items)} items of {self.path} {verb} {self.item.text}"

    def failure(self, doc: Any, now: datetime) -> str:
        """The offending items, or why no item matches."""
        items = self._items(doc)
        if items is None:
            return f"{self.path} is {show(resolve(doc, self._parts))}, expected a list"
        if self.kind == "any_item":
            what = "is empty" if not items else f"has no item where {self.item.text}"
            return f"{self.path} {what}"
        if self.kind == "all_items":
            bad = [(n, i) for n, i in enumerate(items) if not self.item.holds(i, now)]
            reasons = [f"{self._label(n, i)}: {self.item.failure(i, now)}" for n, i in bad]
        else:
            bad = [(n, i) for n, i in enumerate(items) if self.item.holds(i, now)]
            reasons = [f"{self._label(n, i)} matches: {self.item.success(i, now)}" for n, i in bad]
        shown = "; ".join(reasons[:_MAX_ITEMS_SHOWN])
        more = len(reasons) - _MAX_ITEMS_SHOWN
        return shown + (f"; and {more} more" if more > 0 else "")

    def _label(self, index: int, item: Any) -> str:
        label = f"{self.path}[{index}]"
        if isinstance(item, Mapping):
            name = item.get("id") or item.get("name")
            if isinstance(name, str):
                label += f" ({name})"
        return label

    def paths(self) -> frozenset[str]:
        """The list's path; item paths are relative to each item."""
        return frozenset((self.path,))


def resolve(doc: Any, parts: tuple[str, ...]) -> Any:
    """The value at a dotted path (`MISSING` when a key is absent or a parent is null)."""
    value = doc
    for part in parts:
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def _why_absent(doc: Any, parts: tuple[str, ...]) -> str:
    for n in range(1, len(parts) + 1):
        value = resolve(doc, parts[:n])
        if value is MISSING:
            parent = resolve(doc, parts[: n - 1])
            where = ".".join(parts[: n - 1])
            if n > 1 and not isinstance(parent, Mapping | list):
                return f"{where} is {show(parent)}"
            return f"no {parts[n - 1]!r}" + (f" in {where}" if where else "")
    return "absent"


def blocked_by(paths: frozenset[str], unavailable: Mapping[str, str]) -> FieldUnavailable | None:
    """The error to report when one of `paths` reads, or lies under, an unavailable field."""
    for field, reason in unavailable.items():
        for path in paths:
            if path == field or path.startswith(field + ".") or field.startswith(path + "."):
                return FieldUnavailable(field, reason)
    return None


def compile_condition(spec: Any, where: str = "") -> Condition:
    """Compile a condition from its data form; raises ConditionError naming the bad part."""
    if not isinstance(spec, Mapping) or not spec:
        raise ConditionError(where, f"a condition must be a non-empty mapping, got {show(spec)}")
    keys = {str(k) for k in spec}
    combinator = keys & set(COMBINATORS)
    if combinator:
        if len(keys) != 1:
            raise ConditionError(where, f"{sorted(keys)}: a combinator must be the only key")
        return _compile_combinator(next(iter(combinator)), spec, where)
    if "path" not in spec:
        raise ConditionError(
            where, f"unknown condition keys {sorted(keys)}: expected all/any/not or a path test"
        )
    path = spec["path"]
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise ConditionError(_at(where, "path"), f"{show(path)} is not a dotted path")
    ops = keys - {"path"}
    if len(ops) != 1:
        raise ConditionError(
            where, f"a path test needs exactly one operator, got {sorted(ops) or 'none'}"
        )
    op = next(iter(ops))
    if op in QUANTIFIERS:
        return Quantifier(path, op, compile_condition(spec[op], _at(where, op)))
    operator = OPERATORS.get(op)
    if operator is None:
        known = ", ".join(sorted([*OPERATORS, *QUANTIFIERS]))
        raise ConditionError(_at(where, op), f"unknown operator {op!r} (known: {known})")
    value = spec[op]
    problem = operator.check(value)
    if problem:
        raise ConditionError(_at(where, op), problem)
    return Leaf(path, operator, value)


def _compile_combinator(name: str, spec: Mapping[str, Any], where: str) -> Condition:
    body = spec[name]
    here = _at(where, name)
    if name == "not":
        return Negation(compile_condition(body, here))
    if not isinstance(body, list) or not body:
        raise ConditionError(here, f"{name} takes a non-empty list of conditions")
    children = [compile_condition(c, f"{here}[{n}]") for n, c in enumerate(body)]
    return AllOf(children) if name == "all" else AnyOf(children)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
