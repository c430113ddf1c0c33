"""HTTP routes of compliance: accounts, scans, findings, exceptions, scores, frameworks,
the dashboard summary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import desc, func, select

from sealtrail.api.deps import (
    AccountManager,
    ComplianceReader,
    ExceptionManager,
    RuntimeDep,
    ScanRequester,
    SessionDep,
)
from sealtrail.api.params import RowId
from sealtrail.api.responses import JSON
from sealtrail.compliance import exceptions, export, service, summary
from sealtrail.compliance.models import CloudAccount, Finding
from sealtrail.compliance.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ComplianceSummary,
    ExceptionCreate,
    ExceptionOut,
    FindingOut,
    ScanCreate,
    ScanOut,
    ScoreOut,
)
from sealtrail.errors import NotFound
from sealtrail.identity.schemas import Caller
from sealtrail.selfaudit.reads import audit_read

router = APIRouter(prefix="/api/v1/compliance", tags=["compliance"])

# Findings one export holds at most: they are built in memory before the file is sent.
MAX_EXPORT_FINDINGS = 100_000

Severity = Literal["critical", "high", "medium", "low", "informational"]
StatusName = Literal["PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MUTED"]


def _who(caller: Caller) -> dict[str, Any]:
    return dict(caller.actor)


# -- accounts ---------------------------------------------------------------------


@router.get("/accounts", response_model=list[AccountOut], summary="Cloud accounts")
def list_accounts(caller: ComplianceReader, session: SessionDep, runtime: RuntimeDep) -> Any:
    """The tenant's accounts; secrets are never returned, key ids are masked."""
    rows = session.scalars(select(CloudAccount).order_by(CloudAccount.name))
    return [service.account_out(a, runtime.credential_box) for a in rows]


@router.post(
    "/accounts",
    name="compliance.account.create",
    status_code=201,
    response_model=AccountOut,
    summary="Add a cloud account (access keys or a role to assume)",
)
def create_account(
    body: AccountCreate, caller: AccountManager, session: SessionDep, runtime: RuntimeDep
) -> Any:
    """Secrets are encrypted at rest with a key of the data directory."""
    box = runtime.credential_box
    return service.account_out(
        service.create_account(
            session,
            caller.tenant_id,
            body,
            box,
            endpoint_allowlist=runtime.settings.endpoint_allowlist,
        ),
        box,
    )


@router.get("/accounts/{account_ref}", response_model=AccountOut, summary="One cloud account")
def get_account(
    account_ref: str, caller: ComplianceReader, session: SessionDep, runtime: RuntimeDep
) -> Any:
    return service.account_out(service.find_account(session, account_ref), runtime.credential_box)


