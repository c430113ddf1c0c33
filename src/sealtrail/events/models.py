"""Tables of the audit trail.

`events` holds one row per stored event: the columns queries filter on, plus the stored
document. On PostgreSQL `events` and `event_targets` are partitioned by month of `time`.
`event_ids` is the idempotency registry, written at ingest, one row per accepted id.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import (
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealtrail.db.base import Base, UTCDateTime
from sealtrail.db.tenancy import TenantOwned

# Byte-order comparison on PostgreSQL too, so that prefix ranges (`trade.*`) use the index.
Key = String(256).with_variant(String(256, collation="C"), "postgresql")
ActionType = String(200).with_variant(String(200, collation="C"), "postgresql")


class Event(TenantOwned, Base):
    """A stored audit event."""

    __tablename__ = "events"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "time", "id"),
        Index("ix_events_actor", "tenant_id", "actor_id", "time", "id"),
        Index("ix_events_action", "tenant_id", "action", "time", "id"),
        {"postgresql_partition_by": "RANGE (time)"},
    )

    tenant_id: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    id: Mapped[uuid.UUID] = mapped_column(Uuid())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(ActionType)
    outcome: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(Key)
    source_app: Mapped[str | None] = mapped_column(String(128), nullable=True)
    search_text: Mapped[str] = mapped_column(Text)
    doc: Mapped[str] = mapped_column(Text)


class EventTarget(TenantOwned, Base):
    """One row per (event, target): lets a target be searched through an index."""

    __tablename__ = "event_targets"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "target_id", "time", "event_id", "target_type"),
        {"postgresql_partition_by": "RANGE (time)"},
    )

    tenant_id: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[str] = mapped_column(Key)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    target_type: Mapped[str] = mapped_column(String(128))


class EventId(TenantOwned, Base):
    """Idempotency registry: the content hash of every accepted event id."""

    __tablename__ = "event_ids"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "event_id"),)

    tenant_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    content_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Core tables, for bulk inserts that skip the ORM unit of work on the hot path.
EVENTS = cast(Table, Event.__table__)
EVENT_TARGETS = cast(Table, EventTarget.__table__)
EVENT_IDS = cast(Table, EventId.__table__)
