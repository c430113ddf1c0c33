"""API shapes of compliance: accounts, scans, findings, exceptions, scores."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}")
NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"
Status = Literal["PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MUTED"]


def _regions(value: list[str]) -> list[str]:
    bad = [r for r in value if not REGION.fullmatch(r)]
    if bad:
        raise ValueError(f"not an AWS region name: {bad[0]!r} (e.g. eu-west-1)")
    return sorted(set(value))


class AccessKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_key_id: str = Field(pattern=r"^[A-Z0-9]{16,128}$")
    secret_access_key: str = Field(min_length=16, max_length=128)
    session_token: str | None = Field(default=None, max_length=4096)


class AssumeRole(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", max_length=2048
    )
    external_id: str | None = Field(default=None, min_length=2, max_length=1224)


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    provider: Literal["aws"] = "aws"
    account_id: str = Field(pattern=r"^[0-9]{12}$")
    regions: list[str] = Field(min_length=1, max_length=40)
    access_keys: AccessKeys | None = None
    assume_role: AssumeRole | None = None
    endpoint_url: AnyHttpUrl | None = Field(
        default=None, description="Stand-in endpoint, e.g. LocalStack or a moto server."
    )

    _check_regions = field_validator("regions")(_regions)

    @model_validator(mode="after")
    def _one_way_in(self) -> AccountCreate:
        if (self.access_keys is None) == (self.assume_role is None):
            raise ValueError("give exactly one of access_keys and assume_role")
        return self


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[str] | None = Field(default=None, min_length=1, max_length=40)
    access_keys: AccessKeys | None = None
    assume_role: AssumeRole | None = None
    endpoint_url: AnyHttpUrl | None = None

    @field_validator("regions")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _regions(value)

    @model_validator(mode="after")
    def _at_most_one_way_in(self) -> AccountUpdate:
        if self.access_keys is not None and self.assume_role is not None:
            raise ValueError("give at most one of access_keys and assume_role")
        return self


class AccountOut(BaseModel):
    id: int
    name: str
    provider: str
    account_id: str
    regions: list[str]
    auth: Literal["keys", "role"]
    access_key_id: str | None = Field(description="Masked; the secret is never returned.")
    role_arn: str | None
    endpoint_url: str | None
    created_at: datetime
    updated_at: datetime


class ScanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str = Field(min_length=1, max_length=63, description="Account name or id.")
    regions: list[str] | None = Field(default=None, min_length=1, max_length=40)
    controls: list[str] | None = Field(default=None, min_length=1, max_length=1000)
    framework: str | None = Field(default=None, max_length=64)

    @field_validator("regions")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _regions(value)


class Progress(BaseModel):
    done: int
    total: int
    label: str | None
    percent: float


class ScanOut(BaseModel):
    id: int
    account: str
    status: Literal["queued", "running", "succeeded", "failed"]
    regions: list[str]
    controls: int
    framework: str | None
    requested_by: dict[str, Any]
    progress: Progress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    error: str | None
    summary: dict[str, Any] | None = Field(
        description="counts by status, coverage, diff against the previous scan, scores, "
        "collection errors"
    )


class FindingOut(BaseModel):
    id: int
    account: str
    control_id: str
    title: str
    service: str
    severity: str
    resource_id: str
    resource_type: str
    region: str
    status: Status
    result: str = Field(description="What the control said before any exception applied.")
    details: str
    exception_id: int | None
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    last_scan_id: int
    evidence: dict[str, Any] | None = None
    remediation: dict[str, Any] | None = None
    frameworks: dict[str, list[dict[str, str]]] | None = None


class ExceptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(default=None, description="Account name or id; omit for all.")
    control_id: str = Field(description="A control id, or * for every control.", max_length=32)
    resource_pattern: str = Field(
        default="*", min_length=1, max_length=2048, description="fnmatch pattern over resource ids"
    )
    owner: str = Field(min_length=1, max_length=254)
    reason: str = Field(min_length=3, max_length=4000)
    expires_at: datetime = Field(description="RFC 3339; at most one year ahead.")

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a UTC offset, e.g. 2027-01-31T00:00:00Z")
        return value


class ExceptionOut(BaseModel):
    id: int
    account: str | None
    control_id: str
    resource_pattern: str
    owner: str
    reason: str
    expires_at: datetime
    created_by: dict[str, Any]
    created_at: datetime
    revoked_at: datetime | None
    state: Literal["active", "expired", "revoked"]


class ScoreOut(BaseModel):
    scan_id: int
    account: str
    framework: str
    score: float | None
    passed: int
    failed: int
    errors: int = Field(description="Not evaluated: shown apart, never counted as pass or fail.")
    muted: int
    at: datetime


class OpenFindings(BaseModel):
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    informational: int = 0


class ServiceCount(BaseModel):
    service: str
    count: int


class TrendPoint(BaseModel):
    at: datetime
    score: float | None
    scan_id: int
    account: str


class FrameworkTrend(BaseModel):
    id: str
    name: str
    score: float | None = Field(description="The newest point of `trend`; null when unscanned.")
    trend: list[TrendPoint] = Field(description="The last 30 scans' scores, oldest first.")


class ComplianceSummary(BaseModel):
    open_findings: OpenFindings = Field(
        description="Current FAIL findings (not muted, resource still there) by severity."
    )
    open_by_service: list[ServiceCount] = Field(description="The same, by service, most first.")
    muted: int
    errors: int = Field(description="Current findings a control could not evaluate.")
    accounts: int
    last_scan: ScanOut | None
    frameworks: list[FrameworkTrend]
