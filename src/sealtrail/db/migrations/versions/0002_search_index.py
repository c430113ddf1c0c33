"""A trigram index for free-text search (`q`), so rare words are found without a scan.

SQLite: an FTS5 table with the trigram tokenizer over `events.search_text` (external
content: the text is stored once, in `events`). The worker fills it in the transaction
that stores the events. PostgreSQL: a pg_trgm GIN index on the partitioned table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE events_fts USING fts5("
            "search_text, content='events', content_rowid='rowid', "
            "tokenize='trigram', detail='none')"
        )
        op.execute("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_events_search_trgm ON events USING gin (search_text gin_trgm_ops)"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE events_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_events_search_trgm")
