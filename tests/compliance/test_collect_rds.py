"""RDS collection: database instances per region."""

from __future__ import annotations

from typing import Any

from moto.core.authorization import enable_iam_authentication

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import ACCOUNT_ID, REGIONS, Moto, by_name


def create_db(moto: Moto, name: str, region: str, **settings: Any) -> None:
    """A small PostgreSQL instance."""
    moto.client("rds", region).create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="sealtrail",
        MasterUserPassword="not-a-real-secret-1",
        **settings,
    )


def test_instances_are_collected_in_their_regions_with_both_values(moto: Moto) -> None:
    create_db(
        moto,
        "hardened",
        "eu-west-1",
        StorageEncrypted=True,
        PubliclyAccessible=False,
        BackupRetentionPeriod=14,
        MultiAZ=True,
        DeletionProtection=True,
    )
    create_db(
        moto,
        "exposed",
        "ap-southeast-2",
        StorageEncrypted=False,
        PubliclyAccessible=True,
        BackupRetentionPeriod=0,
        MultiAZ=False,
        DeletionProtection=False,
    )

    instances = by_name(collect(moto.spec(), resource_types={"aws.rds.instance"}).resources)

    hardened, exposed = instances["hardened"], instances["exposed"]
    assert (hardened.region, hardened.arn) == (
        "eu-west-1",
        f"arn:aws:rds:eu-west-1:{ACCOUNT_ID}:db:hardened",
    )
    assert hardened.config == {
        "identifier": "hardened",
        "engine": "postgres",
        "storage_encrypted": True,
        "publicly_accessible": False,
        "backup_retention_days": 14,
        "multi_az": True,
        "deletion_protection": True,
    }
    assert exposed.region == "ap-southeast-2"
    assert exposed.config == {
        "identifier": "exposed",
        "engine": "postgres",
        "storage_encrypted": False,
        "publicly_accessible": True,
        "backup_retention_days": 0,
        "multi_az": False,
        "deletion_protection": False,
    }


def test_denied_rds_is_a_collection_error_in_every_region(moto: Moto) -> None:
    create_db(moto, "hidden", "us-east-1")
    keys = moto.scanner("rds:DescribeDBInstances")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types={"aws.rds.instance"})

    assert inventory.resources == []
    assert [(e.region, e.operation) for e in inventory.errors] == [
        (region, "rds:DescribeDBInstances") for region in sorted(REGIONS)
    ]
    assert all(e.reason.startswith("AccessDenied: ") for e in inventory.errors)
