"""Running scans: claim a queued scan, collect, evaluate, store findings, diff, score.

The scan worker (`ScanWorker`) runs beside the trail worker (in `sealtrail up` and
`sealtrail worker`). A scan's progress is written as it goes, so `GET .../scans/{id}`
shows it while it runs. Scan start and end, and exceptions that expire, are written to
the tenant's trail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.compliance import exceptions, service
from sealtrail.compliance.credentials import CredentialBox
from sealtrail.compliance.endpoints import endpoint_problem
from sealtrail.compliance.inventory.model import Inventory, short_reason
from sealtrail.compliance.library import Evaluation, Library
from sealtrail.compliance.models import (
    CloudAccount,
    ComplianceException,
    Scan,
)
from sealtrail.compliance.results import ScanContext, store_results
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
        endpoint_allowlist: str = "",
    ) -> None:
        self.factory = factory
        self.box = box
        self.library = library
        self.collect = collect
        self.evaluate = evaluate
        self.record = record
        self.poll_interval = poll_interval
        self.wakeup = wakeup or threading.Event()
        self.endpoint_allowlist = endpoint_allowlist  # SEALTRAIL_ENDPOINT_ALLOWLIST
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
            if ctx.spec.endpoint_url is not None:
                # Checked again: the host may resolve elsewhere since the account was saved.
                problem = endpoint_problem(ctx.spec.endpoint_url, self.endpoint_allowlist)
                if problem is not None:
                    log.warning("scan.endpoint_refused", scan_id=scan_id, reason=problem)
                    self._fail(ctx, f"endpoint_url refused: {problem}")
                    return
            library = self.library()
            types = {library.controls[c].resource_type for c in ctx.controls}
            inventory = self.collect(
                ctx.spec, resource_types=types, progress=self._progress(scan_id)
            )
            evaluations = self.evaluate(library, inventory, ctx.controls, now=utcnow())
            summary = store_results(self.factory, ctx, library, inventory, evaluations)
        except Exception as exc:
            log.exception("scan.failed", scan_id=scan_id)
            self._fail(ctx, f"{type(exc).__name__}: {exc}")
            return
        self._trail(
            ctx,
            "compliance.scan.finish",
            "success",
            {"scan_id": scan_id, "counts": summary["counts"], "diff": summary["diff"]["counts"]},
        )

    def _fail(self, ctx: ScanContext, error: str) -> None:
        # Shown to every role: one line, bounded (the full error is in the log).
        error = short_reason(error)
        self._finish(ctx.scan_id, "failed", error=error)
        self._trail(
            ctx, "compliance.scan.finish", "failure", {"scan_id": ctx.scan_id, "error": error}
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
                reopened = exceptions.reapply_exceptions(session, now)
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
