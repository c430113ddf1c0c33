"""Exceptions (mutes) of findings: one control, or all, on resources matching a pattern,
until an expiry date. Matching FAIL and ERROR findings are scored as MUTED and keep
what the control said in `result`; they reopen when the exception ends."""

from __future__ import annotations

import fnmatch
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from sealtrail.compliance.library import Library
from sealtrail.compliance.models import CloudAccount, ComplianceException, Finding
from sealtrail.compliance.schemas import ExceptionCreate, ExceptionOut
from sealtrail.compliance.service import find_account
from sealtrail.db.base import utcnow
from sealtrail.errors import NotFound, ValidationFailed

MAX_EXCEPTION_DAYS = 366


def exception_state(exc: ComplianceException, now: datetime) -> str:
    """active, expired or revoked."""
    if exc.revoked_at is not None:
        return "revoked"
    return "expired" if exc.expires_at <= now else "active"


def exception_out(exc: ComplianceException, account_name: str | None) -> ExceptionOut:
    """The API view of an exception."""
    return ExceptionOut(
        id=exc.id,
        account=account_name,
        control_id=exc.control_id,
        resource_pattern=exc.resource_pattern,
        owner=exc.owner,
        reason=exc.reason,
        expires_at=exc.expires_at,
        created_by=exc.created_by,
        created_at=exc.created_at,
        revoked_at=exc.revoked_at,
        state=exception_state(exc, utcnow()),
    )


def create_exception(
    session: Session,
    tenant_id: int,
    library: Library,
    body: ExceptionCreate,
    created_by: dict[str, Any],
) -> tuple[ComplianceException, str | None]:
    """A mute until `expires_at` (in the future, at most a year ahead); applied at once."""
    now = utcnow()
    if body.control_id != "*" and body.control_id not in library.controls:
        raise ValidationFailed(
            f"unknown control {body.control_id!r}",
            [{"field": "control_id", "reason": "a control id, or * for every control"}],
        )
    if body.expires_at <= now:
        raise ValidationFailed(
            "expires_at is in the past", [{"field": "expires_at", "reason": "must be ahead"}]
        )
    if body.expires_at > now + timedelta(days=MAX_EXCEPTION_DAYS):
        raise ValidationFailed(
            "expires_at is more than a year ahead",
            [{"field": "expires_at", "reason": "exceptions expire within a year"}],
        )
    account = find_account(session, body.account) if body.account else None
    exc = ComplianceException(
        tenant_id=tenant_id,
        account_ref=account.id if account else None,
        control_id=body.control_id,
        resource_pattern=body.resource_pattern,
        owner=body.owner,
        reason=body.reason,
        expires_at=body.expires_at,
        created_by=created_by,
    )
    session.add(exc)
    session.flush()
    reapply_exceptions(session, now)
    return exc, account.name if account else None


def revoke_exception(session: Session, exception_id: int) -> ComplianceException:
    """End an exception now; its findings reopen."""
    exc = session.get(ComplianceException, exception_id)
    if exc is None:
        raise NotFound(f"no exception {exception_id}", {"exception": exception_id})
    if exc.revoked_at is None:
        exc.revoked_at = utcnow()
    session.flush()
    reapply_exceptions(session, utcnow())
    return exc


def matches(exc: ComplianceException, finding: Finding) -> bool:
    """Whether an exception covers a finding."""
    return (
        (exc.account_ref is None or exc.account_ref == finding.account_ref)
        and exc.control_id in ("*", finding.control_id)
        and fnmatch.fnmatchcase(finding.resource_id, exc.resource_pattern)
    )


def active_exceptions(session: Session, now: datetime) -> list[ComplianceException]:
    """Exceptions in force now."""
    return list(
        session.scalars(
            select(ComplianceException).where(
                ComplianceException.revoked_at.is_(None), ComplianceException.expires_at > now
            )
        )
    )


def muted_status(
    result: str, exceptions: list[ComplianceException], finding: Finding
) -> tuple[str, int | None]:
    """The scored status of a result under the active exceptions."""
    if result in ("FAIL", "ERROR"):
        for exc in exceptions:
            if matches(exc, finding):
                return "MUTED", exc.id
    return result, None


def reapply_exceptions(session: Session, now: datetime) -> int:
    """Mute or reopen current findings after exceptions changed or expired; return changes."""
    exceptions = active_exceptions(session, now)
    changed = 0
    for finding in session.scalars(
        select(Finding).where(Finding.resolved_at.is_(None), Finding.result.in_(["FAIL", "ERROR"]))
    ):
        status, exc_id = muted_status(finding.result, exceptions, finding)
        if (status, exc_id) != (finding.status, finding.exception_id):
            finding.status, finding.exception_id = status, exc_id
            changed += 1
    session.flush()
    return changed


def list_exceptions(session: Session) -> list[tuple[ComplianceException, str | None]]:
    """Every exception of the tenant, newest first."""
    rows = session.execute(
        select(ComplianceException, CloudAccount.name)
        .outerjoin(CloudAccount, CloudAccount.id == ComplianceException.account_ref)
        .order_by(desc(ComplianceException.id))
    ).all()
    return [(r[0], r[1]) for r in rows]
