"""Health, readiness, metrics, OpenAPI, error shape and request ids."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sealtrail.api.app import create_app
from sealtrail.config import Settings
from sealtrail.queue import Message
from sealtrail.runtime import Runtime
from tests.conftest import drain, event, make_tenant


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"] == {"database": "ok", "queue": "ok"}
    assert "warnings" not in r.json()


def test_readyz_is_503_when_the_queue_is_gone(client, runtime):
    runtime.queue.close()
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["queue"].startswith("error")


def test_metrics_expose_queue_gauges_and_request_latency(client, runtime, tenant):
    client.post("/api/v1/audit/events", json=[event(), event()], headers=tenant.auth("ingest"))
    text = client.get("/metrics").text
    assert "sealtrail_queue_depth 2.0" in text
    assert "sealtrail_dlq_size 0.0" in text
    assert "sealtrail_queue_oldest_message_age_seconds" in text
    assert (
        'sealtrail_http_request_duration_seconds_count{method="POST",route="/api/v1/audit/events",status="202"}'
        in text
    )
    drain(runtime)
    text = client.get("/metrics").text
    assert "sealtrail_queue_depth 0.0" in text
    assert "sealtrail_events_stored_total" in text


def test_openapi_documents_every_route_and_the_event_schema(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/audit/events",
        "/api/v1/audit/events/{event_id}",
        "/api/v1/audit/stats",
        "/api/v1/keys",
        "/api/v1/admin/dlq",
        "/api/v1/admin/dlq/replay",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in paths, path
    assert "EventIn" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_errors_share_one_shape_and_carry_a_request_id(client):
    r = client.get("/api/v1/no-such-route")
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message", "details"}
    assert r.headers["x-request-id"]
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.delete("/healthz")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


@pytest.fixture
def short_retention(settings: Settings) -> Iterator[Runtime]:
    """A runtime whose dead letters are 'old' after a tenth of a second, and that
    dead-letters a message at its first failure."""
    rt = Runtime.build(
        settings.model_copy(update={"queue_retention_days": 1e-6, "queue_max_deliveries": 1})
    )
    rt.migrate()
    yield rt
    rt.close()


def test_an_old_dead_letter_is_kept_and_reported_never_deleted(short_retention):
    runtime = short_retention
    tenant = make_tenant(runtime)
    runtime.queue.publish([Message(body=b"not a message", tenant_id=tenant.id)])
    drain(runtime)
    assert runtime.queue.stats().dead_letters == 1
    deadline = time.monotonic() + 10
    while runtime.queue.stats().oldest_dead_letter_age_seconds < 0.2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    runtime.worker().maintain()  # the hourly upkeep, run at start
    with TestClient(create_app(runtime)) as client:
        listed = client.get("/api/v1/admin/dlq", headers=tenant.auth()).json()
        assert len(listed["items"]) == 1
        r = client.get("/readyz")
        assert r.status_code == 200
        (warning,) = r.json()["warnings"]
        assert "1 dead letter(s)" in warning
        assert "SEALTRAIL_QUEUE_RETENTION_DAYS" in warning
        metrics = client.get("/metrics").text
    (age,) = [
        float(line.split()[1])
        for line in metrics.splitlines()
        if line.startswith("sealtrail_dlq_oldest_age_seconds ")
    ]
    assert age >= 0.2
