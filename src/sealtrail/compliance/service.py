"""Compliance in the database: accounts, scans requested, findings, exceptions, scores.

Every function takes a session bound to the caller's tenant (see db/tenancy) and the
tenant id for rows it creates; running a scan is `scanner.run_scan`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sealtrail.compliance import endpoints
from sealtrail.compliance.credentials import CredentialBox
from sealtrail.compliance.inventory.model import AccountSpec, AwsCredentials
from sealtrail.compliance.library import Library
from sealtrail.compliance.models import (
    CloudAccount,
    Finding,
    Scan,
    Score,
)
from sealtrail.compliance.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    FindingOut,
    Progress,
    ScanCreate,
    ScanOut,
    ScoreOut,
)
from sealtrail.db.base import as_row_id, utcnow
from sealtrail.errors import Conflict, NotFound, ValidationFailed

# -- accounts ---------------------------------------------------------------------


def _mask(key_id: str) -> str:
    return f"{key_id[:4]}…{key_id[-4:]}"


def account_out(account: CloudAccount, box: CredentialBox) -> AccountOut:
    """The API view of an account: the key id masked, secrets never."""
    key_id = None
    if account.auth == "keys" and account.secret:
        key_id = _mask(box.open(account.secret)["access_key_id"])
    return AccountOut(
        id=account.id,
        name=account.name,
        provider=account.provider,
        account_id=account.account_id,
        regions=list(account.regions),
        auth="keys" if account.auth == "keys" else "role",
        access_key_id=key_id,
        role_arn=account.role_arn,
        endpoint_url=endpoints.masked(account.endpoint_url) if account.endpoint_url else None,
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


def _apply_credentials(
    account: CloudAccount, body: AccountCreate | AccountUpdate, box: CredentialBox
) -> None:
    if body.access_keys is not None:
        keys = body.access_keys
        secret = {"access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key}
        if keys.session_token:
            secret["session_token"] = keys.session_token
        account.auth, account.secret = "keys", box.seal(secret)
        account.role_arn = account.external_id = None
    elif body.assume_role is not None:
        role = body.assume_role
        account.auth, account.role_arn = "role", role.role_arn
        account.secret = box.seal({"external_id": role.external_id}) if role.external_id else None
        account.external_id = None


def _endpoint(url: object, allowlist: str) -> str:
    """The endpoint to store, or 422 naming `endpoint_url` when a scan may not call it."""
    text = str(url).rstrip("/")
    problem = endpoints.endpoint_problem(text, allowlist)
    if problem is not None:
        raise ValidationFailed(
            f"endpoint_url refused: {problem}", [{"field": "endpoint_url", "reason": problem}]
        )
    return text


def create_account(
    session: Session,
    tenant_id: int,
    body: AccountCreate,
    box: CredentialBox,
    *,
    endpoint_allowlist: str = "",
) -> CloudAccount:
    """A new account; its name is unique in the tenant, its endpoint public or allowlisted
    (`endpoint_allowlist`: the operator's `SEALTRAIL_ENDPOINT_ALLOWLIST`)."""
    account = CloudAccount(
        tenant_id=tenant_id,
        name=body.name,
        provider=body.provider,
        account_id=body.account_id,
        regions=body.regions,
        endpoint_url=_endpoint(body.endpoint_url, endpoint_allowlist)
        if body.endpoint_url
        else None,
    )
    _apply_credentials(account, body, box)
    try:
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        raise Conflict(f"an account named {body.name!r} exists", {"name": body.name}) from None
    return account


def find_account(session: Session, ref: str | int) -> CloudAccount:
    """An account of the bound tenant by id or name; NotFound otherwise."""
    text = str(ref)
    row_id = as_row_id(text)
    account = None
    if row_id is not None:
        account = session.scalar(select(CloudAccount).where(CloudAccount.id == row_id))
    if account is None:  # names may be digits too
        account = session.scalar(select(CloudAccount).where(CloudAccount.name == text))
    if account is None:
        raise NotFound(f"no cloud account {text!r}", {"account": text})
    return account


def update_account(
    session: Session,
    ref: str,
    body: AccountUpdate,
    box: CredentialBox,
    *,
    endpoint_allowlist: str = "",
) -> CloudAccount:
    """Change regions, credentials or endpoint (checked as in `create_account`)."""
    account = find_account(session, ref)
    if body.regions is not None:
        account.regions = body.regions
    if body.endpoint_url is not None:
        account.endpoint_url = _endpoint(body.endpoint_url, endpoint_allowlist)
    _apply_credentials(account, body, box)
    account.updated_at = utcnow()
    session.flush()
    return account


def account_spec(
    account: CloudAccount, box: CredentialBox, regions: list[str] | None = None
) -> AccountSpec:
    """What the collectors need, with the secrets decrypted (in memory only)."""
    secret = box.open(account.secret) if account.secret else {}
    if account.auth == "keys":
        credentials = AwsCredentials(
            access_key_id=secret["access_key_id"],
            secret_access_key=secret["secret_access_key"],
            session_token=secret.get("session_token"),
        )
    else:
        credentials = AwsCredentials(
            role_arn=account.role_arn, external_id=secret.get("external_id")
        )
    return AccountSpec(
        provider="aws",
        account_id=account.account_id,
        regions=tuple(regions or account.regions),
        credentials=credentials,
        endpoint_url=account.endpoint_url,
    )


# -- scans ------------------------------------------------------------------------


def resolve_controls(library: Library, body: ScanCreate) -> tuple[list[str], str | None]:
    """The control ids a scan request names (all when it names none); 422 on unknown ones."""
    problems: list[dict[str, str]] = []
    chosen: set[str] = set()
    if body.framework is not None:
        if body.framework not in library.frameworks:
            problems.append(
                {
                    "field": "framework",
                    "reason": f"unknown framework; one of {sorted(library.frameworks)}",
                }
            )
        else:
            chosen |= set(library.controls_for_framework(body.framework))
    if body.controls is not None:
        unknown = [c for c in body.controls if c not in library.controls]
        if unknown:
            problems.append({"field": "controls", "reason": f"unknown control {unknown[0]!r}"})
        chosen |= set(body.controls)
    if problems:
        raise ValidationFailed(problems[0]["reason"], problems)
    if body.framework is None and body.controls is None:
        chosen = set(library.controls)
    return sorted(chosen), body.framework


def request_scan(
    session: Session,
    tenant_id: int,
    library: Library,
    body: ScanCreate,
    requested_by: dict[str, Any],
) -> Scan:
    """Queue a scan; the scan worker runs it."""
    account = find_account(session, body.account)
    controls, framework = resolve_controls(library, body)
    scan = Scan(
        tenant_id=tenant_id,
        account_ref=account.id,
        status="queued",
        regions=body.regions or list(account.regions),
        control_ids=controls,
        framework=framework,
        requested_by=requested_by,
        progress_done=0,
        progress_total=0,
    )
    session.add(scan)
    session.flush()
    return scan


def scan_out(scan: Scan, account_name: str) -> ScanOut:
    """The API view of a scan, with progress and duration while it runs."""
    end = scan.finished_at or (utcnow() if scan.started_at else None)
    duration = (end - scan.started_at).total_seconds() if scan.started_at and end else None
    total = scan.progress_total
    return ScanOut(
        id=scan.id,
        account=account_name,
        status=scan.status,
        regions=list(scan.regions),
        controls=len(scan.control_ids),
        framework=scan.framework,
        requested_by=scan.requested_by,
        progress=Progress(
            done=scan.progress_done,
            total=total,
            label=scan.progress_label,
            percent=round(100.0 * scan.progress_done / total, 1) if total else 0.0,
        ),
        created_at=scan.created_at,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        duration_seconds=round(duration, 3) if duration is not None else None,
        error=scan.error,
        summary=scan.summary,
    )


def get_scan(session: Session, scan_id: int) -> tuple[Scan, str]:
    """A scan and its account's name."""
    row = session.execute(
        select(Scan, CloudAccount.name)
        .join(CloudAccount, CloudAccount.id == Scan.account_ref)
        .where(Scan.id == scan_id)
    ).first()
    if row is None:
        raise NotFound(f"no scan {scan_id}", {"scan": scan_id})
    return row[0], row[1]


def list_scans(
    session: Session, account: str | None, limit: int, before: int | None
) -> list[tuple[Scan, str]]:
    """Scans newest first, optionally of one account, keyset-paged by id."""
    query = select(Scan, CloudAccount.name).join(CloudAccount, CloudAccount.id == Scan.account_ref)
    if account is not None:
        query = query.where(Scan.account_ref == find_account(session, account).id)
    if before is not None:
        query = query.where(Scan.id < before)
    rows = session.execute(query.order_by(desc(Scan.id)).limit(limit)).all()
    return [(r[0], r[1]) for r in rows]


# -- findings ---------------------------------------------------------------------


def finding_out(
    finding: Finding, account_name: str, library: Library, *, full: bool = False
) -> FindingOut:
    """The API view of a finding; `full` adds evidence, remediation and mappings."""
    control = library.controls.get(finding.control_id)
    out = FindingOut(
        id=finding.id,
        account=account_name,
        control_id=finding.control_id,
        title=control.title if control else finding.control_id,
        service=finding.service,
        severity=finding.severity,
        resource_id=finding.resource_id,
        resource_type=finding.resource_type,
        region=finding.region,
        status=finding.status,
        result=finding.result,
        details=finding.details,
        exception_id=finding.exception_id,
        first_seen=finding.first_seen,
        last_seen=finding.last_seen,
        resolved_at=finding.resolved_at,
        last_scan_id=finding.last_scan_id,
    )
    if full:
        out.evidence = finding.evidence
        if control is not None:
            out.remediation = control.remediation.model_dump()
            out.frameworks = {
                fw: [m.model_dump() for m in maps] for fw, maps in control.frameworks.items()
            }
    return out


def findings_query(
    library: Library,
    *,
    account: CloudAccount | None = None,
    framework: str | None = None,
    severity: list[str] | None = None,
    status: list[str] | None = None,
    service: str | None = None,
    control: str | None = None,
    include_resolved: bool = False,
) -> Select[Finding, str]:
    """Findings with filters, newest first by id (the caller adds paging)."""
    query = select(Finding, CloudAccount.name).join(
        CloudAccount, CloudAccount.id == Finding.account_ref
    )
    if account is not None:
        query = query.where(Finding.account_ref == account.id)
    if framework is not None:
        if framework not in library.frameworks:
            raise ValidationFailed(
                f"unknown framework {framework!r}",
                [{"field": "framework", "reason": f"one of {sorted(library.frameworks)}"}],
            )
        query = query.where(Finding.control_id.in_(library.controls_for_framework(framework)))
    if severity:
        query = query.where(Finding.severity.in_(severity))
    if status:
        query = query.where(Finding.status.in_(status))
    if service is not None:
        query = query.where(Finding.service == service)
    if control is not None:
        query = query.where(Finding.control_id == control)
    if not include_resolved:
        query = query.where(Finding.present.is_(True))
    return query


def get_finding(session: Session, finding_id: int) -> tuple[Finding, str]:
    """A finding and its account's name."""
    row = session.execute(
        select(Finding, CloudAccount.name)
        .join(CloudAccount, CloudAccount.id == Finding.account_ref)
        .where(Finding.id == finding_id)
    ).first()
    if row is None:
        raise NotFound(f"no finding {finding_id}", {"finding": finding_id})
    return row[0], row[1]


# -- scores -----------------------------------------------------------------------


def score_history(
    session: Session, *, account: str | None, framework: str | None, limit: int
) -> list[ScoreOut]:
    """Scores over time, newest first."""
    query = select(Score, CloudAccount.name).join(
        CloudAccount, CloudAccount.id == Score.account_ref
    )
    if account is not None:
        query = query.where(Score.account_ref == find_account(session, account).id)
    if framework is not None:
        query = query.where(Score.framework == framework)
    rows = session.execute(query.order_by(desc(Score.id)).limit(limit)).all()
    return [
        ScoreOut(
            scan_id=s.scan_id,
            account=name,
            framework=s.framework,
            score=s.score,
            passed=s.passed,
            failed=s.failed,
            errors=s.errors,
            muted=s.muted,
            at=s.created_at,
        )
        for s, name in rows
    ]
