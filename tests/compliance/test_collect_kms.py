"""KMS collection: customer-managed keys, enabled or disabled, with their rotation."""

from __future__ import annotations

from moto.core.authorization import enable_iam_authentication
from moto.kms.models import kms_backends

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import ACCOUNT_ID, Moto

REGION = "eu-west-1"


def test_customer_keys_are_kept_with_rotation_where_it_applies(moto: Moto) -> None:
    kms = moto.client("kms", REGION)
    rotating = kms.create_key()["KeyMetadata"]
    kms.enable_key_rotation(KeyId=rotating["KeyId"])
    still = kms.create_key()["KeyMetadata"]
    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    doomed = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    aws_managed = kms.create_key()["KeyMetadata"]
    # Moto makes every key CUSTOMER-managed; mark one as AWS's own.
    kms_backends[ACCOUNT_ID][REGION].keys[aws_managed["KeyId"]].key_manager = "AWS"

    inventory = collect(moto.spec(regions=(REGION,)), resource_types={"aws.kms.key"})

    keys = {k.name: k for k in inventory.resources}
    assert set(keys) == {rotating["KeyId"], still["KeyId"], disabled["KeyId"], signing["KeyId"]}
    assert keys[rotating["KeyId"]].arn == rotating["Arn"]
    assert keys[rotating["KeyId"]].config == {
        "key_id": rotating["KeyId"],
        "key_manager": "CUSTOMER",
        "key_state": "Enabled",
        "key_spec": "SYMMETRIC_DEFAULT",
        "rotation_enabled": True,
    }
    assert keys[still["KeyId"]].config["rotation_enabled"] is False
    assert keys[disabled["KeyId"]].config["key_state"] == "Disabled"
    assert keys[signing["KeyId"]].config["key_spec"] == "RSA_2048"
    assert keys[signing["KeyId"]].config["rotation_enabled"] is None
    assert all(k.region == REGION and k.unavailable == {} for k in keys.values())


def test_denied_kms_listing_is_a_collection_error(moto: Moto) -> None:
    keys = moto.scanner("kms:ListKeys")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=(REGION,), credentials=keys), resource_types={"aws.kms.key"}
        )

    assert inventory.resources == []
    [error] = inventory.errors
    assert (error.resource_type, error.region, error.operation) == (
        "aws.kms.key",
        REGION,
        "kms:ListKeys",
    )
    assert error.reason.startswith("AccessDenied: ")


def test_denied_key_details_keep_the_key_with_unavailable_fields(moto: Moto) -> None:
    kms = moto.client("kms", REGION)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    keys = moto.scanner("kms:GetKeyRotationStatus")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=(REGION,), credentials=keys), resource_types={"aws.kms.key"}
        )

    [key] = inventory.resources
    assert key.name == key_id
    assert key.config["key_state"] == "Enabled"
    assert set(key.unavailable) == {"rotation_enabled"}
    assert key.unavailable["rotation_enabled"].startswith("kms:GetKeyRotationStatus: AccessDenied")


def test_an_undescribable_key_is_kept_with_its_details_unavailable(moto: Moto) -> None:
    key_id = moto.client("kms", REGION).create_key()["KeyMetadata"]["KeyId"]
    keys = moto.scanner("kms:DescribeKey")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=(REGION,), credentials=keys), resource_types={"aws.kms.key"}
        )

    [key] = inventory.resources
    assert key.config == {
        "key_id": key_id,
        "key_manager": None,
        "key_state": None,
        "key_spec": None,
        "rotation_enabled": None,
    }
    assert set(key.unavailable) == {"key_manager", "key_state", "key_spec", "rotation_enabled"}
    assert key.unavailable["key_state"].startswith("kms:DescribeKey: AccessDenied")
