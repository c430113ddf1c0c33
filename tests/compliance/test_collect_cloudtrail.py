"""CloudTrail collection: one account document with every trail the scanned regions see."""

from __future__ import annotations

from typing import Any

from moto.core.authorization import enable_iam_authentication

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import ACCOUNT_ID, OUTSIDE_REGION, REGIONS, Moto


def add_trail(moto: Moto, name: str, region: str, *, start: bool, **settings: Any) -> str:
    """A trail homed in `region` writing to its own bucket; its ARN."""
    location = {} if region == "us-east-1" else {"LocationConstraint": region}
    moto.client("s3", region).create_bucket(
        Bucket=f"{name}-logs", CreateBucketConfiguration=location
    )
    cloudtrail = moto.client("cloudtrail", region)
    arn = cloudtrail.create_trail(Name=name, S3BucketName=f"{name}-logs", **settings)["TrailARN"]
    if start:
        cloudtrail.start_logging(Name=name)
    return str(arn)


def test_trails_of_every_region_are_gathered_once_with_their_status(moto: Moto) -> None:
    key = moto.client("kms").create_key()["KeyMetadata"]["Arn"]
    main = add_trail(
        moto,
        "main",
        "us-east-1",
        start=True,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key,
    )
    local = add_trail(moto, "local", "eu-west-1", start=False)
    far = add_trail(moto, "far", OUTSIDE_REGION, start=True, IsMultiRegionTrail=True)
    add_trail(moto, "elsewhere", OUTSIDE_REGION, start=True)  # single-region, not scanned

    [account] = collect(moto.spec(), resource_types={"aws.cloudtrail.account"}).resources

    assert (account.arn, account.region, account.name) == (
        f"arn:aws:cloudtrail::{ACCOUNT_ID}:account",
        "global",
        ACCOUNT_ID,
    )
    assert account.unavailable == {}
    assert account.config["trails"] == sorted(
        [
            {
                "name": "main",
                "arn": main,
                "home_region": "us-east-1",
                "multi_region": True,
                "logging": True,
                "log_file_validation": True,
                "kms_key_id": key,
            },
            {
                "name": "local",
                "arn": local,
                "home_region": "eu-west-1",
                "multi_region": False,
                "logging": False,
                "log_file_validation": False,
                "kms_key_id": None,
            },
            {
                "name": "far",
                "arn": far,
                "home_region": OUTSIDE_REGION,
                "multi_region": True,
                "logging": True,
                "log_file_validation": False,
                "kms_key_id": None,
            },
        ],
        key=lambda t: str(t["arn"]),
    )


def test_an_account_without_trails_has_an_empty_list(moto: Moto) -> None:
    [account] = collect(moto.spec(), resource_types={"aws.cloudtrail.account"}).resources

    assert account.config == {"trails": []}


def test_denied_cloudtrail_is_a_collection_error_in_every_region(moto: Moto) -> None:
    keys = moto.scanner("cloudtrail:DescribeTrails")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types={"aws.cloudtrail.account"})

    assert inventory.resources == []
    assert sorted((e.region, e.operation) for e in inventory.errors) == [
        (region, "cloudtrail:DescribeTrails") for region in sorted(REGIONS)
    ]
    assert all(e.reason.startswith("AccessDenied: ") for e in inventory.errors)


def test_denied_trail_status_leaves_the_trails_unavailable(moto: Moto) -> None:
    add_trail(moto, "main", "us-east-1", start=True, IsMultiRegionTrail=True)
    keys = moto.scanner("cloudtrail:GetTrailStatus")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types={"aws.cloudtrail.account"})

    assert inventory.errors == []
    [account] = inventory.resources
    assert account.config == {"trails": None}
    assert account.unavailable["trails"].startswith("cloudtrail:GetTrailStatus: AccessDenied")
