"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sealtrail.api.deps import PUBLIC, RuntimeDep
from sealtrail.api.responses import JSON
from sealtrail.observability import metrics
from sealtrail.observability.worker_metrics import MergedRegistry
from sealtrail.queue import QueueStats

router = APIRouter(tags=["operations"], dependencies=[Depends(PUBLIC)])


@router.get("/healthz", summary="Liveness: the process answers")
@router.get("/health", summary="Liveness (the path load balancers use); as /healthz")
def healthz() -> dict[str, str]:
    """Always ok while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database and queue reachable")
def readyz(runtime: RuntimeDep) -> Any:
    """200 when the database and the queue answer, 503 with the failing part otherwise."""
    checks: dict[str, str] = {}
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        runtime.queue.ping()
        checks["queue"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any driver failure means not ready
        checks["queue"] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    warnings: list[str] = []
    if ready:
        warnings = _dead_letter_warnings(
            runtime.queue.stats(), runtime.settings.queue_retention_days
        )
    body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks}
    if warnings:
        body["warnings"] = warnings
    return JSON(body, status_code=200 if ready else 503)


def _dead_letter_warnings(stats: QueueStats, retention_days: float) -> list[str]:
    """Dead letters are never deleted by age: an old one is a warning (the instance
    still serves), so that someone replays or inspects it."""
    if stats.dead_letters and stats.oldest_dead_letter_age_seconds > retention_days * 86400:
        days = stats.oldest_dead_letter_age_seconds / 86400
        return [
            f"{stats.dead_letters} dead letter(s), the oldest {days:.1f} days old "
            f"(over SEALTRAIL_QUEUE_RETENTION_DAYS={retention_days:g}): "
            "replay or inspect them (GET /api/v1/admin/dlq)"
        ]
    return []


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def prometheus_metrics(runtime: RuntimeDep) -> Response:
    """Counters and histograms, with queue gauges read at scrape time."""
    stats = runtime.queue.stats()
    metrics.QUEUE_DEPTH.set(stats.depth)
    metrics.QUEUE_IN_FLIGHT.set(stats.in_flight)
    metrics.QUEUE_OLDEST_AGE.set(stats.oldest_age_seconds)
    metrics.DLQ_SIZE.set(stats.dead_letters)
    metrics.DLQ_OLDEST_AGE.set(stats.oldest_dead_letter_age_seconds)
    merged = MergedRegistry(runtime.settings.data_dir)
    return Response(generate_latest(merged), media_type=CONTENT_TYPE_LATEST)
