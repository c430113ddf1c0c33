"""Running scans: claim a queued scan, collect, evaluate, store findings, diff, score.

The scan worker (`ScanWorker`) runs beside the trail worker (in `sealtrail up` and
`sealtrail worker`). A scan's progress is written as it goes, so `GET .../scans/{id}`
shows it while it runs. Scan start and end, and exceptions that expire, are written to
the tenant's trail.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.compliance import service
from sealtrail.compliance.credentials import CredentialBox
from sealtrail.compliance.inventory.model import AccountSpec, Inventory
from sealtrail.compliance.library import Evaluation, Library
from sealtrail.compliance.models import (
    CloudAccount,
    ComplianceException,
    Finding,
    Scan,
    ScanResult,
    Score,
)
from sealtrail.db.base import utcnow
from sealtrail.db.tenancy import bind_tenant
from sealtrail.identity.models import Tenant
from sealtrail.selfaudit.middleware import AuditRecord

log = structlog.get_logger("sealtrail.compliance")

Collect = Callable[..., Inventory]
Evaluate = Callable[..., list[Evaluation]]
Record = Callable[[AuditRecord], None]
STALE_RUNNING = timedelta(hours=2)
PROGRESS_EVERY = 0.5  # seconds between progress writes
JUDGED = ("PASS", "FAIL")
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


class ScanWorker:
    """Runs queued scans one at a time and expires exceptions."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        box: CredentialBox,
        library: Callable[[], Library],
        collect: Collect,
        evaluate: Evaluate,
        record: Record | None = None,
        poll_interval: float = 1.0,
        wakeup: threading.Event | None = None,
    ) -> None:
        self.factory = factory
        self.box = box
        self.library = library
        self.collect = collect
        self.evaluate = evaluate
        self.record = record
        self.poll_interval = poll_interval
        self.wakeup = wakeup or threading.Event()
        self.on_progress: Callable[[int, int, str], None] | None = None
        self._last_expiry_check = 0.0

    def run(self, stop: threading.Event) -> None:
        """Run scans until `stop` is set."""
        self.fail_stale()
        while not stop.is_set():
            try:
                self.expire_exceptions()
                ran = self.run_once()
            except Exception:
                log.exception("scan_worker.error")
                ran = 0
            if not ran:
                self.wakeup.wait(self.poll_interval)
                self.wakeup.clear()

    def run_once(self, scan_id: int | None = None) -> int:
        """Claim and run a queued scan (the oldest, or `scan_id`); 1 if one ran, else 0."""
        scan_id = self._claim(scan_id)
        if scan_id is None:
            return 0
        self.run_scan(scan_id)
        return 1

    def _claim(self, wanted: int | None = None) -> int | None:
        with self.factory() as session, session.begin():
            query = select(Scan.id).where(Scan.status == "queued")
            if wanted is not None:
                query = query.where(Scan.id == wanted)
            candidates = session.scalars(query.order_by(Scan.id).limit(5)).all()
            for scan_id in candidates:
                claimed = session.execute(
                    update(Scan)
                    .where(Scan.id == scan_id, Scan.status == "queued")
                    .values(status="running", started_at=utcnow())
                )
                if getattr(claimed, "rowcount", 0) == 1:
                    return int(scan_id)
        return None

    def fail_stale(self) -> int:
        """Scans left running by a process that died are marked failed, not left hanging."""
        with self.factory() as session, session.begin():
            result = session.execute(
                update(Scan)
                .where(Scan.status == "running", Scan.started_at < utcnow() - STALE_RUNNING)
                .values(
                    status="failed",
                    finished_at=utcnow(),
                    error="interrupted: the process running it stopped",
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- one scan -----------------------------------------------------------------

    def _context(self, scan_id: int) -> ScanContext:
        with self.factory() as session:
            scan = session.get(Scan, scan_id)
            assert scan is not None
            account = session.get(CloudAccount, scan.account_ref)
            tenant = session.get(Tenant, scan.tenant_id)
            assert account is not None
            assert tenant is not None
            return ScanContext(
                scan_id=scan.id,
                tenant_id=scan.tenant_id,
                tenant=tenant.name,
                account=account.name,
                spec=service.account_spec(account, self.box, list(scan.regions)),
                controls=list(scan.control_ids),
                framework=scan.framework,
                requested_by=dict(scan.requested_by),
            )

    def run_scan(self, scan_id: int) -> None:
        """Run one claimed scan to its end; failures end it as `failed` with the reason."""
        ctx = self._context(scan_id)
        self._trail(ctx, "compliance.scan.start", "success", {"scan_id": scan_id})
        try:
            library = self.library()
            types = {library.controls[c].resource_type for c in ctx.controls}
            inventory = self.collect(
                ctx.spec, resource_types=types, progress=self._progress(scan_id)
            )
            evaluations = self.evaluate(library, inventory, ctx.controls, now=utcnow())
            summary = self._store(ctx, library, inventory, evaluations)
        except Exception as exc:
            log.exception("scan.failed", scan_id=scan_id)
            self._finish(scan_id, "failed", error=f"{type(exc).__name__}: {exc}")
            self._trail(
                ctx, "compliance.scan.finish", "failure", {"scan_id": scan_id, "error": str(exc)}
            )
            return
        self._trail(
            ctx,
            "compliance.scan.finish",
            "success",
            {"scan_id": scan_id, "counts": summary["counts"], "diff": summary["diff"]["counts"]},
        )

    def _progress(self, scan_id: int) -> Callable[[int, int, str], None]:
        last = [0.0]

        def report(done: int, total: int, label: str) -> None:
            if self.on_progress is not None:
                self.on_progress(done, total, label)
            now = time.monotonic()
            if done < total and now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
            with self.factory() as session, session.begin():
                session.execute(
                    update(Scan)
                    .where(Scan.id == scan_id)
                    .values(progress_done=done, progress_total=total, progress_label=label[:128])
                )

        return report

    def _finish(self, scan_id: int, status: str, *, error: str | None = None) -> None:
        with self.factory() as session, session.begin():
            session.execute(
                update(Scan)
                .where(Scan.id == scan_id)
                .values(status=status, finished_at=utcnow(), error=error)
            )

    def _store(
        self,
        ctx: ScanContext,
        library: Library,
        inventory: Inventory,
        evaluations: list[Evaluation],
    ) -> dict[str, Any]:
        now = utcnow()
        with self.factory() as session, session.begin():
            bind_tenant(session, ctx.tenant_id)
            scan = session.get(Scan, ctx.scan_id)
            assert scan is not None
            account_ref = scan.account_ref
            previous = _previous_results(session, account_ref, ctx.scan_id)
            existing = {
                (f.control_id, f.resource_id): f
                for f in session.scalars(
                    select(Finding).where(
                        Finding.account_ref == account_ref, Finding.control_id.in_(ctx.controls)
                    )
                )
            }
            exceptions = service.active_exceptions(session, now)
            seen: set[int] = set()
            statuses: list[tuple[str, str]] = []  # (control, status)
            diff: dict[str, list[int]] = {"new": [], "resolved": [], "regressed": []}
            for ev in evaluations:
                control = library.controls[ev.control_id]
                finding = existing.get((ev.control_id, ev.resource_id))
                before = previous.get(finding.id) if finding is not None else None
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
                was = finding.result if finding.id is not None else None
                finding.result = ev.status
                status, exc_id = service.muted_status(ev.status, exceptions, finding)
                finding.status, finding.exception_id = status, exc_id
                if ev.status == "PASS" and was in ("FAIL", "ERROR"):
                    finding.resolved_at = now
                elif ev.status == "FAIL":
                    finding.resolved_at = None
                session.flush()
                seen.add(finding.id)
                statuses.append((ev.control_id, status))
                session.add(
                    ScanResult(
                        tenant_id=ctx.tenant_id,
                        scan_id=ctx.scan_id,
                        finding_id=finding.id,
                        status=status,
                        result=ev.status,
                    )
                )
                if ev.status == "FAIL" and before is None:
                    diff["new"].append(finding.id)
                elif ev.status == "FAIL" and before == "PASS":
                    diff["regressed"].append(finding.id)
                elif ev.status == "PASS" and before == "FAIL":
                    diff["resolved"].append(finding.id)
            regions = set(ctx.spec.regions) | {"global"}
            for key, finding in existing.items():
                if finding.id in seen or finding.region not in regions:
                    continue
                # Covered by this scan and not seen: the resource is gone.
                if finding.present:
                    finding.present = False
                    if finding.result == "FAIL":
                        finding.resolved_at = now
                        if previous.get(finding.id) == "FAIL":
                            diff["resolved"].append(finding.id)
                del key
            summary = _summary(library, ctx, inventory, statuses, diff)
            for framework, score in summary["scores"].items():
                session.add(
                    Score(
                        tenant_id=ctx.tenant_id,
                        scan_id=ctx.scan_id,
                        account_ref=account_ref,
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

    # -- exceptions that expire -----------------------------------------------------

    def expire_exceptions(self, *, force: bool = False) -> int:
        """Reopen findings of exceptions that expired, once, with a trail event each."""
        now_mono = time.monotonic()
        if not force and now_mono - self._last_expiry_check < 60:
            return 0
        self._last_expiry_check = now_mono
        now = utcnow()
        done = 0
        with self.factory() as session, session.begin():
            due = session.execute(
                select(ComplianceException, Tenant.name)
                .join(Tenant, Tenant.id == ComplianceException.tenant_id)
                .where(
                    ComplianceException.revoked_at.is_(None),
                    ComplianceException.expires_at <= now,
                    ComplianceException.expiry_recorded_at.is_(None),
                )
            ).all()
        for exc, tenant_name in due:
            with self.factory() as session, session.begin():
                bind_tenant(session, exc.tenant_id)
                row = session.get(ComplianceException, exc.id)
                if row is None or row.expiry_recorded_at is not None:
                    continue
                row.expiry_recorded_at = now
                reopened = service.reapply_exceptions(session, now)
            done += 1
            self._record(
                (exc.tenant_id, tenant_name),
                "compliance.exception.expire",
                "success",
                {"type": "system", "id": "sealtrail", "name": "Sealtrail"},
                [{"type": "compliance_exception", "id": str(exc.id)}],
                {"control_id": exc.control_id, "owner": exc.owner, "reopened": reopened},
            )
        return done

    # -- trail ----------------------------------------------------------------------

    def _trail(self, ctx: ScanContext, action: str, outcome: str, meta: dict[str, Any]) -> None:
        actor = {k: v for k, v in ctx.requested_by.items() if k in ("type", "id", "name")}
        self._record(
            (ctx.tenant_id, ctx.tenant),
            action,
            outcome,
            actor or {"type": "system", "id": "sealtrail"},
            [{"type": "cloud_account", "id": ctx.account}],
            meta,
        )

    def _record(
        self,
        tenant: tuple[int, str],
        action: str,
        outcome: str,
        actor: dict[str, Any],
        targets: list[dict[str, str]],
        meta: dict[str, Any],
    ) -> None:
        if self.record is None:
            return
        try:
            self.record(
                AuditRecord(
                    tenant=tenant,
                    action=f"sealtrail.{action}",
                    outcome=outcome,
                    actor=actor,
                    time=utcnow(),
                    targets=targets,
                    metadata=meta,
                )
            )
        except Exception:
            log.exception("scan.trail_failed", action=action)


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
