"""HTTP routes of the dead-letter queue, scoped to the caller's tenant (admin scope)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from sealtrail.api.cursors import CursorsDep
from sealtrail.api.deps import DlqReader, DlqReplayer, RuntimeDep
from sealtrail.api.params import MAX_REPLAY_IDS, DeadLetterId
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

    ids: list[DeadLetterId] | None = Field(
        default=None,
        max_length=MAX_REPLAY_IDS,
        description="Dead-letter ids to replay; omit to replay all of the tenant's.",
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


def _position_of(values: list[Any]) -> str:
    [letter_id] = values
    if not isinstance(letter_id, str) or not letter_id.isdigit():
        raise TypeError("a position is [dead-letter id]")
    return letter_id


@router.get("", response_model=DeadLetterPage, summary="List dead letters")
def list_dead_letters(
    caller: DlqReader,
    runtime: RuntimeDep,
    cursors: CursorsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
) -> Any:
    """Messages that failed `max_deliveries` times, oldest first."""
    after = None
    if cursor is not None:
        after = cursors.decode("dead_letters", caller.tenant_id, {}, cursor, _position_of)
    letters = runtime.queue.dead_letters(tenant_id=caller.tenant_id, limit=limit + 1, after=after)
    page = letters[:limit]
    next_cursor = None
    if len(letters) > limit:
        next_cursor = cursors.encode("dead_letters", caller.tenant_id, {}, [page[-1].id])
    return DeadLetterPage(items=[dead_letter_out(x) for x in page], next_cursor=next_cursor)


@router.post(
    "/replay", name="dlq.replay", response_model=ReplayResult, summary="Replay dead letters"
)
def replay_dead_letters(body: ReplayRequest, caller: DlqReplayer, runtime: RuntimeDep) -> Any:
    """Move dead letters back to the queue for another round of deliveries."""
    count = runtime.queue.replay(body.ids, tenant_id=caller.tenant_id)
    return ReplayResult(replayed=count)
