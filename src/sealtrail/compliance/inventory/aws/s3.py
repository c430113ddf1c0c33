"""S3: the account's Block Public Access, and every bucket of the scanned regions.

ListBuckets is global; a bucket's region comes from the listing (`BucketRegion`) or
GetBucketLocation, and its own calls go to a client of that region. Buckets outside
the scanned regions are left out. The account document is `global`.
"""

from __future__ import annotations

import json
from typing import Any

from sealtrail.compliance.inventory.aws.calls import (
    CallFailed,
    call,
    call_or_absent,
    field_value,
    pages,
)
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import GLOBAL, Resource

ACCOUNT = "aws.s3.account"
BUCKET = "aws.s3.bucket"
TYPES = frozenset({ACCOUNT, BUCKET})
NO_PUBLIC_ACCESS_BLOCK = ("NoSuchPublicAccessBlockConfiguration",)


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The S3 documents of `types`."""
    batch = Batch()
    if ACCOUNT in types:
        _account(scope, batch)
    if BUCKET in types:
        _buckets(scope, batch)
    return batch


def _account(scope: Scope, batch: Batch) -> None:
    s3control = scope.client("s3control", scope.home_region)
    try:
        answer = call_or_absent(
            s3control, "GetPublicAccessBlock", NO_PUBLIC_ACCESS_BLOCK, AccountId=scope.account_id
        )
    except CallFailed as failure:
        batch.fail([ACCOUNT], GLOBAL, failure)
        return
    batch.resources.append(
        Resource(
            arn=scope.account_arn("s3"),
            type=ACCOUNT,
            region=GLOBAL,
            account=scope.account_id,
            name=scope.account_id,
            config={"public_access_block": _public_access_block(answer)},
        )
    )


def _buckets(scope: Scope, batch: Batch) -> None:
    s3 = scope.client("s3", scope.home_region)
    try:
        listed = pages(s3, "ListBuckets", "Buckets")
    except CallFailed as failure:
        for scanned in scope.regions:
            batch.fail([BUCKET], scanned, failure)
        return
    wanted: list[tuple[str, str]] = []
    for name, located in scope.each(lambda bucket: _locate(s3, bucket), listed):
        if isinstance(located, CallFailed):
            # Its region is unknown, so every scanned region may be missing it.
            named = CallFailed(located.operation, located.code, f"bucket {name}: {located.message}")
            for scanned in scope.regions:
                batch.fail([BUCKET], scanned, named)
        elif located in scope.regions:
            wanted.append((name, located))
    batch.resources.extend(scope.each(lambda pair: _bucket(scope, *pair), wanted))


def _locate(s3: Any, bucket: dict[str, Any]) -> tuple[str, str | CallFailed]:
    name: str = bucket["Name"]
    if bucket.get("BucketRegion"):
        return name, str(bucket["BucketRegion"])
    try:
        constraint = call(s3, "GetBucketLocation", Bucket=name).get("LocationConstraint")
    except CallFailed as failure:
        return name, failure
    # Buckets of us-east-1 answer no constraint; "EU" is the old name of eu-west-1.
    return name, {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
        constraint, str(constraint)
    )


def _bucket(scope: Scope, name: str, region: str) -> Resource:
    s3 = scope.client("s3", region)
    unavailable: dict[str, str] = {}
    public_access_block = field_value(
        unavailable,
        "public_access_block",
        lambda: call_or_absent(s3, "GetPublicAccessBlock", NO_PUBLIC_ACCESS_BLOCK, Bucket=name),
    )
    policy = field_value(
        unavailable,
        "policy",
        lambda: call_or_absent(s3, "GetBucketPolicy", ("NoSuchBucketPolicy",), Bucket=name),
    )
    encryption = field_value(
        unavailable,
        "default_encryption",
        lambda: call_or_absent(
            s3,
            "GetBucketEncryption",
            ("ServerSideEncryptionConfigurationNotFoundError",),
            Bucket=name,
        ),
    )
    acl = field_value(unavailable, "acl_grants", lambda: call(s3, "GetBucketAcl", Bucket=name))
    versioning = field_value(
        unavailable, "versioning", lambda: call(s3, "GetBucketVersioning", Bucket=name)
    )
    logging = field_value(unavailable, "logging", lambda: call(s3, "GetBucketLogging", Bucket=name))
    config = {
        "name": name,
        "public_access_block": _public_access_block(public_access_block),
        "acl_grants": None if acl is None else [_grant(g) for g in acl.get("Grants", [])],
        "policy": json.loads(policy["Policy"]) if policy else None,
        "default_encryption": _default_encryption(encryption),
        "versioning": versioning.get("Status") if versioning else None,
        "logging": _logging(logging),
    }
    return Resource(
        arn=f"arn:{scope.partition}:s3:::{name}",
        type=BUCKET,
        region=region,
        account=scope.account_id,
        name=name,
        config=config,
        unavailable=unavailable,
    )


def _public_access_block(answer: dict[str, Any] | None) -> dict[str, bool] | None:
    if answer is None:
        return None
    block = answer["PublicAccessBlockConfiguration"]
    return {
        "block_public_acls": block.get("BlockPublicAcls", False),
        "ignore_public_acls": block.get("IgnorePublicAcls", False),
        "block_public_policy": block.get("BlockPublicPolicy", False),
        "restrict_public_buckets": block.get("RestrictPublicBuckets", False),
    }


def _grant(grant: dict[str, Any]) -> dict[str, Any]:
    grantee = grant.get("Grantee", {})
    return {
        "grantee_type": grantee.get("Type"),
        "grantee_uri": grantee.get("URI"),
        "permission": grant.get("Permission"),
    }


def _default_encryption(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    defaults = [
        r["ApplyServerSideEncryptionByDefault"]
        for r in rules
        if "ApplyServerSideEncryptionByDefault" in r
    ]
    if not defaults:
        return None
    return {
        "algorithm": defaults[0]["SSEAlgorithm"],
        "kms_key_id": defaults[0].get("KMSMasterKeyID"),
    }


def _logging(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    enabled = (answer or {}).get("LoggingEnabled")
    if not enabled:
        return None
    return {
        "target_bucket": enabled["TargetBucket"],
        "target_prefix": enabled.get("TargetPrefix", ""),
    }
