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

router = APIRouter(tags=["operations"], dependencies=[Depends(PUBLIC)])


@router.get("/healthz", summary="Liveness: the process answers")
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
    return JSON(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def prometheus_metrics(runtime: RuntimeDep) -> Response:
    """Counters and histograms, with queue gauges read at scrape time."""
    stats = runtime.queue.stats()
    metrics.QUEUE_DEPTH.set(stats.depth)
    metrics.QUEUE_IN_FLIGHT.set(stats.in_flight)
    metrics.QUEUE_OLDEST_AGE.set(stats.oldest_age_seconds)
    metrics.DLQ_SIZE.set(stats.dead_letters)
    merged = MergedRegistry(runtime.settings.data_dir)
    return Response(generate_latest(merged), media_type=CONTENT_TYPE_LATEST)
