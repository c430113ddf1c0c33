"""`GET /api/v1/compliance/summary` on SQLite and PostgreSQL: the dashboard's counts agree
with the findings, scans and scores behind them, for the caller's tenant only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from sealtrail.compliance.models import Finding, Scan, Score
from sealtrail.db.tenancy import bind_tenant
from sealtrail.identity.schemas import Role
from tests.conftest import bearer, login, make_tenant, make_user

BASE = "/api/v1/compliance"
SUMMARY = f"{BASE}/summary"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
_resources = count()


def add_account(client, tenant, name: str) -> int:
    body = {
        "name": name,
        "account_id": "123456789012",
        "regions": ["eu-west-1"],
        "access_keys": {
            "access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        },
    }
    r = client.post(f"{BASE}/accounts", json=body, headers=tenant.auth("admin"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def add_scan(runtime, tenant, account: int, *, status="succeeded", at=T0) -> int:
    with runtime.factory() as session, session.begin():
        bind_tenant(session, tenant.id)
        scan = Scan(
            account_ref=account,
            status=status,
            regions=["eu-west-1"],
            control_ids=["AWS-S3-006"],
            requested_by={"type": "api_key", "id": "test"},
            created_at=at,
            started_at=at,
            finished_at=at + timedelta(minutes=1) if status == "succeeded" else None,
        )
        session.add(scan)
        session.flush()
        return scan.id


def add_finding(runtime, tenant, account: int, scan: int, **fields) -> None:
    row = {
        "control_id": "AWS-S3-006",
        "service": "s3",
        "resource_id": f"arn:aws:s3:::bucket-{next(_resources)}",
        "resource_type": "aws.s3.bucket",
        "region": "eu-west-1",
        "status": "FAIL",
        "severity": "medium",
        "details": "x",
        "first_seen": T0,
        "last_seen": T0,
        **fields,
    }
    row.setdefault("result", row["status"] if row["status"] != "MUTED" else "FAIL")
    with runtime.factory() as session, session.begin():
        bind_tenant(session, tenant.id)
        session.add(Finding(account_ref=account, last_scan_id=scan, **row))


def add_score(runtime, tenant, account: int, scan: int, framework: str, score, at) -> None:
    with runtime.factory() as session, session.begin():
        bind_tenant(session, tenant.id)
        session.add(
            Score(
                scan_id=scan,
                account_ref=account,
                framework=framework,
                passed=1,
                failed=1,
                errors=0,
                muted=0,
                score=score,
                created_at=at,
            )
        )


def summary(client, tenant) -> dict:
    r = client.get(SUMMARY, headers=tenant.auth("read"))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_tenant_without_accounts_has_an_empty_summary(client, runtime, tenant):
    got = summary(client, tenant)
    frameworks = client.get(f"{BASE}/frameworks", headers=tenant.auth("read")).json()
    assert got == {
        "open_findings": {"critical": 0, "high": 0, "medium": 0, "low": 0, "informational": 0},
        "open_by_service": [],
        "muted": 0,
        "errors": 0,
        "accounts": 0,
        "last_scan": None,
        "frameworks": [
            {"id": f["id"], "name": f["name"], "score": None, "trend": []} for f in frameworks
        ],
    }


@pytest.fixture
def estate(client, runtime, tenant):
    """Two accounts, a finished and a running scan, findings of every kind."""
    prod = add_account(client, tenant, "prod")
    dev = add_account(client, tenant, "dev")
    scan = add_scan(runtime, tenant, prod)
    open_ = [
        ("critical", "iam"),
        ("high", "s3"),
        ("high", "s3"),
        ("medium", "ec2"),
        ("low", "s3"),
        ("informational", "kms"),
        ("high", "iam"),
    ]
    for severity, service in open_:
        add_finding(runtime, tenant, prod, scan, severity=severity, service=service)
    add_finding(runtime, tenant, dev, scan, severity="critical", service="rds")
    # Not open: gone, muted, not evaluated, passing.
    add_finding(runtime, tenant, prod, scan, severity="critical", service="s3", present=False)
    add_finding(runtime, tenant, prod, scan, status="MUTED", severity="high", exception_id=1)
    add_finding(runtime, tenant, prod, scan, status="MUTED", severity="low", exception_id=1)
    add_finding(runtime, tenant, prod, scan, status="ERROR", severity="medium")
    add_finding(runtime, tenant, prod, scan, status="ERROR", severity="high", present=False)
    add_finding(runtime, tenant, prod, scan, status="PASS", severity="critical")
    # Running, not queued: on PostgreSQL the database outlives the test, and a queued scan
    # would be claimed by another test's scan worker.
    latest = add_scan(runtime, tenant, dev, status="running", at=T0 + timedelta(days=1))
    return {"prod": prod, "dev": dev, "scan": scan, "latest": latest}


def test_open_findings_are_current_fails_by_severity_and_service(client, tenant, estate):
    got = summary(client, tenant)
    assert got["open_findings"] == {
        "critical": 2,
        "high": 3,
        "medium": 1,
        "low": 1,
        "informational": 1,
    }
    assert got["open_by_service"] == [  # most first, then by name
        {"service": "s3", "count": 3},
        {"service": "iam", "count": 2},
        {"service": "ec2", "count": 1},
        {"service": "kms", "count": 1},
        {"service": "rds", "count": 1},
    ]
    assert got["muted"] == 2
    assert got["errors"] == 1
    assert got["accounts"] == 2
    # The same numbers as the findings list says.
    listed = client.get(
        f"{BASE}/findings", params={"status": "FAIL", "limit": 500}, headers=tenant.auth("read")
    ).json()["items"]
    assert sum(got["open_findings"].values()) == len(listed)


def test_the_last_scan_is_the_newest_as_the_scans_list_shows_it(client, tenant, estate):
    got = summary(client, tenant)["last_scan"]
    scans = client.get(f"{BASE}/scans", headers=tenant.auth("read")).json()
    assert got["id"] == estate["latest"]
    assert got["status"] == "running"
    assert got["account"] == "dev"
    assert {k: v for k, v in got.items() if k != "duration_seconds"} == {
        k: v for k, v in scans[0].items() if k != "duration_seconds"
    }


def test_a_framework_trend_is_its_last_30_scores_across_accounts_oldest_first(
    client, runtime, tenant, estate
):
    points = []
    for i in range(35):
        account = estate["prod"] if i % 2 else estate["dev"]
        scan = add_scan(runtime, tenant, account, at=T0 + timedelta(hours=i))
        score = None if i == 34 else round(i / 40, 4)
        add_score(runtime, tenant, account, scan, "cis-aws-3.0", score, T0 + timedelta(hours=i))
        points.append((scan, score, "prod" if i % 2 else "dev"))
    got = {f["id"]: f for f in summary(client, tenant)["frameworks"]}
    cis = got["cis-aws-3.0"]
    assert [(p["scan_id"], p["score"], p["account"]) for p in cis["trend"]] == points[-30:]
    assert [p["at"] for p in cis["trend"]] == sorted(p["at"] for p in cis["trend"])
    assert cis["score"] is None  # the newest scan could not score it
    assert got["soc2-2017"]["trend"] == []
    assert got["soc2-2017"]["score"] is None
    # Each point is a point of the scores endpoint.
    scores = client.get(
        f"{BASE}/scores", params={"framework": "cis-aws-3.0"}, headers=tenant.auth("read")
    ).json()
    by_scan = {s["scan_id"]: s for s in scores}
    for point in cis["trend"]:
        assert by_scan[point["scan_id"]]["score"] == point["score"]
        assert by_scan[point["scan_id"]]["at"] == point["at"]


def test_another_tenant_counts_none_of_it(client, runtime, tenant, estate):
    other = make_tenant(runtime)
    mine = add_account(client, other, "prod")
    scan = add_scan(runtime, other, mine)
    add_finding(runtime, other, mine, scan, severity="low", service="logs")
    add_score(runtime, other, mine, scan, "gdpr", 0.5, T0)
    theirs = summary(client, other)
    assert theirs["open_findings"] == {
        "critical": 0,
        "high": 0,
        "medium": 0,
        "low": 1,
        "informational": 0,
    }
    assert theirs["open_by_service"] == [{"service": "logs", "count": 1}]
    assert (theirs["muted"], theirs["errors"], theirs["accounts"]) == (0, 0, 1)
    assert theirs["last_scan"]["id"] == scan
    assert [len(f["trend"]) for f in theirs["frameworks"] if f["id"] == "gdpr"] == [1]
    assert all(not f["trend"] for f in theirs["frameworks"] if f["id"] != "gdpr")
    assert summary(client, tenant)["open_findings"]["low"] == 1  # unchanged by the other


def test_every_role_may_read_it_an_ingest_key_may_not(client, runtime, tenant):
    for role in Role:
        token = login(client, make_user(runtime, tenant.name, role.value))["access_token"]
        assert client.get(SUMMARY, headers=bearer(token)).status_code == 200, role
    r = client.get(SUMMARY, headers=tenant.auth("ingest"))
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"required_permission": "compliance.read"}
