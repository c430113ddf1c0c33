"""CloudTrail: one `global` document with every trail seen from the scanned regions.

Each scanned region is asked for its trails, shadow copies of multi-region trails
included, so a multi-region trail homed outside the scan still counts; trails are
deduplicated by ARN and their status is asked of their home region. A region whose
DescribeTrails fails is a CollectionError for that region, and the document's
`trails` is then unavailable: a partial list must not pass "every trail" controls.
"""

from __future__ import annotations

from typing import Any

from sealtrail.compliance.inventory.aws.calls import CallFailed, call, field_value
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import GLOBAL, Resource

ACCOUNT = "aws.cloudtrail.account"
TYPES = frozenset({ACCOUNT})


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The CloudTrail document of the account."""
    batch = Batch()
    unavailable: dict[str, str] = {}
    trails: dict[str, dict[str, Any]] = {}
    for scanned in scope.regions:
        cloudtrail = scope.client("cloudtrail", scanned)
        try:
            listed = call(cloudtrail, "DescribeTrails", includeShadowTrails=True)["trailList"]
        except CallFailed as failure:
            batch.fail([ACCOUNT], scanned, failure)
            unavailable["trails"] = f"{scanned}: {failure}"
            continue
        for trail in listed:
            trails.setdefault(trail["TrailARN"], trail)
    if len(batch.errors) == len(scope.regions):
        return batch
    described = None
    if "trails" not in unavailable:
        described = field_value(
            unavailable,
            "trails",
            lambda: scope.each(lambda trail: _trail(scope, trail), list(trails.values())),
        )
    batch.resources.append(
        Resource(
            arn=scope.account_arn("cloudtrail"),
            type=ACCOUNT,
            region=GLOBAL,
            account=scope.account_id,
            name=scope.account_id,
            config={
                "trails": None
                if described is None
                else sorted(described, key=lambda t: str(t["arn"]))
            },
            unavailable=unavailable,
        )
    )
    return batch


def _trail(scope: Scope, trail: dict[str, Any]) -> dict[str, Any]:
    home = trail.get("HomeRegion") or scope.home_region
    status = call(scope.client("cloudtrail", home), "GetTrailStatus", Name=trail["TrailARN"])
    return {
        "name": trail["Name"],
        "arn": trail["TrailARN"],
        "home_region": home,
        "multi_region": bool(trail.get("IsMultiRegionTrail", False)),
        "logging": bool(status.get("IsLogging", False)),
        "log_file_validation": bool(trail.get("LogFileValidationEnabled", False)),
        "kms_key_id": trail.get("KmsKeyId"),
    }
