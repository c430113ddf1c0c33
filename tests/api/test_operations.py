"""Health, readiness, metrics, OpenAPI, error shape and request ids."""

from __future__ import annotations

from tests.conftest import drain, event


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"] == {"database": "ok", "queue": "ok"}


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
