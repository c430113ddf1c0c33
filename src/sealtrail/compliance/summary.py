"""The compliance dashboard in one read: open findings by severity and by service,
mutes, errors, accounts, the last scan and each framework's recent scores.

Every function takes a session bound to the caller's tenant (see db/tenancy). Counts
come from one GROUP BY over the current findings (the status index narrows it to FAIL,
MUTED and ERROR); each framework's trend reads at most TREND_POINTS scores.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from sealtrail.compliance.library import Library
from sealtrail.compliance.models import CloudAccount, Finding, Scan, Score
from sealtrail.compliance.schemas import (
    ComplianceSummary,
    FrameworkTrend,
    OpenFindings,
    ServiceCount,
    TrendPoint,
)
from sealtrail.compliance.service import scan_out

TREND_POINTS = 30


def summary(session: Session, library: Library) -> ComplianceSummary:
    """The tenant's compliance at a glance."""
    rows = session.execute(
        select(Finding.status, Finding.severity, Finding.service, func.count())
        .where(Finding.present.is_(True), Finding.status.in_(("FAIL", "MUTED", "ERROR")))
        .group_by(Finding.status, Finding.severity, Finding.service)
    ).all()
    by_severity: Counter[str] = Counter()
    by_service: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for status, severity, service, count in rows:
        by_status[status] += count
        if status == "FAIL":
            by_severity[severity] += count
            by_service[service] += count
    last = session.execute(
        select(Scan, CloudAccount.name)
        .join(CloudAccount, CloudAccount.id == Scan.account_ref)
        .order_by(desc(Scan.id))
        .limit(1)
    ).first()
    return ComplianceSummary(
        open_findings=OpenFindings(**by_severity),
        open_by_service=[
            ServiceCount(service=service, count=count)
            for service, count in sorted(by_service.items(), key=lambda sc: (-sc[1], sc[0]))
        ],
        muted=by_status["MUTED"],
        errors=by_status["ERROR"],
        accounts=session.scalar(select(func.count()).select_from(CloudAccount)) or 0,
        last_scan=scan_out(last[0], last[1]) if last else None,
        frameworks=[
            _framework(session, framework_id, framework.name)
            for framework_id, framework in library.frameworks.items()
        ],
    )


def _framework(session: Session, framework_id: str, name: str) -> FrameworkTrend:
    rows = session.execute(
        select(Score.created_at, Score.score, Score.scan_id, CloudAccount.name)
        .join(CloudAccount, CloudAccount.id == Score.account_ref)
        .where(Score.framework == framework_id)
        .order_by(desc(Score.created_at), desc(Score.id))
        .limit(TREND_POINTS)
    ).all()
    trend = [
        TrendPoint(at=at, score=score, scan_id=scan_id, account=account)
        for at, score, scan_id, account in reversed(rows)
    ]
    return FrameworkTrend(
        id=framework_id, name=name, score=trend[-1].score if trend else None, trend=trend
    )
