"""The idempotency registry is written once, at ingest: `event_ids.stored_at` goes.

The worker had marked each registry row stored, rewriting a page of a random-keyed index
per event; it now tells a stored event by its ledger leaf (`ix_ledger_leaves_event`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

from sealtrail.db.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("event_ids", "stored_at")
    elif sqlite3.sqlite_version_info >= (3, 35):
        # In place; batch mode would copy the whole table.
        op.execute("ALTER TABLE event_ids DROP COLUMN stored_at")
    else:
        with op.batch_alter_table("event_ids") as batch:
            batch.drop_column("stored_at")


def downgrade() -> None:
    op.add_column("event_ids", sa.Column("stored_at", UTCDateTime(), nullable=True))
    # Every registered event with a leaf was stored; when is not known any more.
    op.execute(
        "UPDATE event_ids SET stored_at = accepted_at WHERE EXISTS (SELECT 1 FROM ledger_leaves l "
        "WHERE l.tenant_id = event_ids.tenant_id AND l.event_id = event_ids.event_id)"
    )
