"""An answer of an unexpected shape from one AWS call is an ERROR of the controls that
need it, like any other failed call: the rest of the scan goes on.

The answers are made malformed by a botocore `after-call` hook, on the real clients
talking to moto, after botocore has parsed them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.handlers
import pytest

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import Moto
from tests.compliance.test_api import BASE, REGION, account_body, findings, scan, seed

Mutate = Callable[[dict[str, Any]], None]


@pytest.fixture
def malform(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Mutate], None]:
    """`malform("kms.DescribeKey", mutate)`: every later answer of that call is mutated."""

    def install(call: str, mutate: Mutate) -> None:
        def hook(parsed: dict[str, Any], **_: Any) -> None:
            mutate(parsed)

        # Sessions register the built-in handlers when created: the collectors' too.
        handlers = [*botocore.handlers.BUILTIN_HANDLERS, (f"after-call.{call}", hook)]
        monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", handlers)

    return install


def test_a_missing_key_is_an_error_of_that_type_only(moto: Moto, malform) -> None:
    kms = moto.client("kms", REGION)
    kms.create_key()
    moto.client("s3", REGION).create_bucket(
        Bucket="kept", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    malform("kms.DescribeKey", lambda answer: answer.pop("KeyMetadata"))

    inventory = collect(
        moto.spec(regions=(REGION,)), resource_types={"aws.kms.key", "aws.s3.bucket"}
    )

    [error] = inventory.errors
    assert (error.resource_type, error.region, error.operation) == (
        "aws.kms.key",
        REGION,
        "kms:DescribeKey",
    )
    assert error.reason.startswith("MalformedResponse: ")
    assert "KeyMetadata" in error.reason
    assert [r.name for r in inventory.resources] == ["kept"]


def test_a_value_of_the_wrong_type_is_an_error_too(moto: Moto, malform) -> None:
    malform("cloudtrail.DescribeTrails", lambda answer: answer.update(trailList=7))

    inventory = collect(moto.spec(regions=(REGION,)), resource_types={"aws.cloudtrail.account"})

    assert {(e.resource_type, e.operation) for e in inventory.errors} == {
        ("aws.cloudtrail.account", "cloudtrail:DescribeTrails")
    }
    assert all(e.reason.startswith("MalformedResponse: ") for e in inventory.errors)


def test_a_scan_with_a_malformed_answer_succeeds_with_error_results(
    client, runtime, tenant, moto: Moto, malform
):
    seed(moto.session)
    moto.client("kms", REGION).create_key()
    malform("kms.DescribeKey", lambda answer: answer["KeyMetadata"].pop("KeyState"))
    client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth("admin"))

    done = scan(client, runtime, tenant, controls=["AWS-KMS-001", "AWS-S3-006"])

    errors = findings(client, tenant, status="ERROR")
    assert {f["control_id"] for f in errors} == {"AWS-KMS-001"}
    assert all("kms:DescribeKey" in f["details"] for f in errors)
    judged = findings(client, tenant, control="AWS-S3-006")
    assert {f["status"] for f in judged} == {"PASS", "FAIL"}
    assert done["summary"]["collection_errors"]
