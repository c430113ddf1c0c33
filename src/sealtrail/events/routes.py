"""HTTP routes of the audit trail: ingest, list, get, stats."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sealtrail.api.deps import PUBLIC, IngestCaller, RuntimeDep, SessionDep, TrailReader
from sealtrail.api.responses import JSON
from sealtrail.db.base import utcnow
from sealtrail.errors import BadRequest, PayloadTooLarge, RateLimited
from sealtrail.events import ingest, query
from sealtrail.events.schema import EventIn, Outcome, json_schema, parse_rfc3339
from sealtrail.identity.schemas import Caller
from sealtrail.observability import metrics
from sealtrail.ratelimit import retry_after
from sealtrail.runtime import Runtime
from sealtrail.selfaudit.reads import audit_read

router = APIRouter(prefix="/api/v1/audit", tags=["audit trail"])


class IngestAccepted(BaseModel):
    accepted: int = Field(description="Events in the request, all queued or already known.")
    ids: list[str] = Field(description="Event ids in request order.")


class EventPage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/EventIn"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/EventIn"}},
                    ]
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        metrics.EVENTS_REJECTED.labels(reason="too_large").inc()
        raise PayloadTooLarge(f"body is larger than {limit} bytes", {"limit": limit})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            metrics.EVENTS_REJECTED.labels(reason="too_large").inc()
            raise PayloadTooLarge(f"body is larger than {limit} bytes", {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _ingest(runtime: Runtime, caller: Caller, body: bytes, content_type: str | None) -> Any:
    s = runtime.settings
    received_at = utcnow()
    events = ingest.parse_events(
        body,
        content_type,
        now=received_at,
        max_batch=s.ingest_max_batch,
        max_future_skew=timedelta(seconds=s.ingest_max_future_skew),
    )
    s_ = runtime.settings
    wait = runtime.rate_limiter.take(
        f"ingest:{caller.key_prefix}",
        len(events),
        rate=s_.ingest_rate_per_key,
        burst=s_.ingest_burst_per_key,
    )
    if wait > 0:
        metrics.RATE_LIMITED.labels(limit="ingest_per_key").inc()
        raise RateLimited(
            f"this API key may send {s_.ingest_rate_per_key:g} events per second",
            {"retry_after_seconds": float(retry_after(wait))},
            headers={"Retry-After": retry_after(wait)},
        )
    prepared = ingest.prepare(events, caller, received_at)
    return ingest.enqueue(runtime.factory, runtime.queue, caller, prepared, received_at)


@router.post(
    "/events",
    name="trail.ingest",
    status_code=202,
    response_model=IngestAccepted,
    openapi_extra=_INGEST_BODY,
    summary="Send audit events (one, a JSON array of up to 1000, or NDJSON)",
    responses={
        400: {"description": "Malformed JSON"},
        401: {"description": "Missing or unknown API key"},
        403: {"description": "Key lacks the ingest scope"},
        409: {"description": "An id was already accepted with different content"},
        413: {"description": "Body over the size limit"},
        415: {"description": "Content type not JSON or NDJSON"},
        422: {"description": "Invalid events: index, field and reason of each"},
    },
)
async def ingest_events(request: Request, caller: IngestCaller, runtime: RuntimeDep) -> Any:
    """Validate, protect and queue events; 202 means durably queued."""
    # The events are the trail itself: recording each ingest call again would double it.
    request.state.audit_skip = True
    body = await _read_body(request, runtime.settings.ingest_max_body_bytes)
    result = await run_in_threadpool(
        _ingest, runtime, caller, body, request.headers.get("content-type")
    )
    return JSON({"accepted": result.accepted, "ids": result.ids}, status_code=202)


def time_param(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise BadRequest(f"{name}: {exc}", {"field": name, "reason": str(exc)}) from None


def _filter(
    since: str | None,
    until: str | None,
    actor: str | None,
    action: str | None,
    target: str | None,
    outcome: Outcome | None,
    source: str | None,
    q: str | None,
) -> query.EventFilter:
    return query.EventFilter(
        since=time_param(since, "since"),
        until=time_param(until, "until"),
        actor=actor,
        action=action,
        target=target,
        outcome=outcome.value if outcome else None,
        source=source,
        q=q,
    )


Since = Annotated[str | None, Query(description="RFC 3339; events at or after.")]
Until = Annotated[str | None, Query(description="RFC 3339; events before.")]
Actor = Annotated[str | None, Query(description="Actor id.", max_length=256)]
Action = Annotated[
    str | None,
    Query(description="Exact action, or a prefix ending in * (trade.*).", max_length=200),
]
Target = Annotated[str | None, Query(description="Target id, or type:id.", max_length=400)]
Source = Annotated[str | None, Query(description="Source app.", max_length=128)]
Text = Annotated[
    str | None,
    Query(
        description="Words that must all appear in action, actor, targets or description.",
        max_length=200,
    ),
]


@router.get("/events", response_model=EventPage, summary="Search the trail, newest first")
def list_events(
    request: Request,
    caller: TrailReader,
    session: SessionDep,
    since: Since = None,
    until: Until = None,
    actor: Actor = None,
    action: Action = None,
    target: Target = None,
    outcome: Outcome | None = None,
    source: Source = None,
    q: Text = None,
    limit: Annotated[int, Query(ge=1, le=query.MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Filtered events with keyset pagination; no total count (it would scan)."""
    flt = _filter(since, until, actor, action, target, outcome, source, q)
    audit_read(
        request,
        caller,
        "trail.search",
        {"since": since, "until": until, "actor": actor, "action": action, "target": target}
        | {"outcome": outcome, "source": source, "q": q, "cursor": cursor},
    )
    page = query.list_events(session, caller.tenant_id, flt, limit=limit, cursor=cursor)
    return JSON({"items": page.items, "next_cursor": page.next_cursor})


@router.get("/events/{event_id}", summary="One event by id")
def get_event(
    event_id: uuid.UUID, request: Request, caller: TrailReader, session: SessionDep
) -> Any:
    """The stored event; 404 when it is not (or not yet) stored in the caller's tenant."""
    audit_read(request, caller, "trail.read", {"event_id": event_id})
    return JSON(query.get_event(session, caller.tenant_id, event_id))


@router.get("/stats", summary="Counts over time and top actors, actions and targets")
def event_stats(
    request: Request,
    caller: TrailReader,
    session: SessionDep,
    since: Since = None,
    until: Until = None,
    actor: Actor = None,
    action: Action = None,
    target: Target = None,
    outcome: Outcome | None = None,
    source: Source = None,
    bucket: Annotated[str | None, Query(description="minute, hour or day; default: auto")] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    """Statistics of a window (default: the last 24 hours)."""
    flt = _filter(since, until, actor, action, target, outcome, source, None)
    audit_read(request, caller, "trail.stats", {"since": since, "until": until, "action": action})
    return JSON(query.stats(session, caller.tenant_id, flt, bucket=bucket, top=top))


@router.get(
    "/schema",
    dependencies=[Depends(PUBLIC)],
    summary="JSON Schema of an event as producers send it",
)
def event_schema() -> Any:
    return JSON(json_schema())


def schema_models() -> list[type[BaseModel]]:
    """Models the OpenAPI document must describe even though routes read raw bodies."""
    return [EventIn]
