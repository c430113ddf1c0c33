"""CloudWatch Logs collection: log groups and their retention."""

from __future__ import annotations

from moto.core.authorization import enable_iam_authentication

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import ACCOUNT_ID, Moto, by_name


def test_log_groups_carry_their_retention_or_none(moto: Moto) -> None:
    logs = moto.client("logs", "ap-southeast-2")
    logs.create_log_group(logGroupName="/app/kept")
    logs.put_retention_policy(logGroupName="/app/kept", retentionInDays=365)
    logs.create_log_group(logGroupName="/app/forever")

    groups = by_name(collect(moto.spec(), resource_types={"aws.logs.log_group"}).resources)

    assert set(groups) == {"/app/kept", "/app/forever"}
    kept = groups["/app/kept"]
    assert (kept.region, kept.arn) == (
        "ap-southeast-2",
        f"arn:aws:logs:ap-southeast-2:{ACCOUNT_ID}:log-group:/app/kept",
    )
    assert kept.config == {"name": "/app/kept", "retention_days": 365}
    assert groups["/app/forever"].config == {"name": "/app/forever", "retention_days": None}


def test_denied_logs_is_a_collection_error(moto: Moto) -> None:
    keys = moto.scanner("logs:DescribeLogGroups")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=("eu-west-1",), credentials=keys),
            resource_types={"aws.logs.log_group"},
        )

    [error] = inventory.errors
    assert (error.resource_type, error.region, error.operation) == (
        "aws.logs.log_group",
        "eu-west-1",
        "logs:DescribeLogGroups",
    )
    assert error.reason.startswith("AccessDenied: ")
