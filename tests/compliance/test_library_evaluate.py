"""evaluate(): one verdict per control and resource, ERROR for what could not be collected,
NOT_APPLICABLE for what is not there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sealtrail.compliance.inventory.model import CollectionError, Inventory, Resource
from sealtrail.compliance.library import evaluate, load_library
from sealtrail.errors import NotFound
from tests.compliance.test_library_controls import ACCOUNT, NOW, resource


def run(*resources: Resource, errors: list[CollectionError] | None = None, ids: list[str]) -> list:
    inventory = Inventory(ACCOUNT, ("eu-west-1", "us-east-1"), list(resources), errors or [])
    return evaluate(load_library(), inventory, ids, now=NOW)


def test_every_control_yields_at_least_one_evaluation_on_an_empty_inventory() -> None:
    results = evaluate(load_library(), Inventory(ACCOUNT, ("eu-west-1",)), now=NOW)
    assert len(results) == 43
    assert {r.status for r in results} == {"NOT_APPLICABLE"}
    first = results[0]
    assert first.control_id == "AWS-CFG-001"
    assert first.resource_id == f"{ACCOUNT}/global/aws.config.region"
    assert first.region == "global"
    assert first.evidence is None
    assert first.details == "no aws.config.region resource in the account"


def test_one_evaluation_per_resource_with_its_document_as_evidence() -> None:
    one = resource("aws.rds.instance")
    two = resource("aws.rds.instance", publicly_accessible=True)
    two.arn, two.region = "arn:aws:rds:us-east-1:1:db:two", "us-east-1"
    results = run(one, two, ids=["AWS-RDS-002"])
    assert [(r.resource_id, r.region, r.status) for r in results] == [
        (one.arn, "eu-west-1", "PASS"),
        (two.arn, "us-east-1", "FAIL"),
    ]
    assert results[1].evidence == two.document()
    assert results[1].resource_type == "aws.rds.instance"


def test_collection_error_gives_one_error_per_region_and_skips_that_region() -> None:
    errors = [
        CollectionError("aws.ec2.volume", "us-east-1", "ec2:DescribeVolumes", "AccessDenied"),
        CollectionError("aws.ec2.volume", "us-east-1", "ec2:DescribeVolumes", "Throttling"),
        CollectionError("aws.ec2.instance", "eu-west-1", "ec2:DescribeInstances", "AccessDenied"),
    ]
    in_error = resource("aws.ec2.volume", encrypted=False)
    in_error.region = "us-east-1"
    fine = resource("aws.ec2.volume")
    results = run(in_error, fine, errors=errors, ids=["AWS-EC2-006"])
    assert [(r.resource_id, r.status) for r in results] == [
        (f"{ACCOUNT}/us-east-1/aws.ec2.volume", "ERROR"),
        (fine.arn, "PASS"),
    ]
    assert results[0].details == (
        "ec2:DescribeVolumes failed: AccessDenied; ec2:DescribeVolumes failed: Throttling"
    )
    assert results[0].region == "us-east-1"
    assert results[0].evidence is None


def test_collection_error_without_resources_is_still_an_error_not_not_applicable() -> None:
    error = CollectionError("aws.iam.account", "global", "iam:GetAccountSummary", "AccessDenied")
    [result] = run(errors=[error], ids=["AWS-IAM-001"])
    assert (result.status, result.resource_id) == ("ERROR", f"{ACCOUNT}/global/aws.iam.account")
    assert "iam:GetAccountSummary failed: AccessDenied" in result.details


def test_unavailable_field_read_by_the_condition_is_an_error() -> None:
    account = resource(
        "aws.iam.account",
        unavailable={"password_policy": "AccessDenied: iam:GetAccountPasswordPolicy"},
        password_policy=None,
    )
    results = run(account, ids=["AWS-IAM-001", "AWS-IAM-003"])
    assert [r.status for r in results] == ["PASS", "ERROR"]  # IAM-001 does not read it
    assert results[1].details == (
        "password_policy could not be collected: AccessDenied: iam:GetAccountPasswordPolicy"
    )
    assert results[1].evidence is not None
    assert results[1].evidence["unavailable"] == account.unavailable


def test_unavailable_field_read_by_a_hook_is_an_error_before_the_hook_runs() -> None:
    bucket = resource("aws.s3.bucket", unavailable={"policy": "AccessDenied"}, policy=None)
    results = run(bucket, ids=["AWS-S3-004", "AWS-S3-008", "AWS-S3-006"])
    assert [r.status for r in results] == ["ERROR", "ERROR", "PASS"]
    assert results[0].details == "policy could not be collected: AccessDenied"


def test_unavailable_field_inside_a_list_blocks_a_quantifier_over_it() -> None:
    user = resource("aws.iam.user", unavailable={"access_keys": "AccessDenied"})
    assert [r.status for r in run(user, ids=["AWS-IAM-012", "AWS-IAM-010"])] == ["ERROR", "PASS"]


def test_applies_when_false_is_not_applicable_even_if_the_condition_could_not_be_read() -> None:
    user = resource("aws.iam.user", console_access=False, unavailable={"mfa_enabled": "x"})
    [result] = run(user, ids=["AWS-IAM-010"])
    assert result.status == "NOT_APPLICABLE"
    assert result.details == "does not apply: console_access is false, expected = true"
    assert result.resource_id == user.arn


def test_unavailable_field_read_by_applies_when_is_an_error() -> None:
    user = resource("aws.iam.user", unavailable={"console_access": "Throttling"})
    [result] = run(user, ids=["AWS-IAM-010"])
    assert (result.status, result.details) == (
        "ERROR",
        "console_access could not be collected: Throttling",
    )


def test_now_is_injectable() -> None:
    user = resource("aws.iam.user")  # its key was created 2025-04-01
    inventory = Inventory(ACCOUNT, ("eu-west-1",), [user])
    library = load_library()
    assert evaluate(library, inventory, ["AWS-IAM-012"], now=NOW)[0].status == "PASS"
    later = datetime(2025, 12, 1, tzinfo=UTC)
    assert evaluate(library, inventory, ["AWS-IAM-012"], now=later)[0].status == "FAIL"
    naive = datetime(2025, 12, 1)  # read as UTC
    assert evaluate(library, inventory, ["AWS-IAM-012"], now=naive)[0].status == "FAIL"


def test_requested_controls_are_evaluated_in_order_once() -> None:
    results = run(ids=["AWS-S3-001", "AWS-IAM-001", "AWS-S3-001"])
    assert [r.control_id for r in results] == ["AWS-S3-001", "AWS-IAM-001"]


def test_unknown_control_id_is_rejected() -> None:
    with pytest.raises(NotFound, match="AWS-NOPE-001"):
        run(ids=["AWS-IAM-001", "AWS-NOPE-001"])
