"""Tenants, API keys, the event store and the idempotency registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sealtrail.db.base import UTCDateTime

# Migrations keep their own copies of column types: later model changes must not alter them.
Key = sa.String(256).with_variant(sa.String(256, collation="C"), "postgresql")
ActionType = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_api_keys_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"])
    op.create_table(
        "events",
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
        sa.PrimaryKeyConstraint("tenant_id", "time", "id", name="pk_events"),
        postgresql_partition_by="RANGE (time)",
    )
    op.create_index("ix_events_actor", "events", ["tenant_id", "actor_id", "time", "id"])
    op.create_index("ix_events_action", "events", ["tenant_id", "action", "time", "id"])
    op.create_table(
        "event_targets",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("target_id", Key, nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("target_type", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "target_id", "time", "event_id", "target_type", name="pk_event_targets"
        ),
        postgresql_partition_by="RANGE (time)",
    )
    op.create_table(
        "event_ids",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("content_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.Column("stored_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "event_id", name="pk_event_ids"),
    )


def downgrade() -> None:
    op.drop_table("event_ids")
    op.drop_table("event_targets")
    op.drop_table("events")
    op.drop_index("ix_api_keys_tenant_id", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("tenants")
