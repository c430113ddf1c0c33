"""Tables of compliance: cloud accounts, scans, findings and their history, exceptions,
scores.

`findings` holds the current state of each (account, control, resource); `scan_results`
what each scan saw of it (the history a diff and a trend are computed from);
`compliance_scores` one row per (scan, framework).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sealtrail.db.base import Base, UTCDateTime, utcnow
from sealtrail.db.tenancy import TenantOwned


class CloudAccount(TenantOwned, Base):
    """An AWS account Sealtrail scans; secrets are encrypted at rest."""

    __tablename__ = "cloud_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    provider: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(12))
    regions: Mapped[list[str]] = mapped_column(JSON)
    auth: Mapped[str] = mapped_column(String(8))  # "keys" or "role"
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet token
    role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(1224), nullable=True)
    endpoint_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Scan(TenantOwned, Base):
    """One run of controls over an account: queued, running, then succeeded or failed."""

    __tablename__ = "compliance_scans"
    __table_args__ = (Index("ix_compliance_scans_account", "tenant_id", "account_ref", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_ref: Mapped[int] = mapped_column(ForeignKey("cloud_accounts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    regions: Mapped[list[str]] = mapped_column(JSON)
    control_ids: Mapped[list[str]] = mapped_column(JSON)
    framework: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_by: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Finding(TenantOwned, Base):
    """The current state of one control on one resource of one account."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_ref", "control_id", "resource_id"),
        Index("ix_findings_status", "tenant_id", "status", "severity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_ref: Mapped[int] = mapped_column(ForeignKey("cloud_accounts.id", ondelete="CASCADE"))
    control_id: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(2048))
    resource_type: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # as scored: MUTED when excepted
    result: Mapped[str] = mapped_column(String(16))  # as evaluated: PASS/FAIL/ERROR/N_A
    severity: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    exception_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_scan_id: Mapped[int] = mapped_column(Integer)
    # False once a later scan covering its control no longer sees the resource.
    present: Mapped[bool] = mapped_column(Boolean, default=True)


class ScanResult(TenantOwned, Base):
    """What one scan saw of one finding."""

    __tablename__ = "scan_results"
    __table_args__ = (UniqueConstraint("scan_id", "finding_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    scan_id: Mapped[int] = mapped_column(ForeignKey("compliance_scans.id", ondelete="CASCADE"))
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))


class Score(TenantOwned, Base):
    """A framework's score in one scan: passed / (passed + failed)."""

    __tablename__ = "compliance_scores"
    __table_args__ = (
        UniqueConstraint("scan_id", "framework"),
        Index("ix_compliance_scores_trend", "tenant_id", "framework", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    scan_id: Mapped[int] = mapped_column(ForeignKey("compliance_scans.id", ondelete="CASCADE"))
    account_ref: Mapped[int] = mapped_column(ForeignKey("cloud_accounts.id", ondelete="CASCADE"))
    framework: Mapped[str] = mapped_column(String(64))
    passed: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    muted: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ComplianceException(TenantOwned, Base):
    """A mute: one control (or all) on resources matching a pattern, until it expires."""

    __tablename__ = "compliance_exceptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_ref: Mapped[int | None] = mapped_column(
        ForeignKey("cloud_accounts.id", ondelete="CASCADE"), nullable=True
    )
    control_id: Mapped[str] = mapped_column(String(32))  # "*" for every control
    resource_pattern: Mapped[str] = mapped_column(String(2048))  # fnmatch pattern
    owner: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expiry_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
