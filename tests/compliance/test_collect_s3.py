"""S3 collection: the account's Block Public Access and buckets in the scanned regions."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber
from moto.core.authorization import enable_iam_authentication

from sealtrail.compliance.inventory.aws import collect
from sealtrail.compliance.inventory.aws.s3 import _locate
from sealtrail.compliance.inventory.aws.session import new_session
from tests.compliance.conftest import ACCOUNT_ID, OUTSIDE_REGION, REGIONS, Moto, by_name

BOTH = {"aws.s3.account", "aws.s3.bucket"}
ALL_BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
DENY_HTTP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::locked/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::open/*",
        }
    ],
}


def make_bucket(moto: Moto, name: str, region: str) -> None:
    """A bucket in `region`."""
    location = {} if region == "us-east-1" else {"LocationConstraint": region}
    moto.client("s3", region).create_bucket(Bucket=name, CreateBucketConfiguration=location)


def test_only_buckets_of_the_scanned_regions_are_kept_each_with_its_region(moto: Moto) -> None:
    for region in (*REGIONS, OUTSIDE_REGION):
        make_bucket(moto, f"bucket-{region}", region)

    buckets = collect(moto.spec(), resource_types={"aws.s3.bucket"}).resources

    assert {(b.name, b.region, b.arn) for b in buckets} == {
        (f"bucket-{region}", region, f"arn:aws:s3:::bucket-{region}") for region in REGIONS
    }


def test_bucket_documents_show_each_setting_present_and_absent(moto: Moto) -> None:
    make_bucket(moto, "locked", "eu-west-1")
    make_bucket(moto, "locked-logs", "eu-west-1")
    make_bucket(moto, "open", "ap-southeast-2")
    s3 = moto.client("s3", "eu-west-1")
    s3.put_public_access_block(Bucket="locked", PublicAccessBlockConfiguration=ALL_BLOCKED)
    s3.put_bucket_policy(Bucket="locked", Policy=json.dumps(DENY_HTTP))
    s3.put_bucket_encryption(
        Bucket="locked",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/buckets",
                    }
                }
            ]
        },
    )
    s3.put_bucket_versioning(Bucket="locked", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_acl(Bucket="locked-logs", ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket="locked",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "locked-logs", "TargetPrefix": "s3/"}
        },
    )
    s3_open = moto.client("s3", "ap-southeast-2")
    s3_open.put_bucket_acl(Bucket="open", ACL="public-read")
    s3_open.put_bucket_policy(Bucket="open", Policy=json.dumps(PUBLIC_READ))
    s3_open.put_bucket_versioning(Bucket="open", VersioningConfiguration={"Status": "Suspended"})

    buckets = by_name(collect(moto.spec(), resource_types={"aws.s3.bucket"}).resources)

    locked, open_ = buckets["locked"].config, buckets["open"].config
    assert locked["name"] == "locked"
    assert locked["public_access_block"] == {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": True,
    }
    assert [g["grantee_type"] for g in locked["acl_grants"]] == ["CanonicalUser"]
    assert locked["policy"] == DENY_HTTP
    assert locked["default_encryption"] == {"algorithm": "aws:kms", "kms_key_id": "alias/buckets"}
    assert locked["versioning"] == "Enabled"
    assert locked["logging"] == {"target_bucket": "locked-logs", "target_prefix": "s3/"}
    assert open_["public_access_block"] is None
    assert {
        "grantee_type": "Group",
        "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers",
        "permission": "READ",
    } in open_["acl_grants"]
    assert open_["policy"] == PUBLIC_READ
    assert open_["default_encryption"] is None
    assert open_["versioning"] == "Suspended"
    assert open_["logging"] is None
    assert buckets["locked-logs"].config["versioning"] is None
    assert all(b.unavailable == {} for b in buckets.values())


@pytest.mark.parametrize("blocked", [True, False])
def test_account_block_public_access_is_reported_or_none(moto: Moto, blocked: bool) -> None:
    if blocked:
        moto.client("s3control").put_public_access_block(
            AccountId=ACCOUNT_ID,
            PublicAccessBlockConfiguration={**ALL_BLOCKED, "RestrictPublicBuckets": False},
        )

    [account] = collect(moto.spec(), resource_types={"aws.s3.account"}).resources

    assert (account.arn, account.region, account.name) == (
        f"arn:aws:s3::{ACCOUNT_ID}:account",
        "global",
        ACCOUNT_ID,
    )
    expected = {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": False,
    }
    assert account.config == {"public_access_block": expected if blocked else None}


@pytest.mark.parametrize(
    ("constraint", "region"),
    [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"), ("eu-central-1", "eu-central-1")],
)
def test_bucket_location_constraints_name_regions(constraint: str | None, region: str) -> None:
    # Moto refuses to create an "EU" bucket, so the answer is stubbed.
    s3 = new_session("testing", "testing", None, "us-east-1").client("s3")
    with Stubber(s3) as stub:
        stub.add_response(
            "get_bucket_location",
            {"LocationConstraint": constraint} if constraint is not None else {},
        )
        assert _locate(s3, {"Name": "old-bucket"}) == ("old-bucket", region)


def test_denied_s3_is_a_collection_error_in_every_scanned_region(moto: Moto) -> None:
    make_bucket(moto, "hidden", "eu-west-1")
    keys = moto.scanner("s3:*")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types=BOTH)

    assert inventory.resources == []
    assert {(e.resource_type, e.region, e.operation) for e in inventory.errors} == {
        ("aws.s3.account", "global", "s3:GetPublicAccessBlock"),
        *(("aws.s3.bucket", region, "s3:ListBuckets") for region in REGIONS),
    }
    assert all(e.reason.startswith("AccessDenied: ") for e in inventory.errors)


def test_a_denied_bucket_policy_leaves_the_rest_of_the_bucket(moto: Moto) -> None:
    make_bucket(moto, "kept", "us-east-1")
    moto.client("s3").put_bucket_versioning(
        Bucket="kept", VersioningConfiguration={"Status": "Enabled"}
    )
    keys = moto.scanner("s3:GetBucketPolicy")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types={"aws.s3.bucket"})

    assert inventory.errors == []
    [bucket] = inventory.resources
    assert set(bucket.unavailable) == {"policy"}
    assert bucket.unavailable["policy"].startswith("s3:GetBucketPolicy: AccessDenied")
    assert bucket.config["policy"] is None
    assert bucket.config["versioning"] == "Enabled"
    assert bucket.config["default_encryption"] is None


def test_a_bucket_of_unknown_region_is_an_error_in_every_scanned_region(moto: Moto) -> None:
    make_bucket(moto, "somewhere", "ap-southeast-2")
    keys = moto.scanner("s3:GetBucketLocation")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types={"aws.s3.bucket"})

    assert inventory.resources == []
    assert sorted((e.region, e.operation) for e in inventory.errors) == [
        (region, "s3:GetBucketLocation") for region in sorted(REGIONS)
    ]
    assert all(e.reason.startswith("AccessDenied: bucket somewhere: ") for e in inventory.errors)
