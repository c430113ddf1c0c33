"""`sealtrail scan aws`: a scan from the command line, its summary and its exit status."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws
from typer.testing import CliRunner

from sealtrail.api.app import create_app
from sealtrail.cli.main import app
from sealtrail.config import Settings
from sealtrail.runtime import Runtime
from tests.compliance.test_api import REGION, account_body

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in [k for k in os.environ if k.startswith("SEALTRAIL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    d = tmp_path / "state"
    assert runner.invoke(app, ["migrate", "--data-dir", str(d)]).exit_code == 0
    assert runner.invoke(app, ["tenants", "create", "acme", "--data-dir", str(d)]).exit_code == 0
    key = (
        runner.invoke(
            app, ["keys", "create", "--tenant", "acme", "--scope", "admin", "--data-dir", str(d)]
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    runtime = Runtime.build(Settings(data_dir=d))
    with TestClient(create_app(runtime)) as client:
        r = client.post(
            "/api/v1/compliance/accounts",
            json=account_body(),
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 201
    runtime.close()
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(
            Bucket="no-versioning", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield d


def scan(data, *extra):
    return runner.invoke(
        app,
        ["scan", "aws", "--account", "prod", "--tenant", "acme", "--data-dir", str(data), *extra],
    )


def test_scan_prints_a_summary_and_scores(data):
    r = scan(data, "--framework", "cis-aws-3.0")
    assert r.exit_code == 0, r.output
    assert "Scan 1 finished" in r.output
    assert "cis-aws-3.0" in r.output
    assert "FAIL" in r.output


def test_fail_on_gives_a_ci_friendly_exit_status(data):
    assert scan(data, "--control", "AWS-S3-006", "--fail-on", "low").exit_code == 3
    assert scan(data, "--control", "AWS-S3-006", "--fail-on", "critical").exit_code == 0


def test_bad_arguments_are_refused_clearly(data):
    r = scan(data, "--control", "AWS-NOPE")
    assert r.exit_code == 1
    assert "unknown control" in r.output
    r = scan(data, "--region", "moon-1")
    assert r.exit_code == 1
    assert "region" in r.output
    r = scan(data, "--fail-on", "dire")
    assert r.exit_code == 1
    r = runner.invoke(
        app, ["scan", "aws", "--account", "nope", "--tenant", "acme", "--data-dir", str(data)]
    )
    assert r.exit_code == 1
    assert "no cloud account" in r.output
