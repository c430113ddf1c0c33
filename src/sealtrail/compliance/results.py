"""What a finished scan writes, in one transaction: findings (current state), what this
scan saw of each (`scan_results`), the diff against the account's previous scan,
exceptions applied (MUTED), scores per framework, and the scan's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.compliance import exceptions
from sealtrail.compliance.inventory.model import AccountSpec, Inventory
from sealtrail.compliance.library import Evaluation, Library
from sealtrail.compliance.models import Finding, Scan, ScanResult, Score
from sealtrail.db.base import utcnow
from sealtrail.db.tenancy import bind_tenant

DIFF_LIST_LIMIT = 100


@dataclass
class ScanContext:
    """What one scan run needs, loaded once."""

    scan_id: int
    tenant_id: int
    tenant: str
    account: str
    spec: AccountSpec
    controls: list[str]
    framework: str | None
    requested_by: dict[str, Any]


def store_results(
    factory: sessionmaker[Session],
    ctx: ScanContext,
    library: Library,
    inventory: Inventory,
    evaluations: list[Evaluation],
) -> dict[str, Any]:
    """Write a scan's evaluations and end it as succeeded; return its summary."""
    now = utcnow()
    with factory() as session, session.begin():
        bind_tenant(session, ctx.tenant_id)
        scan = session.get(Scan, ctx.scan_id)
        assert scan is not None
        previous = _previous_results(session, scan.account_ref, ctx.scan_id)
        existing = {
            (f.control_id, f.resource_id): f
            for f in session.scalars(
                select(Finding).where(
                    Finding.account_ref == scan.account_ref, Finding.control_id.in_(ctx.controls)
                )
            )
        }
        judged = _update_findings(
            session, ctx, scan.account_ref, library, evaluations, existing, now
        )
        session.flush()  # one round trip gives every new finding its id
        seen = {finding.id for finding, _, _ in judged}
        statuses = [(finding.control_id, status) for finding, _, status in judged]
        diff: dict[str, list[int]] = {"new": [], "resolved": [], "regressed": []}
        for finding, result, status in judged:
            session.add(
                ScanResult(
                    tenant_id=ctx.tenant_id,
                    scan_id=ctx.scan_id,
                    finding_id=finding.id,
                    status=status,
                    result=result,
                )
            )
            before = previous.get(finding.id)
            if result == "FAIL" and before is None:
                diff["new"].append(finding.id)
            elif result == "FAIL" and before == "PASS":
                diff["regressed"].append(finding.id)
            elif result == "PASS" and before == "FAIL":
                diff["resolved"].append(finding.id)
        regions = set(ctx.spec.regions) | {"global"}
        for finding in existing.values():
            # Covered by this scan and not seen: the resource is gone.
            if finding.id in seen or finding.region not in regions or not finding.present:
                continue
            finding.present = False
            if finding.result == "FAIL":
                finding.resolved_at = now
                if previous.get(finding.id) == "FAIL":
                    diff["resolved"].append(finding.id)
        summary = _summary(library, ctx, inventory, statuses, diff)
        for framework, score in summary["scores"].items():
            session.add(
                Score(
                    tenant_id=ctx.tenant_id,
                    scan_id=ctx.scan_id,
                    account_ref=scan.account_ref,
                    framework=framework,
                    passed=score["passed"],
                    failed=score["failed"],
                    errors=score["errors"],
                    muted=score["muted"],
                    score=score["score"],
                    created_at=now,
                )
            )
        scan.summary = summary
        scan.status = "succeeded"
        scan.finished_at = utcnow()
        scan.progress_done = scan.progress_total = max(scan.progress_total, 1)
        scan.progress_label = "done"
    return summary


def _update_findings(
    session: Session,
    ctx: ScanContext,
    account_ref: int,
    library: Library,
    evaluations: list[Evaluation],
    existing: dict[tuple[str, str], Finding],
    now: datetime,
) -> list[tuple[Finding, str, str]]:
    """Create or update the finding of each evaluation: (finding, result, scored status)."""
    mutes = exceptions.active_exceptions(session, now)
    judged: list[tuple[Finding, str, str]] = []
    for ev in evaluations:
        control = library.controls[ev.control_id]
        finding = existing.get((ev.control_id, ev.resource_id))
        was = finding.result if finding is not None else None
        if finding is None:
            finding = Finding(
                tenant_id=ctx.tenant_id,
                account_ref=account_ref,
                control_id=ev.control_id,
                resource_id=ev.resource_id,
                first_seen=now,
            )
            session.add(finding)
        finding.service = control.service
        finding.resource_type = ev.resource_type
        finding.region = ev.region
        finding.severity = control.severity
        finding.details = ev.details
        finding.evidence = ev.evidence
        finding.last_seen = now
        finding.last_scan_id = ctx.scan_id
        finding.present = True
        finding.result = ev.status
        status, exc_id = exceptions.muted_status(ev.status, mutes, finding)
        finding.status, finding.exception_id = status, exc_id
        if ev.status == "PASS" and was in ("FAIL", "ERROR"):
            finding.resolved_at = now
        elif ev.status == "FAIL":
            finding.resolved_at = None
        judged.append((finding, ev.status, status))
    return judged


def _previous_results(session: Session, account_ref: int, scan_id: int) -> dict[int, str]:
    """Finding id → raw result in the account's last succeeded scan before this one."""
    last = session.scalar(
        select(Scan.id)
        .where(Scan.account_ref == account_ref, Scan.status == "succeeded", Scan.id < scan_id)
        .order_by(Scan.id.desc())
        .limit(1)
    )
    if last is None:
        return {}
    rows = session.execute(
        select(ScanResult.finding_id, ScanResult.result).where(ScanResult.scan_id == last)
    )
    return {int(r.finding_id): str(r.result) for r in rows}


def _summary(
    library: Library,
    ctx: ScanContext,
    inventory: Inventory,
    statuses: list[tuple[str, str]],
    diff: dict[str, list[int]],
) -> dict[str, Any]:
    counts = Counter(status for _, status in statuses)
    by_control: dict[str, set[str]] = {}
    for control, status in statuses:
        by_control.setdefault(control, set()).add(status)
    applicable = [c for c, s in by_control.items() if s != {"NOT_APPLICABLE"}]
    evaluated = [c for c in applicable if by_control[c] & {"PASS", "FAIL", "MUTED"}]
    frameworks = (
        [ctx.framework]
        if ctx.framework
        else [
            f
            for f in library.frameworks
            if set(library.controls_for_framework(f)) & set(by_control)
        ]
    )
    scores: dict[str, dict[str, Any]] = {}
    for framework in frameworks:
        members = set(library.controls_for_framework(framework))
        tally = Counter(status for control, status in statuses if control in members)
        passed, failed = tally["PASS"], tally["FAIL"]
        scores[framework] = {
            "passed": passed,
            "failed": failed,
            "errors": tally["ERROR"],
            "muted": tally["MUTED"],
            "score": round(passed / (passed + failed), 4) if passed + failed else None,
        }
    return {
        "resources": len(inventory.resources),
        "counts": {
            s: counts.get(s, 0) for s in ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MUTED")
        },
        "coverage": {
            "evaluated": len(evaluated),
            "applicable": len(applicable),
            "ratio": round(len(evaluated) / len(applicable), 4) if applicable else None,
            "not_evaluated": sorted(set(applicable) - set(evaluated)),
        },
        "diff": {
            "counts": {k: len(v) for k, v in diff.items()},
            **{k: v[:DIFF_LIST_LIMIT] for k, v in diff.items()},
        },
        "scores": scores,
        "collection_errors": [
            {
                "resource_type": e.resource_type,
                "region": e.region,
                "operation": e.operation,
                "reason": e.reason,
            }
            for e in inventory.errors[:100]
        ],
    }
