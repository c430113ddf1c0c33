"""The published JSON Schema (docs/event-schema-v1.json) matches what the API enforces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker

from sealtrail.events.schema import EventIn, json_schema
from tests.conftest import event

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "event-schema-v1.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_published_file_is_the_schema_the_server_enforces() -> None:
    # Regenerate with: sealtrail schema > docs/event-schema-v1.json
    assert json.loads(SCHEMA_FILE.read_text()) == json_schema()


def test_schema_endpoint_serves_the_same_schema(client: TestClient) -> None:
    response = client.get("/api/v1/audit/schema")
    assert response.status_code == 200
    assert response.json() == json_schema()


def _full_event() -> dict[str, Any]:
    return event(
        category="trading",
        actor={
            "type": "user",
            "id": "alice",
            "name": "Alice Martin",
            "email": "alice@example.com",
            "ip": "2001:db8::1",
            "user_agent": "curl/8",
            "session_id": "s-1",
        },
        source={"app": "trading", "service": "orders", "environment": "prod", "version": "1.2"},
        context={"request_id": "r-1", "trace_id": "t-1"},
        changes={"before": {"qty": 1}, "after": {"qty": 2}},
        description="Order placed",
        metadata={"desk": "fx", "tags": ["a", "b"]},
    )


@pytest.mark.parametrize(
    "sample",
    [pytest.param(event(), id="minimal"), pytest.param(_full_event(), id="every-field")],
)
def test_events_the_api_accepts_validate_against_the_schema(
    validator: Draft202012Validator, sample: dict[str, Any]
) -> None:
    EventIn.model_validate(sample)
    assert list(validator.iter_errors(sample)) == []


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda e: e.update(colour="red"), "unknown top-level field"),
        (lambda e: e.pop("action"), "missing action"),
        (lambda e: e.update(outcome="maybe"), "outcome outside the enum"),
        (lambda e: e["actor"].update(shoe_size=42), "unknown actor field"),
        (lambda e: e.update(targets=[{"type": "order"}]), "target without id"),
        (lambda e: e.update(action=""), "empty action"),
    ],
)
def test_events_the_api_rejects_are_rejected_by_the_schema(
    validator: Draft202012Validator, mutate: Any, reason: str
) -> None:
    sample = event()
    mutate(sample)
    with pytest.raises(ValueError, match="validation error"):
        EventIn.model_validate(sample)
    assert list(validator.iter_errors(sample)), reason