@router.patch(
    "/accounts/{account_ref}",
    name="compliance.account.update",
    response_model=AccountOut,
    summary="Change an account's regions, credentials or endpoint",
)
def update_account(
    account_ref: str,
    body: AccountUpdate,
    caller: AccountManager,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Any:
    box = runtime.credential_box
    return service.account_out(
        service.update_account(
            session, account_ref, body, box, endpoint_allowlist=runtime.settings.endpoint_allowlist
        ),
        box,
    )


@router.delete(
    "/accounts/{account_ref}",
    name="compliance.account.delete",
    status_code=204,
    summary="Remove an account with its scans and findings",
)
def delete_account(account_ref: str, caller: AccountManager, session: SessionDep) -> None:
    session.delete(service.find_account(session, account_ref))


# -- scans ------------------------------------------------------------------------


@router.post(
    "/scans",
    name="compliance.scan.request",
    status_code=202,
    response_model=ScanOut,
    summary="Start a scan (all controls, a framework's, or a list)",
)
def request_scan(
    body: ScanCreate, caller: ScanRequester, session: SessionDep, runtime: RuntimeDep
) -> Any:
    """Queued; the worker runs it. Poll `GET /scans/{id}` for status and progress."""
    scan = service.request_scan(session, caller.tenant_id, runtime.library(), body, _who(caller))
    runtime.wake_scans()
    account = session.get(CloudAccount, scan.account_ref)
    assert account is not None
    return service.scan_out(scan, account.name)


@router.get("/scans", response_model=list[ScanOut], summary="Scans, newest first")
def list_scans(
    caller: ComplianceReader,
    session: SessionDep,
    account: Annotated[str | None, Query(max_length=63)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[RowId | None, Query(description="Scan id to page from.")] = None,
) -> Any:
    return [
        service.scan_out(s, name) for s, name in service.list_scans(session, account, limit, before)
    ]


@router.get("/scans/{scan_id}", response_model=ScanOut, summary="A scan: status, progress, summary")
def get_scan(scan_id: RowId, caller: ComplianceReader, session: SessionDep) -> Any:
    """While it runs: progress and duration so far; then counts, coverage, diff, scores."""
    scan, name = service.get_scan(session, scan_id)
    return service.scan_out(scan, name)


# -- findings ---------------------------------------------------------------------

Framework = Annotated[str | None, Query(max_length=64)]
Severities = Annotated[list[Severity] | None, Query()]
Statuses = Annotated[list[StatusName] | None, Query()]
Service = Annotated[str | None, Query(max_length=32)]
Control = Annotated[str | None, Query(max_length=32)]
Account = Annotated[str | None, Query(max_length=63)]


@router.get("/findings", summary="Findings with filters")
def list_findings(
    request: Request,
    caller: ComplianceReader,
    session: SessionDep,
    runtime: RuntimeDep,
    account: Account = None,
    framework: Framework = None,
    severity: Severities = None,
    status: Statuses = None,
    service_name: Annotated[str | None, Query(alias="service", max_length=32)] = None,
    control: Control = None,
    include_gone: Annotated[
        bool, Query(description="Also findings of resources that no longer exist.")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[RowId | None, Query(description="Finding id to page from.")] = None,
) -> Any:
    """Newest first; `next_before` pages on."""
    library = runtime.library()
    query = service.findings_query(
        library,
        account=service.find_account(session, account) if account else None,
        framework=framework,
        severity=list(severity) if severity else None,
        status=list(status) if status else None,
        service=service_name,
        control=control,
        include_resolved=include_gone,
    )
    if before is not None:
        query = query.where(Finding.id < before)
    rows = session.execute(query.order_by(desc(Finding.id)).limit(limit + 1)).all()
    items = [
        service.finding_out(f, name, library).model_dump(mode="json") for f, name in rows[:limit]
    ]
    return JSON(
        {"items": items, "next_before": rows[limit - 1][0].id if len(rows) > limit else None}
    )


@router.get("/findings/export", summary="Export findings as JSON, CSV or OCSF")
def export_findings(
    request: Request,
    caller: ComplianceReader,
    session: SessionDep,
    runtime: RuntimeDep,
    format: Annotated[Literal["json", "csv", "ocsf"], Query()] = "json",
    account: Account = None,
    framework: Framework = None,
    severity: Severities = None,
    status: Statuses = None,
    control: Control = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_EXPORT_FINDINGS, description="At most this many findings.")
    ] = MAX_EXPORT_FINDINGS,
) -> Any:
    """Matching findings with their evidence, oldest first; OCSF is Detection Finding
    (class 2004)."""
    audit_read(
        request,
        caller,
        "compliance.findings.export",
        {"format": format, "account": account, "framework": framework, "control": control},
    )
    library = runtime.library()
    query = service.findings_query(
        library,
        account=service.find_account(session, account) if account else None,
        framework=framework,
        severity=list(severity) if severity else None,
        status=list(status) if status else None,
        control=control,
    ).order_by(Finding.id)
    findings = [
        service.finding_out(f, name, library, full=True)
        for f, name in session.execute(query.limit(limit))
    ]
    account_ids = {a.name: a.account_id for a in session.scalars(select(CloudAccount))}
    stream: Iterator[bytes]
    if format == "csv":
        stream, media = export.as_csv(findings), "text/csv"
    elif format == "ocsf":
        stream, media = export.as_ocsf(findings, library, account_ids), "application/json"
    else:
        stream, media = export.as_json(findings), "application/json"
    filename = f"sealtrail-findings.{'csv' if format == 'csv' else 'json'}"
    return StreamingResponse(
        stream,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/findings/{finding_id}", response_model=FindingOut, summary="One finding")
def get_finding(
    finding_id: RowId, caller: ComplianceReader, session: SessionDep, runtime: RuntimeDep
) -> Any:
    """With the evidence snapshot, the remediation guidance and the framework mappings."""
    finding, name = service.get_finding(session, finding_id)
    return service.finding_out(finding, name, runtime.library(), full=True)


# -- exceptions -------------------------------------------------------------------


@router.post(
    "/exceptions",
    name="compliance.exception.create",
    status_code=201,
    response_model=ExceptionOut,
    summary="Mute a control on resources matching a pattern, until a date",
)
def create_exception(
    body: ExceptionCreate, caller: ExceptionManager, session: SessionDep, runtime: RuntimeDep
) -> Any:
    """Matching FAIL and ERROR findings become MUTED at once; they reopen on expiry."""
    exc, account = exceptions.create_exception(
        session, caller.tenant_id, runtime.library(), body, _who(caller)
    )
    return exceptions.exception_out(exc, account)


@router.get("/exceptions", response_model=list[ExceptionOut], summary="Exceptions")
def list_exceptions(caller: ComplianceReader, session: SessionDep) -> Any:
    return [exceptions.exception_out(e, a) for e, a in exceptions.list_exceptions(session)]


@router.delete(
    "/exceptions/{exception_id}",
    name="compliance.exception.revoke",
    response_model=ExceptionOut,
    summary="End an exception now",
)
def revoke_exception(exception_id: RowId, caller: ExceptionManager, session: SessionDep) -> Any:
    exc = exceptions.revoke_exception(session, exception_id)
    account = session.get(CloudAccount, exc.account_ref) if exc.account_ref else None
    return exceptions.exception_out(exc, account.name if account else None)


# -- scores, frameworks, controls -------------------------------------------------


@router.get(
    "/summary", response_model=ComplianceSummary, summary="The dashboard: findings, scans, scores"
)
def compliance_summary(caller: ComplianceReader, session: SessionDep, runtime: RuntimeDep) -> Any:
    """Open findings by severity and service, mutes, errors, accounts, the last scan and
    each framework's score over its last 30 scans."""
    return summary.summary(session, runtime.library())


@router.get("/scores", response_model=list[ScoreOut], summary="Scores over time")
def scores(
    caller: ComplianceReader,
    session: SessionDep,
    account: Account = None,
    framework: Framework = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    """One point per scan and framework: passed / (passed + failed); errors apart."""
    return service.score_history(session, account=account, framework=framework, limit=limit)


@router.get("/frameworks", summary="Frameworks with requirement counts and latest scores")
def list_frameworks(caller: ComplianceReader, session: SessionDep, runtime: RuntimeDep) -> Any:
    library = runtime.library()
    latest = {
        s.framework: s
        for s in reversed(service.score_history(session, account=None, framework=None, limit=1000))
    }
    out = []
    for fid, fw in library.frameworks.items():
        coverage = library.coverage(fid)
        out.append(
            {
                "id": fid,
                "name": fw.name,
                "version": fw.version,
                "requirements": len(fw.requirements),
                "automated": sum(1 for c in coverage.values() if c),
                "manual": sum(1 for c in coverage.values() if not c),
                "controls": len(library.controls_for_framework(fid)),
                "latest_score": latest[fid].model_dump(mode="json") if fid in latest else None,
            }
        )
    return JSON(out)


@router.get("/frameworks/{framework_id}", summary="A framework: requirements, controls, status")
def get_framework(
    framework_id: str,
    caller: ComplianceReader,
    session: SessionDep,
    runtime: RuntimeDep,
    account: Account = None,
) -> Any:
    """Each requirement with the controls covering it (full or partial) and their status
    from current findings; requirements no control covers are `manual`."""
    library = runtime.library()
    framework = library.frameworks.get(framework_id)
    if framework is None:
        raise NotFound(f"no framework {framework_id!r}", {"framework": framework_id})
    # Counted by the database: one row per control and status, not one per finding.
    query = select(Finding.control_id, Finding.status, func.count()).where(
        Finding.present.is_(True)
    )
    if account:
        query = query.where(Finding.account_ref == service.find_account(session, account).id)
    query = query.group_by(Finding.control_id, Finding.status)
    by_control: dict[str, dict[str, int]] = {}
    for control_id, status, count in session.execute(query):
        by_control.setdefault(control_id, {})[status] = int(count)
    coverage = library.coverage(framework_id)
    requirements = []
    for req in framework.requirements:
        controls = [
            {
                "id": cid,
                "title": library.controls[cid].title,
                "relation": relation,
                "status": _control_status(by_control.get(cid)),
                "counts": by_control.get(cid, {}),
            }
            for cid, relation in coverage.get(req.id, [])
        ]
        requirements.append(
            {
                "id": req.id,
                "title": req.title,
                "status": _requirement_status(controls),
                "controls": controls,
            }
        )
    return JSON(
        {
            "id": framework_id,
            "name": framework.name,
            "version": framework.version,
            "requirements": requirements,
        }
    )


def _control_status(counts: dict[str, int] | None) -> str:
    if not counts:
        return "not_scanned"
    for status in ("FAIL", "ERROR", "MUTED", "PASS"):
        if counts.get(status):
            return status
    return "NOT_APPLICABLE"


def _requirement_status(controls: list[dict[str, Any]]) -> str:
    if not controls:
        return "manual"
    statuses = {c["status"] for c in controls}
    for status in ("FAIL", "ERROR", "not_scanned", "MUTED", "PASS"):
        if status in statuses:
            return status
    return "NOT_APPLICABLE"


@router.get("/controls", summary="The control library")
def list_controls(caller: ComplianceReader, runtime: RuntimeDep) -> Any:
    library = runtime.library()
    return JSON(
        [
            {
                "id": c.id,
                "title": c.title,
                "severity": c.severity,
                "service": c.service,
                "category": c.category,
                "resource_type": c.resource_type,
                "frameworks": sorted(c.frameworks),
            }
            for c in library.controls.values()
        ]
    )


@router.get("/controls/{control_id}", summary="One control, in full")
def get_control(control_id: str, caller: ComplianceReader, runtime: RuntimeDep) -> Any:
    control = runtime.library().controls.get(control_id)
    if control is None:
        raise NotFound(f"no control {control_id!r}", {"control": control_id})
    return JSON(control.model_dump(mode="json"))
