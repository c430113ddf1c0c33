"""Tables of the ledger.

`ledger_leaves`: one row per stored event, by gap-free per-tenant index.
`ledger_nodes`: every complete subtree above the leaves (level >= 1), so that any proof
reads O(log n) rows and nothing is ever recomputed from the leaves.
`ledger_heads`: each tenant's tree size and root; its row lock serialises appends.
`ledger_checkpoints`: every signed checkpoint, kept.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealtrail.db.base import Base, UTCDateTime
from sealtrail.db.tenancy import TenantOwned


class LedgerLeaf(TenantOwned, Base):
    __tablename__ = "ledger_leaves"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "idx"),
        Index("ix_ledger_leaves_event", "tenant_id", "event_id", unique=True),
    )

    tenant_id: Mapped[int] = mapped_column(Integer)
    idx: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerNode(TenantOwned, Base):
    __tablename__ = "ledger_nodes"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "level", "idx"),)

    tenant_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(SmallInteger)
    idx: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHead(TenantOwned, Base):
    __tablename__ = "ledger_heads"
    __table_args__ = (PrimaryKeyConstraint("tenant_id"),)

    tenant_id: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    checkpointed_size: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerCheckpoint(TenantOwned, Base):
    __tablename__ = "ledger_checkpoints"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "size"),)

    tenant_id: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_id: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


LEAVES = cast(Table, LedgerLeaf.__table__)
NODES = cast(Table, LedgerNode.__table__)
HEADS = cast(Table, LedgerHead.__table__)
CHECKPOINTS = cast(Table, LedgerCheckpoint.__table__)
