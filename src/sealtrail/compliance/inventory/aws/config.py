"""AWS Config, per region: the configuration recorders and whether one is recording."""

from __future__ import annotations

from sealtrail.compliance.inventory.aws.calls import CallFailed, call, field_value
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import Resource

REGION = "aws.config.region"
TYPES = frozenset({REGION})


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The AWS Config document of `region`."""
    config_service = scope.client("config", region)
    batch = Batch()
    try:
        recorders = call(config_service, "DescribeConfigurationRecorders")["ConfigurationRecorders"]
    except CallFailed as failure:
        batch.fail([REGION], region, failure)
        return batch
    unavailable: dict[str, str] = {}
    statuses = field_value(
        unavailable,
        "recorders",
        lambda: call(config_service, "DescribeConfigurationRecorderStatus")[
            "ConfigurationRecordersStatus"
        ],
    )
    recording = {s["name"]: bool(s.get("recording")) for s in statuses or []}
    if statuses is None:
        unavailable["recording"] = unavailable["recorders"]
    batch.resources.append(
        Resource(
            arn=scope.account_arn("config", region),
            type=REGION,
            region=region,
            account=scope.account_id,
            name=region,
            config={
                "recorders": None
                if statuses is None
                else [
                    {
                        "name": r["name"],
                        "recording": recording.get(r["name"], False),
                        "all_supported": bool(r.get("recordingGroup", {}).get("allSupported")),
                    }
                    for r in recorders
                ],
                "recording": None if statuses is None else any(recording.values()),
            },
            unavailable=unavailable,
        )
    )
    return batch
