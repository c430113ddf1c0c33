"""Tables of the audit trail.

`events` holds one row per stored event: the columns queries filter on, plus the stored
document. On PostgreSQL `events` and `event_targets` are partitioned by month of `time`.
`event_ids` is the idempotency registry, written at ingest, one row per accepted id.

On SQLite the trail is also partitioned by arrival: `epoch` is the event's ledger index
shifted right by EPOCH_BITS, and it leads the key of `events` (after the tenant), of its
actor and action indexes and of `event_targets`. A batch then adds keys only to the
newest epoch's part of each tree instead of to pages all over it (half the storage cost
per event at 1,000,000 events; docs/performance.md), and a list reads one key range per
epoch and merges them (`events/epochs.py`). `event_epochs` holds each epoch's time
bounds so that a query skips the epochs outside its window. PostgreSQL partitions by
month instead; there `epoch` is 0 and `event_epochs` stays empty.
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
        # SQLite's key is (tenant_id, epoch, time, id): migration 0007.
        PrimaryKeyConstraint("tenant_id", "time", "id"),
        Index("ix_events_actor", "tenant_id", "actor_id", "time", "id").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_events_action", "tenant_id", "action", "time", "id").ddl_if(dialect="postgresql"),
        Index("ix_events_epoch_actor", "tenant_id", "epoch", "actor_id", "time", "id").ddl_if(
            dialect="sqlite"
        ),
        Index("ix_events_epoch_action", "tenant_id", "epoch", "action", "time", "id").ddl_if(
            dialect="sqlite"
        ),
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
    epoch: Mapped[int] = mapped_column(Integer, server_default="0")


class EventTarget(TenantOwned, Base):
    """One row per (event, target): lets a target be searched through an index."""

    __tablename__ = "event_targets"
    __table_args__ = (
        # SQLite's key is (tenant_id, epoch, target_id, time, event_id, target_type).
        PrimaryKeyConstraint("tenant_id", "target_id", "time", "event_id", "target_type"),
        {"postgresql_partition_by": "RANGE (time)"},
    )

    tenant_id: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[str] = mapped_column(Key)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    target_type: Mapped[str] = mapped_column(String(128))
    epoch: Mapped[int] = mapped_column(Integer, server_default="0")


class EventEpoch(TenantOwned, Base):
    """SQLite: the time bounds of the events of one epoch of a tenant's trail."""

    __tablename__ = "event_epochs"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "epoch"),)

    tenant_id: Mapped[int] = mapped_column(Integer)
    epoch: Mapped[int] = mapped_column(Integer)
    min_time: Mapped[datetime] = mapped_column(UTCDateTime())
    max_time: Mapped[datetime] = mapped_column(UTCDateTime())


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
EVENT_EPOCHS = cast(Table, EventEpoch.__table__)
