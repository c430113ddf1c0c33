"""GuardDuty, per region: the detectors and whether one is enabled."""

from __future__ import annotations

from sealtrail.compliance.inventory.aws.calls import CallFailed, call, field_value, pages
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import Resource

REGION = "aws.guardduty.region"
TYPES = frozenset({REGION})


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The GuardDuty document of `region`."""
    guardduty = scope.client("guardduty", region)
    batch = Batch()
    try:
        detector_ids = pages(guardduty, "ListDetectors", "DetectorIds")
    except CallFailed as failure:
        batch.fail([REGION], region, failure)
        return batch
    unavailable: dict[str, str] = {}
    statuses = field_value(
        unavailable,
        "enabled",
        lambda: [call(guardduty, "GetDetector", DetectorId=d)["Status"] for d in detector_ids],
    )
    batch.resources.append(
        Resource(
            arn=scope.account_arn("guardduty", region),
            type=REGION,
            region=region,
            account=scope.account_id,
            name=region,
            config={
                "detector_ids": sorted(detector_ids),
                "enabled": None if statuses is None else "ENABLED" in statuses,
            },
            unavailable=unavailable,
        )
    )
    return batch
