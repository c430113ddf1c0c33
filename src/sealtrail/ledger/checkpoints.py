"""Signed checkpoints: issued when a tenant's tree has grown, at most every interval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Connection, Engine, insert, select, update

from sealtrail.db.base import utcnow
from sealtrail.errors import NotFound
from sealtrail.identity.models import Tenant
from sealtrail.ledger.keys import KeyRing
from sealtrail.ledger.models import CHECKPOINTS, HEADS
from sealtrail.verify.checkpoint import Checkpoint

log = structlog.get_logger(__name__)


def tenant_origin(ring: KeyRing, tenant_name: str) -> str:
    """The origin line of a tenant's checkpoints: `<instance origin>/<tenant>`."""
    return f"{ring.origin}/{tenant_name}"


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    key_id: str
    note: str
    created_at: datetime


def issue_due(engine: Engine, ring: KeyRing) -> int:
    """Sign a checkpoint for every tenant whose tree grew since its last one."""
    issued = 0
    with engine.connect() as conn:
        due = conn.execute(
            select(HEADS.c.tenant_id).where(HEADS.c.size > HEADS.c.checkpointed_size)
        ).all()
    for (tenant_id,) in due:
        with engine.begin() as conn:
            if _issue(conn, ring, int(tenant_id)):
                issued += 1
    return issued


def _issue(conn: Connection, ring: KeyRing, tenant_id: int) -> bool:
    stmt = select(HEADS.c.size, HEADS.c.root, HEADS.c.checkpointed_size).where(
        HEADS.c.tenant_id == tenant_id
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    head = conn.execute(stmt).one()
    if head.size <= head.checkpointed_size:
        return False  # another process signed it meanwhile
    name = conn.execute(select(Tenant.name).where(Tenant.id == tenant_id)).scalar_one()
    cp = Checkpoint(origin=tenant_origin(ring, name), size=int(head.size), root=bytes(head.root))
    note = ring.active.sign(cp.body())
    conn.execute(
        insert(CHECKPOINTS).values(
            tenant_id=tenant_id,
            size=cp.size,
            root=cp.root,
            key_id=f"{ring.active.verifier.key_id:08x}",
            note=note,
            created_at=utcnow(),
        )
    )
    conn.execute(
        update(HEADS).where(HEADS.c.tenant_id == tenant_id).values(checkpointed_size=cp.size)
    )
    log.info("ledger.checkpoint", tenant_id=tenant_id, size=cp.size)
    return True


_COLUMNS = (
    CHECKPOINTS.c.size,
    CHECKPOINTS.c.root,
    CHECKPOINTS.c.key_id,
    CHECKPOINTS.c.note,
    CHECKPOINTS.c.created_at,
)


def _stored(
    size: int, root: bytes, key_id: str, note: str, created_at: datetime
) -> StoredCheckpoint:
    return StoredCheckpoint(int(size), bytes(root), key_id, note, created_at)


def newest(conn: Connection, tenant_id: int) -> StoredCheckpoint | None:
    """The tenant's latest checkpoint; None before the first."""
    row = conn.execute(
        select(*_COLUMNS)
        .where(CHECKPOINTS.c.tenant_id == tenant_id)
        .order_by(CHECKPOINTS.c.size.desc())
        .limit(1)
    ).one_or_none()
    return _stored(*row) if row is not None else None


def latest(conn: Connection, tenant_id: int) -> StoredCheckpoint:
    """The tenant's latest checkpoint; NotFound before the first."""
    found = newest(conn, tenant_id)
    if found is None:
        raise NotFound("no checkpoint yet: the ledger is empty or not yet signed", None)
    return found


def since(conn: Connection, tenant_id: int, since_size: int, limit: int) -> list[StoredCheckpoint]:
    """Checkpoints with size >= since_size, oldest first."""
    rows = conn.execute(
        select(*_COLUMNS)
        .where(CHECKPOINTS.c.tenant_id == tenant_id, CHECKPOINTS.c.size >= since_size)
        .order_by(CHECKPOINTS.c.size)
        .limit(limit)
    ).all()
    return [_stored(*r) for r in rows]
