"""Engine and session factory for the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db import tenancy  # noqa: F401 - registers the tenant scoping hooks
from sealtrail.errors import ConfigurationError


def _sqlite_pragmas(synchronous: str, cache_mib: int) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        # For a new database (the pragma changes nothing in an existing one): 16 KiB pages
        # instead of 4 KiB. A stored batch writes index pages all over the file, and
        # their number, not their size, is what costs (measured in docs/performance.md).
        cur.execute("PRAGMA page_size=16384")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")
        # Checkpoint the WAL every ~40 MB instead of every 4 MB: a stored batch dirties
        # index pages all over the file, and pages written again between two checkpoints
        # are copied back to the database once.
        cur.execute("PRAGMA wal_autocheckpoint=10000")
        # Reads through the OS page cache, shared by every pooled connection: random
        # lookups (ledger proofs, event ids) stop paying a copy per page and a cold
        # per-connection cache.
        cur.execute("PRAGMA mmap_size=1073741824")
        cur.close()

    return on_connect


def _postgres_session(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # psycopg prepares a statement run five times on a connection, and PostgreSQL may
    # then keep one generic plan for it. The trail search's best plan depends on its
    # values (a rare free-text term is found through the trigram index, a common one
    # by walking the newest events); a generic plan takes one for all, and a common
    # term then costs seconds. Planning each execution costs about a millisecond.
    cur.execute("SET plan_cache_mode = force_custom_plan")
    # JIT compilation (tens of ms) starts on the planner's cost estimate alone; the API
    # runs short queries whose estimates can be far off (sorting a rare term's matches).
    cur.execute("SET jit = off")
    cur.close()
    dbapi_conn.commit()


def create_db_engine(
    url: str, *, sqlite_synchronous: str = "FULL", sqlite_cache_mib: int = 64, pool_size: int = 8
) -> Engine:
    """Create an engine for `url`; SQLite gets WAL mode, a busy timeout and a page cache
    of `sqlite_cache_mib` per connection."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous, sqlite_cache_mib))
        # pysqlite's own transaction handling defers BEGIN; take the write lock up front
        # only where we ask for it (see `write_session`).
        return engine
    if backend == "postgresql":
        engine = create_engine(
            url, pool_size=pool_size + 2, max_overflow=pool_size + 2, pool_pre_ping=True
        )
        event.listen(engine, "connect", _postgres_session)
        return engine
    raise ConfigurationError(f"unsupported database URL scheme {parsed.drivername!r}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a transaction: committed on success, rolled back on error."""
    with factory() as session, session.begin():
        yield session
