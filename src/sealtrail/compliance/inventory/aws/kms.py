"""KMS, per region: customer-managed keys that are enabled or disabled.

AWS-managed keys and keys pending deletion (or import) are left out. A key whose
DescribeKey fails is kept, its unknown fields marked unavailable: it may be ours.
"""

from __future__ import annotations

from typing import Any

from sealtrail.compliance.inventory.aws.calls import CallFailed, call, field_value, pages
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import Resource

KEY = "aws.kms.key"
TYPES = frozenset({KEY})
KEPT_STATES = frozenset({"Enabled", "Disabled"})
DESCRIBED_FIELDS = ("key_manager", "key_state", "key_spec", "rotation_enabled")


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The customer-managed KMS keys of `region`."""
    kms = scope.client("kms", region)
    batch = Batch()
    try:
        keys = pages(kms, "ListKeys", "Keys")
    except CallFailed as failure:
        batch.fail([KEY], region, failure)
        return batch
    described = scope.each(lambda key: _key(scope, kms, region, key), keys)
    batch.resources.extend(key for key in described if key is not None)
    return batch


def _key(scope: Scope, kms: Any, region: str, key: dict[str, Any]) -> Resource | None:
    key_id = key["KeyId"]
    unavailable: dict[str, str] = {}
    config: dict[str, Any] = {"key_id": key_id, **dict.fromkeys(DESCRIBED_FIELDS)}
    try:
        metadata = call(kms, "DescribeKey", KeyId=key_id)["KeyMetadata"]
    except CallFailed as failure:
        unavailable.update(dict.fromkeys(DESCRIBED_FIELDS, str(failure)))
    else:
        if metadata.get("KeyManager") != "CUSTOMER" or metadata["KeyState"] not in KEPT_STATES:
            return None
        config.update(
            key_manager=metadata["KeyManager"],
            key_state=metadata["KeyState"],
            key_spec=metadata.get("KeySpec", "SYMMETRIC_DEFAULT"),
        )
        # Only symmetric encryption keys with KMS-made material rotate automatically.
        if config["key_spec"] == "SYMMETRIC_DEFAULT" and metadata.get("Origin") == "AWS_KMS":
            status = field_value(
                unavailable,
                "rotation_enabled",
                lambda: call(kms, "GetKeyRotationStatus", KeyId=key_id),
            )
            config["rotation_enabled"] = None if status is None else status["KeyRotationEnabled"]
    return Resource(
        arn=key.get("KeyArn") or scope.arn("kms", region, f"key/{key_id}"),
        type=KEY,
        region=region,
        account=scope.account_id,
        name=key_id,
        config=config,
        unavailable=unavailable,
    )
