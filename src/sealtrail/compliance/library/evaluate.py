"""Judging an inventory against controls: one evaluation per control and resource."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sealtrail.compliance.inventory.model import GLOBAL, CollectionError, Inventory, Resource
from sealtrail.compliance.library.conditions import Condition, FieldUnavailable, blocked_by
from sealtrail.compliance.library.hooks import Hook
from sealtrail.compliance.library.models import Control, Library
from sealtrail.errors import NotFound

Status = Literal["PASS", "FAIL", "ERROR", "NOT_APPLICABLE"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The verdict of one control on one resource (or on a type and region it could not see)."""

    control_id: str
    resource_id: str
    resource_type: str
    region: str
    status: Status
    details: str
    evidence: dict[str, Any] | None


def evaluate(
    library: Library,
    inventory: Inventory,
    control_ids: Iterable[str] | None = None,
    *,
    now: datetime | None = None,
) -> list[Evaluation]:
    """Evaluate controls (all by default) against an inventory; at least one result each."""
    ids = sorted(library.controls) if control_ids is None else list(dict.fromkeys(control_ids))
    unknown = [cid for cid in ids if cid not in library.controls]
    if unknown:
        raise NotFound(f"unknown control ids: {', '.join(unknown)}", details=unknown)
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:  # a naive clock is read as UTC, like naive timestamps
        moment = moment.replace(tzinfo=UTC)
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for resource in inventory.resources:
        by_type[resource.type].append(resource)
    errors: dict[str, dict[str, list[CollectionError]]] = defaultdict(lambda: defaultdict(list))
    for error in inventory.errors:
        errors[error.resource_type][error.region].append(error)
    evidence: dict[int, dict[str, Any]] = {}
    results: list[Evaluation] = []
    for control_id in ids:
        control = library.controls[control_id]
        results.extend(
            _evaluate_control(
                control,
                inventory.account,
                by_type.get(control.resource_type, []),
                errors.get(control.resource_type, {}),
                moment,
                evidence,
            )
        )
    return results


def _evaluate_control(
    control: Control,
    account: str,
    resources: list[Resource],
    errors: dict[str, list[CollectionError]],
    now: datetime,
    evidence: dict[int, dict[str, Any]],
) -> list[Evaluation]:
    rtype = control.resource_type
    results = [
        Evaluation(
            control.id,
            f"{account}/{region}/{rtype}",
            rtype,
            region,
            "ERROR",
            "; ".join(f"{e.operation} failed: {e.reason}" for e in region_errors),
            None,
        )
        for region, region_errors in sorted(errors.items())
    ]
    judged = [r for r in resources if r.region not in errors]
    if not judged and not results:
        resource_id = f"{account}/{GLOBAL}/{rtype}"
        details = f"no {rtype} resource in the account"
        return [Evaluation(control.id, resource_id, rtype, GLOBAL, "NOT_APPLICABLE", details, None)]
    applies = control.applicability
    applies_paths = applies.paths() if applies else frozenset()
    check = control.check
    check_paths = check.reads if isinstance(check, Hook) else check.paths()
    for resource in judged:
        document = evidence.get(id(resource))
        if document is None:
            document = evidence[id(resource)] = resource.document()
        status, details = _judge(resource, applies, applies_paths, check, check_paths, now)
        results.append(
            Evaluation(control.id, resource.arn, rtype, resource.region, status, details, document)
        )
    return results


def _judge(
    resource: Resource,
    applies: Condition | None,
    applies_paths: frozenset[str],
    check: Condition | Hook,
    check_paths: frozenset[str],
    now: datetime,
) -> tuple[Status, str]:
    config = resource.config
    unavailable = resource.unavailable
    if applies is not None:
        blocked = blocked_by(applies_paths, unavailable) if unavailable else None
        if blocked is not None:
            return "ERROR", str(blocked)
        if not applies.holds(config, now):
            return "NOT_APPLICABLE", f"does not apply: {applies.failure(config, now)}"
    blocked = blocked_by(check_paths, unavailable) if unavailable else None
    if blocked is not None:
        return "ERROR", str(blocked)
    if isinstance(check, Hook):
        try:
            passed, details = check.function(resource)
        except FieldUnavailable as error:
            return "ERROR", str(error)
        return ("PASS" if passed else "FAIL"), details
    if check.holds(config, now):
        return "PASS", check.success(config, now)
    return "FAIL", check.failure(config, now)
