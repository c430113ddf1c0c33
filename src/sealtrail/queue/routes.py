"""HTTP routes of the dead-letter queue, scoped to the caller's tenant (admin scope)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from sealtrail.api.deps import DlqReader, DlqReplayer, RuntimeDep
from sealtrail.errors import ValidationFailed
from sealtrail.queue.base import DeadLetter

router = APIRouter(prefix="/api/v1/admin/dlq", tags=["operations"])


class DeadLetterOut(BaseModel):
    id: str
    enqueued_at: datetime
    dead_at: datetime
    deliveries: int
    reason: str
    size: int = Field(description="How many events the message carries (one request's).")
    message: Any = Field(description="The message body (JSON when it decodes, else base64).")


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    next_cursor: str | None


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[str] | None = Field(
        default=None, description="Dead-letter ids to replay; omit to replay all of the tenant's."
    )


class ReplayResult(BaseModel):
    replayed: int


def dead_letter_out(letter: DeadLetter) -> DeadLetterOut:
    """The API view of a dead letter."""
    try:
        message: Any = orjson.loads(letter.body)
    except orjson.JSONDecodeError:
        message = base64.b64encode(letter.body).decode()
    return DeadLetterOut(
        id=letter.id,
        enqueued_at=datetime.fromtimestamp(letter.enqueued_at, UTC),
        dead_at=datetime.fromtimestamp(letter.dead_at, UTC),
        deliveries=letter.deliveries,
        reason=letter.reason,
        size=letter.size,
        message=message,
    )


@router.get("", response_model=DeadLetterPage, summary="List dead letters")
def list_dead_letters(
    caller: DlqReader,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,19}$")] = None,
) -> Any:
    """Messages that failed `max_deliveries` times, oldest first."""
    letters = runtime.queue.dead_letters(tenant_id=caller.tenant_id, limit=limit + 1, after=cursor)
    page = letters[:limit]
    return DeadLetterPage(
        items=[dead_letter_out(x) for x in page],
        next_cursor=page[-1].id if len(letters) > limit else None,
    )


@router.post(
    "/replay", name="dlq.replay", response_model=ReplayResult, summary="Replay dead letters"
)
def replay_dead_letters(body: ReplayRequest, caller: DlqReplayer, runtime: RuntimeDep) -> Any:
    """Move dead letters back to the queue for another round of deliveries."""
    if body.ids is not None:
        bad = [i for i in body.ids if not i.isdigit()]
        if bad:
            raise ValidationFailed(
                "dead-letter ids are numbers", [{"field": "ids", "reason": f"not an id: {bad[0]}"}]
            )
    count = runtime.queue.replay(body.ids, tenant_id=caller.tenant_id)
    return ReplayResult(replayed=count)
