"""SQLite: the trail partitioned by arrival epoch (`events/epochs.py`).

`events` and `event_targets` gain `epoch` (the event's ledger index >> 17); on SQLite it
leads their keys and the actor and action indexes after the tenant, so the tables are
rebuilt (rowids kept: the free-text index refers to them). `event_epochs` holds each
epoch's time bounds. PostgreSQL only gains the columns (always 0) and the empty table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sealtrail.db.base import UTCDateTime
from sealtrail.events.models import ActionType, Key

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The epoch size is part of the stored format: events/epochs.py EPOCH_BITS at this revision.
BITS = 17
EVENT_COLUMNS = (
    "tenant_id, time, id, received_at, action, outcome, actor_id, source_app, search_text, doc"
)
TARGET_COLUMNS = "tenant_id, target_id, time, event_id, target_type"


def upgrade() -> None:
    op.create_table(
        "event_epochs",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("min_time", UTCDateTime(), nullable=False),
        sa.Column("max_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "epoch", name="pk_event_epochs"),
    )
    if op.get_bind().dialect.name != "sqlite":
        for table in ("events", "event_targets"):
            op.add_column(
                table, sa.Column("epoch", sa.Integer(), nullable=False, server_default="0")
            )
        return
    _events_table("events_new", with_epoch=True)
    op.execute(
        f"INSERT INTO events_new (rowid, {EVENT_COLUMNS}, epoch) "  # noqa: S608
        f"SELECT e.rowid, {_prefixed('e', EVENT_COLUMNS)}, coalesce(l.idx >> {BITS}, 0) "
        "FROM events e LEFT JOIN ledger_leaves l "
        "ON l.tenant_id = e.tenant_id AND l.event_id = e.id"
    )
    _swap("events", ("ix_events_actor", "ix_events_action"))
    op.create_index(
        "ix_events_epoch_actor", "events", ["tenant_id", "epoch", "actor_id", "time", "id"]
    )
    op.create_index(
        "ix_events_epoch_action", "events", ["tenant_id", "epoch", "action", "time", "id"]
    )
    _targets_table("event_targets_new", with_epoch=True)
    op.execute(
        f"INSERT INTO event_targets_new ({TARGET_COLUMNS}, epoch) "  # noqa: S608
        f"SELECT {_prefixed('t', TARGET_COLUMNS)}, coalesce(l.idx >> {BITS}, 0) "
        "FROM event_targets t LEFT JOIN ledger_leaves l "
        "ON l.tenant_id = t.tenant_id AND l.event_id = t.event_id"
    )
    _swap("event_targets", ())
    op.execute(
        "INSERT INTO event_epochs (tenant_id, epoch, min_time, max_time) "
        "SELECT tenant_id, epoch, min(time), max(time) FROM events GROUP BY tenant_id, epoch"
    )


def downgrade() -> None:
    op.drop_table("event_epochs")
    if op.get_bind().dialect.name != "sqlite":
        for table in ("events", "event_targets"):
            op.drop_column(table, "epoch")
        return
    _events_table("events_new", with_epoch=False)
    op.execute(
        f"INSERT INTO events_new (rowid, {EVENT_COLUMNS}) "  # noqa: S608
        f"SELECT rowid, {EVENT_COLUMNS} FROM events"
    )
    _swap("events", ("ix_events_epoch_actor", "ix_events_epoch_action"))
    op.create_index("ix_events_actor", "events", ["tenant_id", "actor_id", "time", "id"])
    op.create_index("ix_events_action", "events", ["tenant_id", "action", "time", "id"])
    _targets_table("event_targets_new", with_epoch=False)
    op.execute(
        f"INSERT INTO event_targets_new ({TARGET_COLUMNS}) "  # noqa: S608
        f"SELECT {TARGET_COLUMNS} FROM event_targets"
    )
    _swap("event_targets", ())


def _prefixed(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def _swap(table: str, old_indexes: tuple[str, ...]) -> None:
    for index in old_indexes:
        op.drop_index(index, table_name=table)
    op.drop_table(table)
    op.rename_table(f"{table}_new", table)


def _events_table(name: str, *, with_epoch: bool) -> None:
    key = ("tenant_id", "epoch", "time", "id") if with_epoch else ("tenant_id", "time", "id")
    epoch = [sa.Column("epoch", sa.Integer(), nullable=False, server_default="0")]
    op.create_table(
        name,
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("action", ActionType, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("actor_id", Key, nullable=False),
        sa.Column("source_app", sa.String(128), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        *(epoch if with_epoch else []),
        sa.PrimaryKeyConstraint(*key, name=f"pk_{name.removesuffix('_new')}"),
    )


def _targets_table(name: str, *, with_epoch: bool) -> None:
    key = ("target_id", "time", "event_id", "target_type")
    epoch = [sa.Column("epoch", sa.Integer(), nullable=False, server_default="0")]
    op.create_table(
        name,
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("target_id", Key, nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("target_type", sa.String(128), nullable=False),
        *(epoch if with_epoch else []),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            *(("epoch",) if with_epoch else ()),
            *key,
            name=f"pk_{name.removesuffix('_new')}",
        ),
    )
