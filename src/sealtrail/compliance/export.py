"""Findings as JSON, CSV and OCSF Detection Finding (class 2004, OCSF 1.1)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

import sealtrail
from sealtrail.compliance.library import Library
from sealtrail.compliance.schemas import FindingOut
from sealtrail.spreadsheet import csv_lines

CSV_COLUMNS = [
    "id",
    "account",
    "control_id",
    "title",
    "severity",
    "status",
    "result",
    "service",
    "resource_type",
    "region",
    "resource_id",
    "details",
    "exception_id",
    "first_seen",
    "last_seen",
    "resolved_at",
]
OCSF_VERSION = "1.1.0"
DETECTION_FINDING = 2004
SEVERITY_ID = {"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
# OCSF finding status_id: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 99 Other.
STATUS_ID = {"FAIL": 1, "ERROR": 99, "MUTED": 3, "PASS": 4, "NOT_APPLICABLE": 99}


def _ms(value: Any) -> int | None:
    return int(value.timestamp() * 1000) if value is not None else None


def as_json(findings: Iterable[FindingOut]) -> Iterator[bytes]:
    """A JSON array, streamed."""
    yield b"["
    for i, finding in enumerate(findings):
        yield (b"," if i else b"") + orjson.dumps(finding.model_dump(mode="json"))
    yield b"]\n"


def as_csv(findings: Iterable[FindingOut]) -> Iterator[bytes]:
    """CSV with a header row, streamed; spreadsheet formula prefixes are neutralised."""
    rows = (finding.model_dump(mode="json") for finding in findings)
    return csv_lines(CSV_COLUMNS, ([row.get(c) for c in CSV_COLUMNS] for row in rows))


def ocsf(finding: FindingOut, library: Library, account_id: str | None) -> dict[str, Any]:
    """One finding as an OCSF 1.1 Detection Finding."""
    control = library.controls.get(finding.control_id)
    activity = 3 if finding.status == "PASS" and finding.resolved_at else 1
    event: dict[str, Any] = {
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": DETECTION_FINDING,
        "class_name": "Detection Finding",
        "activity_id": activity,
        "type_uid": DETECTION_FINDING * 100 + activity,
        "severity_id": SEVERITY_ID.get(finding.severity, 0),
        "severity": finding.severity.capitalize(),
        "status_id": STATUS_ID.get(finding.status, 99),
        "status": finding.status,
        "status_detail": finding.details,
        "time": _ms(finding.last_seen),
        "message": f"{finding.control_id} {finding.status}: {finding.details}",
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "Sealtrail",
                "vendor_name": "Sealtrail",
                "version": sealtrail.__version__,
            },
            "uid": str(finding.id),
        },
        "finding_info": {
            "uid": f"sealtrail-finding-{finding.id}",
            "title": finding.title,
            "desc": control.description if control else finding.title,
            "types": [finding.control_id],
            "first_seen_time": _ms(finding.first_seen),
            "last_seen_time": _ms(finding.last_seen),
            "created_time": _ms(finding.first_seen),
        },
        "cloud": {
            "provider": "AWS",
            "region": finding.region,
            "account": {"uid": account_id, "name": finding.account},
        },
        "resources": [
            {
                "uid": finding.resource_id,
                "type": finding.resource_type,
                "region": finding.region,
            }
        ],
        "unmapped": {"exception_id": finding.exception_id, "result": finding.result},
    }
    if control is not None:
        event["remediation"] = {
            "desc": control.remediation.guidance,
            "references": [control.remediation.url] if control.remediation.url else [],
        }
        event["finding_info"]["related_requirements"] = [
            f"{fw}:{m.requirement}" for fw, maps in control.frameworks.items() for m in maps
        ]
    return event


def as_ocsf(
    findings: Iterable[FindingOut], library: Library, account_ids: dict[str, str]
) -> Iterator[bytes]:
    """A JSON array of OCSF Detection Findings, streamed."""
    yield b"["
    for i, finding in enumerate(findings):
        event = ocsf(finding, library, account_ids.get(finding.account))
        yield (b"," if i else b"") + orjson.dumps(event)
    yield b"]\n"
