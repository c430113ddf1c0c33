"""Compliance over HTTP on SQLite and PostgreSQL: accounts, scans against moto, findings,
diffs, exceptions, scores, exports and the trail."""

from __future__ import annotations

import csv
import io
import socket
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import update

from sealtrail.compliance.models import ComplianceException
from tests.conftest import bearer, drain, login, make_user

BASE = "/api/v1/compliance"
ACCOUNT_ID = "123456789012"  # moto's account
KEYS = {
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.Session(
            aws_access_key_id=KEYS["access_key_id"],
            aws_secret_access_key=KEYS["secret_access_key"],
            region_name=REGION,
        )


def account_body(name="prod", **overrides):
    body = {"name": name, "account_id": ACCOUNT_ID, "regions": [REGION], "access_keys": KEYS}
    body.update(overrides)
    return body


def seed(session):
    s3 = session.client("s3", region_name=REGION)
    for name in ("good-bucket", "bad-bucket"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="good-bucket", VersioningConfiguration={"Status": "Enabled"})
    ec2 = session.client("ec2", region_name=REGION)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="ssh-open", Description="x", VpcId=vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    return group["GroupId"]


def scan(client, runtime, tenant, **body):
    r = client.post(f"{BASE}/scans", json={"account": "prod", **body}, headers=tenant.auth("admin"))
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued"
    assert runtime.scan_worker().run_once() == 1
    done = client.get(f"{BASE}/scans/{r.json()['id']}", headers=tenant.auth("read")).json()
    assert done["status"] == "succeeded", done
    return done


def findings(client, tenant, **params):
    r = client.get(f"{BASE}/findings", params=params, headers=tenant.auth("read"))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def by_resource(items, control):
    return {f["resource_id"]: f for f in items if f["control_id"] == control}


def test_accounts_keep_their_secrets(client, runtime, tenant):
    r = client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["access_key_id"] == "AKIA…MPLE"
    assert KEYS["secret_access_key"] not in r.text
    listed = client.get(f"{BASE}/accounts", headers=tenant.auth("read"))
    assert KEYS["secret_access_key"] not in listed.text
    assert KEYS["access_key_id"] not in listed.text
    # Encrypted at rest: the database holds no plain secret.
    from sqlalchemy import select

    from sealtrail.compliance.models import CloudAccount

    with runtime.factory() as session:
        stored = session.scalar(select(CloudAccount.secret).where(CloudAccount.id == out["id"]))
    assert KEYS["secret_access_key"] not in stored
    assert (
        client.post(
            f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin")
        ).status_code
        == 409
    )
    r = client.patch(
        f"{BASE}/accounts/prod",
        json={"regions": ["us-east-1", REGION]},
        headers=tenant.auth("admin"),
    )
    assert r.json()["regions"] == ["eu-west-1", "us-east-1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (account_body(regions=["mars-north-1x"]), "regions"),
        (account_body(account_id="12"), "account_id"),
        (account_body(assume_role={"role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/audit"}), ""),
        (account_body(access_keys=None), ""),
        (account_body(endpoint_url="not a url"), "endpoint_url"),
    ],
)
def test_bad_accounts_are_refused_with_the_field(client, tenant, body, field):
    r = client.post(f"{BASE}/accounts", json=body, headers=tenant.auth("admin"))
    assert r.status_code == 422
    assert any(d["field"].startswith(field) for d in r.json()["error"]["details"])


