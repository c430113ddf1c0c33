"""HTTP routes of the audit trail: ingest, list, get, stats, live tail, export."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from sealtrail.api.cursors import CursorsDep
from sealtrail.api.deps import (
    PUBLIC,
    IngestCaller,
    RuntimeDep,
    SessionDep,
    TrailExporter,
    TrailReader,
    still_permitted,
)
from sealtrail.api.params import LedgerResume
from sealtrail.api.responses import JSON
from sealtrail.db.base import utcnow
from sealtrail.errors import BadRequest, PayloadTooLarge, RateLimited
from sealtrail.events import export, ingest, query, stream
from sealtrail.events.schema import EventIn, Outcome, json_schema, parse_rfc3339
from sealtrail.identity.permissions import Permission
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
    return ingest.enqueue(runtime.registry, caller, prepared, received_at)


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
    result = await runtime.in_ingest_thread(
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


@dataclass(frozen=True)
class Search:
    """A search's filters as the caller wrote them (for the self-audit) and parsed."""

    asked: dict[str, Any]
    filter: query.EventFilter


def search_filters(
    since: Since = None,
    until: Until = None,
    actor: Actor = None,
    action: Action = None,
    target: Target = None,
    outcome: Outcome | None = None,
    source: Source = None,
    q: Text = None,
) -> Search:
    """The filters of the search, shared by the search, the live tail and the export."""
    asked = {"since": since, "until": until, "actor": actor, "action": action, "target": target}
    asked |= {"outcome": outcome, "source": source, "q": q}
    return Search(asked, _filter(since, until, actor, action, target, outcome, source, q))


SearchDep = Annotated[Search, Depends(search_filters)]


@router.get("/events", response_model=EventPage, summary="Search the trail, newest first")
def list_events(
    request: Request,
    caller: TrailReader,
    search: SearchDep,
    session: SessionDep,
    cursors: CursorsDep,
    limit: Annotated[int, Query(ge=1, le=query.MAX_LIMIT)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
) -> Any:
    """Filtered events with keyset pagination; no total count (it would scan)."""
    audit_read(request, caller, "trail.search", search.asked | {"cursor": cursor})
    # A cursor belongs to the tenant and the search it was made for (api/cursors.py).
    bound = search.filter.canonical()
    after = None
    if cursor is not None:
        after = cursors.decode("events", caller.tenant_id, bound, cursor, query.position_of)
    page = query.list_events(session, caller.tenant_id, search.filter, limit=limit, after=after)
    next_cursor = None
    if page.next_after is not None:
        position = query.position_values(page.next_after)
        next_cursor = cursors.encode("events", caller.tenant_id, bound, position)
    return JSON({"items": page.items, "next_cursor": next_cursor})


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
    bucket: Annotated[
        str | None,
        Query(
            max_length=16,
            description=f"minute, hour or day, at most {query.MAX_BUCKETS} in the window; "
            "default: the finest of them giving at most that many, else whole days.",
        ),
    ] = None,
    top: Annotated[int, Query(ge=1, le=query.MAX_TOP)] = 10,
) -> Any:
    """Statistics of a window (default: the last 24 hours)."""
    flt = _filter(since, until, actor, action, target, outcome, source, None)
    audit_read(request, caller, "trail.stats", {"since": since, "until": until, "action": action})
    return JSON(query.stats(session, caller.tenant_id, flt, bucket=bucket, top=top))


After = Annotated[
    LedgerResume | None,
    Query(description="Resume after this ledger index (-1: from the first)."),
]
LastEventId = Annotated[
    LedgerResume | None,
    Header(alias="Last-Event-ID", description="As `after`; wins over it."),
]
_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`text/event-stream`: `id: <ledger index>`, `event: audit`, "
        "`data: <the event as a search item>`; a `: keepalive` comment every 15 s.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses=_STREAM,
    summary="Live tail: events as they are stored, in ledger order (Server-Sent Events)",
)
async def stream_events(
    request: Request,
    caller: TrailReader,
    search: SearchDep,
    runtime: RuntimeDep,
    after: After = None,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """From the events stored after the connection opens, or after `Last-Event-ID` /
    `after` when given; runs until the client goes away or its credential stops
    holding `trail.read`."""
    newest = await run_in_threadpool(stream.last_index, runtime.read_factory, caller.tenant_id)
    field, start = (
        ("Last-Event-ID", last_event_id) if last_event_id is not None else ("after", after)
    )
    if start is None:
        start = newest
    elif start > newest:
        raise BadRequest(
            f"{field} {start} is past the newest event of the ledger ({newest})",
            {"field": field, "reason": f"past the newest event ({newest})", "newest": newest},
        )
    audit_read(request, caller, "trail.stream", search.asked | {"after": start})
    s = runtime.settings
    pace = stream.Pace(
        poll=s.stream_poll_interval, keepalive=s.stream_keepalive, batch=s.stream_batch
    )
    allowed = partial(still_permitted, request, runtime, Permission.trail_read)
    who = f"user:{caller.user_id}" if caller.is_person else f"key:{caller.key_id}"
    tail = runtime.stream_slots.open(
        who,
        lambda: stream.tail(
            runtime.read_factory, caller.tenant_id, search.filter, start, pace, allowed
        ),
    )
    return StreamingResponse(
        tail,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


_EXPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The events as a file download.",
        "content": {"application/x-ndjson": {}, "text/csv": {}},
    }
}
EXPORT_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses=_EXPORT,
    summary="Every event matching a search, as NDJSON or CSV, newest first",
)
def export_events(
    request: Request,
    caller: TrailExporter,
    search: SearchDep,
    runtime: RuntimeDep,
    format: Literal["ndjson", "csv"] = "ndjson",
    limit: Annotated[
        int, Query(ge=1, le=export.MAX_EVENTS, description="At most this many events.")
    ] = export.MAX_EVENTS,
) -> StreamingResponse:
    """Streamed as it is read: NDJSON lines are search items; CSV has one row per event."""
    audit_read(request, caller, "trail.export", search.asked | {"format": format, "limit": limit})
    pages = export.pages(runtime.read_factory, caller.tenant_id, search.filter, limit)
    # The first page is read before answering: a failure is an error, not a cut-off file.
    events = itertools.chain.from_iterable(itertools.chain([next(pages)], pages))
    body = export.as_csv(events) if format == "csv" else export.as_ndjson(events)
    filename = f"sealtrail-events-{utcnow():%Y%m%dT%H%M%SZ}.{format}"
    return StreamingResponse(
        body,
        media_type=EXPORT_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
