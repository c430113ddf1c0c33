"""Read budgets: the API's reads are bounded in time and in number, so that searches and
statistics cannot starve ingest or the worker.

Reads run on an engine of their own (`read_only`): its connections refuse writes, each
statement has `seconds` to finish (PostgreSQL's `statement_timeout`; on SQLite a
watchdog thread interrupts it), and a statement over budget raises
`QueryTimeout` wherever it runs. `ReadSlots` caps how many reads run at once in a
process; a read waits for a slot without holding a thread, then is refused with 503.
Ingest, the worker and migrations use the main engine and have no budget.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from sealtrail.errors import QueryTimeout, Unavailable

_DEADLINES = "sealtrail.read_deadlines"


class _Watchdog:
    """Interrupts SQLite statements that run past their deadline, from a thread of its
    own (one per process, started on first use).

    A progress handler would do the same from inside the statement, but SQLite calls it
    with the interpreter lock taken, and while other threads held it (ingest) each call
    waited: a grouping query ran 1.6 times slower with a call every 200,000 steps.
    Interrupting from outside leaves the statement free
    of Python. `sqlite3_interrupt` is safe from another thread; on a connection with no
    statement running it is a no-op.
    """

    def __init__(self) -> None:
        self._deadlines: dict[sqlite3.Connection, float] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, conn: sqlite3.Connection, deadline: float) -> None:
        with self._changed:
            self._deadlines[conn] = deadline
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="read-watchdog", daemon=True)
                self._thread.start()
            self._changed.notify()

    def disarm(self, conn: sqlite3.Connection) -> None:
        with self._changed:
            self._deadlines.pop(conn, None)

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for conn, deadline in list(self._deadlines.items()):
                    if deadline <= now:
                        del self._deadlines[conn]
                        # Closed meanwhile (ProgrammingError): nothing runs on it.
                        with contextlib.suppress(sqlite3.ProgrammingError):
                            conn.interrupt()
                nearest = min(self._deadlines.values(), default=None)
                self._changed.wait(None if nearest is None else nearest - now)


_WATCHDOG = _Watchdog()


def read_only(engine: Engine, seconds: float) -> Engine:
    """Make `engine` the read engine: no writes, `seconds` per statement; returns it."""
    if engine.dialect.name == "sqlite":
        _sqlite_budget(engine, seconds)
    else:
        _postgres_budget(engine, seconds)

    @event.listens_for(engine, "handle_error")
    def _over_budget(context: ExceptionContext) -> None:
        error = context.original_exception
        interrupted = isinstance(error, sqlite3.OperationalError) and "interrupt" in str(error)
        if interrupted or isinstance(error, psycopg.errors.QueryCanceled):
            raise QueryTimeout(
                f"the query took longer than {seconds:g} s; narrow the time range or filters",
                {"timeout_seconds": seconds},
            ) from error

    return engine


def _sqlite_budget(engine: Engine, seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _read_only(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only=ON")

    @event.listens_for(engine, "before_cursor_execute")
    def _start(_conn: Any, cursor: sqlite3.Cursor, *_args: Any) -> None:
        _WATCHDOG.arm(cursor.connection, time.monotonic() + seconds)

    @event.listens_for(engine, "checkin")
    def _done(dbapi_conn: Any, _record: Any) -> None:
        _WATCHDOG.disarm(dbapi_conn)


def _postgres_budget(engine: Engine, seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _install(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {max(1, round(seconds * 1000))}")
            cur.execute("SET default_transaction_read_only = on")
        dbapi_conn.commit()


class ReadSlots:
    """At most `limit` reads at once in this process. A read waits up to `wait` seconds
    for a slot (holding no thread meanwhile), then is refused: 503 with Retry-After."""

    def __init__(self, limit: int, wait: float) -> None:
        self.limit = limit
        self.wait = wait
        self._slots = anyio.Semaphore(limit)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """One slot for the duration of the block."""
        try:
            with anyio.fail_after(self.wait):
                await self._slots.acquire()
        except TimeoutError:
            raise Unavailable(
                f"{self.limit} reads are running and none finished within {self.wait:g} s; "
                "retry shortly",
                {"running": self.limit},
                code="reads_busy",
                headers={"Retry-After": "1"},
            ) from None
        try:
            yield
        finally:
            self._slots.release()