def test_a_scan_finds_what_is_wrong_and_diffs_the_next_scan(client, runtime, tenant, aws):
    group = seed(aws)
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    first = scan(client, runtime, tenant, controls=["AWS-S3-006", "AWS-EC2-001"])
    assert first["progress"]["percent"] == 100.0
    assert first["duration_seconds"] >= 0
    summary = first["summary"]
    assert summary["counts"]["FAIL"] >= 2
    assert summary["coverage"]["evaluated"] == summary["coverage"]["applicable"] == 2
    assert summary["diff"]["counts"]["new"] == summary["counts"]["FAIL"]
    versioning = by_resource(findings(client, tenant), "AWS-S3-006")
    assert versioning["arn:aws:s3:::good-bucket"]["status"] == "PASS"
    bad = versioning["arn:aws:s3:::bad-bucket"]
    assert bad["status"] == "FAIL"
    ssh = [f for f in findings(client, tenant, control="AWS-EC2-001") if group in f["resource_id"]]
    assert ssh[0]["status"] == "FAIL"
    detail = client.get(f"{BASE}/findings/{bad['id']}", headers=tenant.auth("read")).json()
    assert detail["evidence"]["config"]["versioning"] is None
    assert detail["remediation"]["guidance"]
    assert detail["frameworks"]
    # Fix one, break the other: the next scan says so.
    aws.client("s3").put_bucket_versioning(
        Bucket="bad-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    aws.client("s3").put_bucket_versioning(
        Bucket="good-bucket", VersioningConfiguration={"Status": "Suspended"}
    )
    second = scan(client, runtime, tenant, controls=["AWS-S3-006", "AWS-EC2-001"])
    assert second["summary"]["diff"]["counts"] == {"new": 0, "resolved": 1, "regressed": 1}
    again = by_resource(findings(client, tenant), "AWS-S3-006")
    assert again["arn:aws:s3:::bad-bucket"]["resolved_at"]
    assert again["arn:aws:s3:::good-bucket"]["status"] == "FAIL"
    assert (
        again["arn:aws:s3:::good-bucket"]["first_seen"]
        == versioning["arn:aws:s3:::good-bucket"]["first_seen"]
    )
    # A deleted bucket leaves the current list.
    aws.client("s3").delete_bucket(Bucket="good-bucket")
    scan(client, runtime, tenant, controls=["AWS-S3-006"])
    assert "arn:aws:s3:::good-bucket" not in by_resource(findings(client, tenant), "AWS-S3-006")
    gone = by_resource(findings(client, tenant, include_gone="true"), "AWS-S3-006")
    assert gone["arn:aws:s3:::good-bucket"]["resolved_at"]


def test_scores_count_errors_and_mutes_apart(client, runtime, tenant, aws):
    seed(aws)
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    done = scan(client, runtime, tenant, framework="cis-aws-3.0")
    score = done["summary"]["scores"]["cis-aws-3.0"]
    assert score["score"] == round(score["passed"] / (score["passed"] + score["failed"]), 4)
    history = client.get(
        f"{BASE}/scores", params={"framework": "cis-aws-3.0"}, headers=tenant.auth("read")
    ).json()
    assert history[0]["scan_id"] == done["id"]
    framework = client.get(f"{BASE}/frameworks/cis-aws-3.0", headers=tenant.auth("read")).json()
    statuses = {r["status"] for r in framework["requirements"]}
    assert "manual" in statuses
    assert "FAIL" in statuses


