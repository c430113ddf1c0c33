"""HTTP routes of the ledger: status, checkpoints, the public key, proofs (scope `read`)."""

from __future__ import annotations

import base64
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from sealtrail.api.deps import LedgerReader, RuntimeDep, SessionDep, TrailExporter
from sealtrail.api.params import LedgerIndex, TreeSize
from sealtrail.api.responses import JSON
from sealtrail.db.base import utcnow
from sealtrail.errors import BadRequest
from sealtrail.events.routes import time_param
from sealtrail.events.schema import format_time
from sealtrail.ledger import checkpoints, tree
from sealtrail.ledger.export import export_bundle
from sealtrail.selfaudit.reads import audit_read

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class InclusionProof(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str]


class ConsistencyProof(BaseModel):
    first: int
    second: int
    hashes: list[str]


class CheckpointBrief(BaseModel):
    tree_size: int
    root_hash: str = Field(description="Base64.")
    key_id: str
    timestamp: datetime | None = Field(description="When it was signed (RFC 3339).")
    age_seconds: float | None


class LedgerStatus(BaseModel):
    origin: str = Field(description="The origin line of the tenant's checkpoints.")
    tree_size: int = Field(description="Leaves (stored events) so far.")
    checkpoint: CheckpointBrief | None = Field(description="The latest; null before the first.")


@router.get("/status", response_model=LedgerStatus, summary="Tree size and the latest checkpoint")
def ledger_status(caller: LedgerReader, session: SessionDep, runtime: RuntimeDep) -> Any:
    """How far the ledger has grown and how far the latest signed checkpoint covers."""
    conn = session.connection()
    size, _ = tree.head(conn, caller.tenant_id)
    cp = checkpoints.newest(conn, caller.tenant_id)
    brief = None
    if cp is not None:
        age = (utcnow() - cp.created_at).total_seconds()
        brief = {
            "tree_size": cp.size,
            "root_hash": b64(cp.root),
            "key_id": cp.key_id,
            "timestamp": format_time(cp.created_at),
            "age_seconds": round(max(age, 0.0), 3),
        }
    origin = checkpoints.tenant_origin(runtime.keyring, caller.tenant)
    return JSON({"origin": origin, "tree_size": size, "checkpoint": brief})


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="The latest signed checkpoint (C2SP tlog-checkpoint, signed note)",
)
def latest_checkpoint(caller: LedgerReader, session: SessionDep) -> Any:
    cp = checkpoints.latest(session.connection(), caller.tenant_id)
    return PlainTextResponse(cp.note, media_type="text/plain; charset=utf-8")


@router.get("/checkpoints", summary="Signed checkpoints from a tree size on, oldest first")
def list_checkpoints(
    caller: LedgerReader,
    session: SessionDep,
    since_size: LedgerIndex = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    found = checkpoints.since(session.connection(), caller.tenant_id, since_size, limit)
    return JSON(
        {
            "items": [
                {"tree_size": c.size, "root_hash": b64(c.root), "key_id": c.key_id, "note": c.note}
                for c in found
            ]
        }
    )


@router.get("/public-key", summary="The keys checkpoints are signed with")
def public_key(caller: LedgerReader, runtime: RuntimeDep) -> Any:
    ring = runtime.keyring
    active = ring.active.verifier
    return JSON(
        {
            "origin": ring.origin,
            "verifier_key": active.encode(),
            "key_id": f"{active.key_id:08x}",
            "public_key": b64(active.public_key),
            "algorithm": "Ed25519",
            "all_verifier_keys": [v.encode() for v in ring.verifiers],
        }
    )


@router.get(
    "/proofs/inclusion", response_model=InclusionProof, summary="An event's inclusion proof"
)
def inclusion(
    caller: LedgerReader,
    session: SessionDep,
    index: LedgerIndex | None = None,
    event_id: uuid.UUID | None = None,
    tree_size: TreeSize | None = None,
) -> Any:
    """Proof that a leaf is in the tree of `tree_size` leaves (default: the latest
    checkpoint's size). Name the leaf by `index` or by `event_id`."""
    conn = session.connection()
    if (index is None) == (event_id is None):
        raise BadRequest("give exactly one of index and event_id", {"field": "index"})
    if event_id is not None:
        index, _ = tree.leaf_of_event(conn, caller.tenant_id, event_id)
    assert index is not None
    if tree_size is None:
        tree_size = checkpoints.latest(conn, caller.tenant_id).size
    leaf, hashes = tree.inclusion_proof(conn, caller.tenant_id, index, tree_size)
    return JSON(
        {
            "index": index,
            "tree_size": tree_size,
            "leaf_hash": b64(leaf),
            "hashes": [b64(h) for h in hashes],
        }
    )


@router.get(
    "/proofs/consistency",
    response_model=ConsistencyProof,
    summary="Proof that one tree size extends an earlier one",
)
def consistency(
    caller: LedgerReader,
    session: SessionDep,
    first: LedgerIndex,
    second: LedgerIndex,
) -> Any:
    hashes = tree.consistency_proof(session.connection(), caller.tenant_id, first, second)
    return JSON({"first": first, "second": second, "hashes": [b64(h) for h in hashes]})


@router.get(
    "/export",
    response_class=FileResponse,
    summary="A verifiable export bundle (tar) of the events of a time window",
)
def export(
    request: Request,
    caller: TrailExporter,
    runtime: RuntimeDep,
    since: Annotated[str | None, Query(description="RFC 3339; events at or after.")] = None,
    until: Annotated[str | None, Query(description="RFC 3339; events before.")] = None,
) -> Any:
    """The events with their checkpoints, consistency proofs and keys, checked offline by
    `sealtrail verify`. Built on disk, then streamed: any size stays out of memory."""
    start, stop = time_param(since, "since"), time_param(until, "until")
    audit_read(request, caller, "ledger.export", {"since": since, "until": until})
    tmp = Path(tempfile.mkdtemp(prefix="sealtrail-export-"))
    out = tmp / f"sealtrail-{caller.tenant}-ledger.tar"
    try:
        with runtime.engine.connect() as conn:
            export_bundle(
                conn, runtime.keyring, caller.tenant_id, caller.tenant, out, since=start, until=stop
            )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return FileResponse(
        out,
        media_type="application/x-tar",
        filename=out.name,
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )
