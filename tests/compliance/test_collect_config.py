"""AWS Config collection: recorders per region and whether one records."""

from __future__ import annotations

from moto.core.authorization import enable_iam_authentication

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import ACCOUNT_ID, Moto


def add_recorder(moto: Moto, region: str, *, start: bool, all_supported: bool) -> None:
    """A recorder named "default" in `region`, started or not."""
    config = moto.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/config",
            "recordingGroup": {"allSupported": all_supported, "includeGlobalResourceTypes": False}
            if all_supported
            else {"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]},
        }
    )
    if start:
        location = {} if region == "us-east-1" else {"LocationConstraint": region}
        moto.client("s3", region).create_bucket(
            Bucket=f"config-{region}", CreateBucketConfiguration=location
        )
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": f"config-{region}"}
        )
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def test_each_region_says_whether_a_recorder_records(moto: Moto) -> None:
    add_recorder(moto, "us-east-1", start=True, all_supported=True)
    add_recorder(moto, "eu-west-1", start=False, all_supported=False)

    regions = {
        r.region: r for r in collect(moto.spec(), resource_types={"aws.config.region"}).resources
    }

    assert regions["us-east-1"].arn == f"arn:aws:config:us-east-1:{ACCOUNT_ID}:account"
    assert regions["us-east-1"].config == {
        "recorders": [{"name": "default", "recording": True, "all_supported": True}],
        "recording": True,
    }
    assert regions["eu-west-1"].config == {
        "recorders": [{"name": "default", "recording": False, "all_supported": False}],
        "recording": False,
    }
    assert regions["ap-southeast-2"].config == {"recorders": [], "recording": False}


def test_denied_config_is_a_collection_error(moto: Moto) -> None:
    keys = moto.scanner("config:*")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=("eu-west-1",), credentials=keys),
            resource_types={"aws.config.region"},
        )

    [error] = inventory.errors
    assert (error.region, error.operation) == ("eu-west-1", "config:DescribeConfigurationRecorders")
    assert error.reason.startswith("AccessDenied: ")


def test_denied_recorder_status_leaves_recording_unavailable(moto: Moto) -> None:
    add_recorder(moto, "eu-west-1", start=True, all_supported=True)
    keys = moto.scanner("config:DescribeConfigurationRecorderStatus")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=("eu-west-1",), credentials=keys),
            resource_types={"aws.config.region"},
        )

    [region] = inventory.resources
    assert region.config == {"recorders": None, "recording": None}
    assert set(region.unavailable) == {"recorders", "recording"}
    assert (
        "config:DescribeConfigurationRecorderStatus: AccessDenied"
        in region.unavailable["recording"]
    )