def test_an_exception_mutes_then_its_expiry_reopens_and_both_are_in_the_trail(
    client, runtime, tenant, aws
):
    seed(aws)
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    scan(client, runtime, tenant, controls=["AWS-S3-006"])
    analyst = make_user(runtime, tenant.name, "analyst")
    token = bearer(login(client, analyst)["access_token"])
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    r = client.post(
        f"{BASE}/exceptions",
        json={
            "control_id": "AWS-S3-006",
            "resource_pattern": "arn:aws:s3:::bad-*",
            "owner": "data-team@example.com",
            "reason": "archive bucket, versioning not needed",
            "expires_at": expires,
        },
        headers=token,
    )
    assert r.status_code == 201, r.text
    exc = r.json()
    assert exc["state"] == "active"
    muted = by_resource(findings(client, tenant), "AWS-S3-006")["arn:aws:s3:::bad-bucket"]
    assert muted["status"] == "MUTED"
    assert muted["result"] == "FAIL"
    assert muted["exception_id"] == exc["id"]
    rescan = scan(client, runtime, tenant, controls=["AWS-S3-006"])
    assert rescan["summary"]["counts"]["MUTED"] == 1
    assert rescan["summary"]["counts"]["FAIL"] == 0
    # Time passes: the exception expires and the finding reopens, once, in the trail.
    with runtime.factory() as session, session.begin():
        session.execute(
            update(ComplianceException)
            .where(ComplianceException.id == exc["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    worker = runtime.scan_worker()
    assert worker.expire_exceptions(force=True) == 1
    assert worker.expire_exceptions(force=True) == 0
    reopened = by_resource(findings(client, tenant), "AWS-S3-006")["arn:aws:s3:::bad-bucket"]
    assert reopened["status"] == "FAIL"
    drain(runtime)
    actions = [
        e["action"]
        for e in client.get(
            "/api/v1/audit/events",
            params={"source": "sealtrail", "limit": 100},
            headers=tenant.auth("read"),
        ).json()["items"]
    ]
    for action in (
        "sealtrail.compliance.account.create",
        "sealtrail.compliance.scan.request",
        "sealtrail.compliance.scan.start",
        "sealtrail.compliance.scan.finish",
        "sealtrail.compliance.exception.create",
        "sealtrail.compliance.exception.expire",
    ):
        assert action in actions, action


def test_bad_exceptions_are_refused(client, runtime, tenant):
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    base = {"control_id": "AWS-S3-006", "owner": "o", "reason": "because"}
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    far = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    for body, field in [
        ({**base, "expires_at": past}, "expires_at"),
        ({**base, "expires_at": far}, "expires_at"),
        ({**base, "control_id": "NOPE-1", "expires_at": far}, "control_id"),
        ({**base, "expires_at": "2027-01-01T00:00:00"}, "expires_at"),
    ]:
        r = client.post(f"{BASE}/exceptions", json=body, headers=tenant.auth("admin"))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["field"] == field


def test_calls_that_fail_report_error_never_pass_or_fail(client, runtime, tenant):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    body = account_body(endpoint_url=f"http://127.0.0.1:{port}")
    client.post(f"{BASE}/accounts", json=body, headers=tenant.auth("admin"))
    done = scan(client, runtime, tenant, controls=["AWS-S3-006", "AWS-RDS-001"])
    counts = done["summary"]["counts"]
    assert counts["PASS"] == counts["FAIL"] == 0
    assert counts["ERROR"] >= 2
    assert done["summary"]["coverage"]["evaluated"] == 0
    assert done["summary"]["collection_errors"]
    errors = findings(client, tenant, status="ERROR")
    assert {f["control_id"] for f in errors} == {"AWS-S3-006", "AWS-RDS-001"}
    assert all(f["details"] for f in errors)


def test_scan_requests_are_validated(client, tenant):
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    for body, field in [
        ({"account": "prod", "controls": ["AWS-NOPE-1"]}, "controls"),
        ({"account": "prod", "framework": "nist-xyz"}, "framework"),
        ({"account": "prod", "regions": ["moon-1"]}, "regions"),
    ]:
        r = client.post(f"{BASE}/scans", json=body, headers=tenant.auth("admin"))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["field"] == field
    assert (
        client.post(
            f"{BASE}/scans", json={"account": "nope"}, headers=tenant.auth("admin")
        ).status_code
        == 404
    )


def test_findings_export_as_json_csv_and_ocsf(client, runtime, tenant, aws):
    seed(aws)
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))
    scan(client, runtime, tenant, controls=["AWS-S3-006"])
    as_json = client.get(
        f"{BASE}/findings/export", params={"format": "json"}, headers=tenant.auth("read")
    )
    assert {f["resource_id"] for f in as_json.json()} >= {"arn:aws:s3:::bad-bucket"}
    assert as_json.json()[0]["evidence"]
    first = client.get(
        f"{BASE}/findings/export",
        params={"format": "json", "limit": 1},
        headers=tenant.auth("read"),
    )
    assert first.json() == as_json.json()[:1]
    as_csv = client.get(
        f"{BASE}/findings/export", params={"format": "csv"}, headers=tenant.auth("read")
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["status"] for r in rows} == {"PASS", "FAIL"}
    ocsf = client.get(
        f"{BASE}/findings/export", params={"format": "ocsf"}, headers=tenant.auth("read")
    ).json()
    bad = next(e for e in ocsf if e["resources"][0]["uid"] == "arn:aws:s3:::bad-bucket")
    assert bad["class_uid"] == 2004
    assert bad["type_uid"] == 200401
    assert bad["cloud"]["account"]["uid"] == ACCOUNT_ID
    assert bad["finding_info"]["types"] == ["AWS-S3-006"]
    assert bad["severity_id"] in range(1, 6)
    assert bad["metadata"]["version"] == "1.1.0"


def test_frameworks_and_controls_are_browsable(client, tenant):
    frameworks = client.get(f"{BASE}/frameworks", headers=tenant.auth("read")).json()
    assert {f["id"] for f in frameworks} == {"iso27001-2022", "soc2-2017", "gdpr", "cis-aws-3.0"}
    assert all(f["manual"] + f["automated"] == f["requirements"] for f in frameworks)
    controls = client.get(f"{BASE}/controls", headers=tenant.auth("read")).json()
    assert len(controls) >= 40
    one = client.get(f"{BASE}/controls/AWS-S3-006", headers=tenant.auth("read")).json()
    assert one["remediation"]["guidance"]
    assert client.get(f"{BASE}/controls/NOPE", headers=tenant.auth("read")).status_code == 404
