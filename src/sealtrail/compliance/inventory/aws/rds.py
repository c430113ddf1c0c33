"""RDS, per region: database instances."""

from __future__ import annotations

from typing import Any

from sealtrail.compliance.inventory.aws.calls import CallFailed, pages
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import Resource

INSTANCE = "aws.rds.instance"
TYPES = frozenset({INSTANCE})


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The RDS instances of `region`."""
    batch = Batch()
    try:
        instances = pages(scope.client("rds", region), "DescribeDBInstances", "DBInstances")
    except CallFailed as failure:
        batch.fail([INSTANCE], region, failure)
        return batch
    batch.resources.extend(_instance(scope, region, db) for db in instances)
    return batch


def _instance(scope: Scope, region: str, db: dict[str, Any]) -> Resource:
    identifier = db["DBInstanceIdentifier"]
    return Resource(
        arn=db.get("DBInstanceArn") or scope.arn("rds", region, f"db:{identifier}"),
        type=INSTANCE,
        region=region,
        account=scope.account_id,
        name=identifier,
        config={
            "identifier": identifier,
            "engine": db["Engine"],
            "storage_encrypted": bool(db.get("StorageEncrypted", False)),
            "publicly_accessible": bool(db.get("PubliclyAccessible", False)),
            "backup_retention_days": int(db.get("BackupRetentionPeriod", 0)),
            "multi_az": bool(db.get("MultiAZ", False)),
            "deletion_protection": bool(db.get("DeletionProtection", False)),
        },
    )
