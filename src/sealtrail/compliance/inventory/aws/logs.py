"""CloudWatch Logs, per region: log groups and their retention."""

from __future__ import annotations

from typing import Any

from sealtrail.compliance.inventory.aws.calls import CallFailed, pages
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import Resource

LOG_GROUP = "aws.logs.log_group"
TYPES = frozenset({LOG_GROUP})


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The log groups of `region`."""
    batch = Batch()
    try:
        groups = pages(scope.client("logs", region), "DescribeLogGroups", "logGroups")
    except CallFailed as failure:
        batch.fail([LOG_GROUP], region, failure)
        return batch
    batch.resources.extend(_log_group(scope, region, group) for group in groups)
    return batch


def _log_group(scope: Scope, region: str, group: dict[str, Any]) -> Resource:
    name = group["logGroupName"]
    # `arn` ends in ":*" (it names the streams too); `logGroupArn` is the group's own.
    arn = group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*")
    return Resource(
        arn=arn or scope.arn("logs", region, f"log-group:{name}"),
        type=LOG_GROUP,
        region=region,
        account=scope.account_id,
        name=name,
        config={"name": name, "retention_days": group.get("retentionInDays")},
    )
