"""GuardDuty collection: detectors per region and whether one is enabled."""

from __future__ import annotations

from sealtrail.compliance.inventory.aws import ClientOptions, collect
from tests.compliance.conftest import ACCOUNT_ID, Moto, closed_port


def test_each_region_says_whether_an_enabled_detector_exists(moto: Moto) -> None:
    enabled = moto.client("guardduty", "us-east-1").create_detector(Enable=True)["DetectorId"]
    paused = moto.client("guardduty", "eu-west-1").create_detector(Enable=False)["DetectorId"]

    regions = {
        r.region: r for r in collect(moto.spec(), resource_types={"aws.guardduty.region"}).resources
    }

    assert regions["us-east-1"].arn == f"arn:aws:guardduty:us-east-1:{ACCOUNT_ID}:account"
    assert regions["us-east-1"].config == {"detector_ids": [enabled], "enabled": True}
    assert regions["eu-west-1"].config == {"detector_ids": [paused], "enabled": False}
    assert regions["ap-southeast-2"].config == {"detector_ids": [], "enabled": False}


def test_an_unreachable_endpoint_is_a_collection_error_per_region(moto: Moto) -> None:
    # Moto's IAM enforcement rejects every signed GuardDuty call (SignatureDoesNotMatch),
    # so this collector's failure is a refused connection instead.
    spec = moto.spec(
        regions=("us-east-1", "eu-west-1"), endpoint_url=f"http://127.0.0.1:{closed_port()}"
    )

    inventory = collect(
        spec, resource_types={"aws.guardduty.region"}, options=ClientOptions(max_attempts=1)
    )

    assert inventory.resources == []
    assert sorted((e.region, e.operation) for e in inventory.errors) == [
        ("eu-west-1", "guardduty:ListDetectors"),
        ("us-east-1", "guardduty:ListDetectors"),
    ]
    assert all(e.reason.startswith("EndpointConnectionError: ") for e in inventory.errors)
