"""The SQLite queue driver: one file, WAL mode, transactions for every state change.

Undelivered messages and dead letters are never dropped. Every
process sharing a queue file runs on one host (SQLite needs a local file system), so a
delivery records the receiving process id: leases of a process that died are released
at once instead of after the visibility timeout.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sealtrail.errors import ConfigurationError
from sealtrail.queue.base import (
    DeadLetter,
    Delivery,
    KeyedQueue,
    Message,
    QueueSettings,
    QueueStats,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER,
    size INTEGER NOT NULL DEFAULT 1,
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    leased_by INTEGER
);
CREATE INDEX IF NOT EXISTS ix_messages_visible ON messages (visible_at, id);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER,
    size INTEGER NOT NULL DEFAULT 1,
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,
    dead_at REAL NOT NULL,
    deliveries INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_dead_letters_dead_at ON dead_letters (dead_at);
CREATE TABLE IF NOT EXISTS published_keys (
    scope INTEGER NOT NULL,
    key BLOB NOT NULL,
    digest BLOB NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
"""
# Keys looked up per statement: well below SQLite's limit of bound parameters.
_KEY_CHUNK = 500

# `where` holds only fixed SQL with `?` placeholders, never a value.
_REPLAY_SQL = (
    "INSERT INTO messages (tenant_id, size, body, enqueued_at, visible_at, deliveries) "
    "SELECT tenant_id, size, body, enqueued_at, ?, 0 FROM dead_letters WHERE {where} ORDER BY id"
)
_DELETE_DEAD_SQL = "DELETE FROM dead_letters WHERE {where}"
RECLAIM_INTERVAL = 10.0


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


def _add_sizes(conn: sqlite3.Connection) -> None:
    """Give a queue file written before message sizes existed its `size` columns."""
    for table in ("messages", "dead_letters"):
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if "size" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN size INTEGER NOT NULL DEFAULT 1")


class SQLiteQueue(KeyedQueue):
    """A durable queue in a SQLite file, safe across threads and processes; it keeps the
    idempotency keys of what was published in the same file (`publish_once`)."""

    def __init__(self, path: Path, settings: QueueSettings, *, synchronous: str = "FULL") -> None:
        super().__init__(settings)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path), timeout=30, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={synchronous}")
        self._conn.execute("PRAGMA busy_timeout=30000")
        # An ingest request writes its message and, at random places, a page of the id
        # index per event. With SQLite's defaults (a 2 MiB cache, a checkpoint every
        # 1,000 pages) about every other commit also copied the WAL back into the file,
        # under the lock that requests queue on: 12 ms per request of 500 events at
        # 500,000 ids, 8 ms with these (docs/performance.md).
        self._conn.execute("PRAGMA cache_size=-65536")
        self._conn.execute("PRAGMA wal_autocheckpoint=10000")
        self._conn.executescript(_SCHEMA)
        _add_sizes(self._conn)
        self._lock = threading.Lock()
        self._signal = threading.Event()
        self._pid = os.getpid()
        self._next_reclaim = 0.0

    @classmethod
    def from_url(cls, url: str, settings: QueueSettings, *, synchronous: str) -> SQLiteQueue:
        """Open `sqlite:///absolute/path.db` or `sqlite:///relative.db`."""
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc or not path:
            raise ConfigurationError(f"broker URL {url!r}: expected sqlite:///path/to/queue.db")
        return cls(
            Path(path[1:] if path.startswith("//") else path), settings, synchronous=synchronous
        )

    @contextmanager
    def _write(self) -> Iterator[None]:
        """The block as one write transaction, under the lock of this connection."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def publish(self, messages: Sequence[Message]) -> None:
        with self._write():
            self._insert(messages)
        self._signal.set()

    def _insert(self, messages: Sequence[Message]) -> None:
        now = time.time()
        self._conn.executemany(
            "INSERT INTO messages (tenant_id, size, body, enqueued_at, visible_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(m.tenant_id, m.size, m.body, now, now) for m in messages],
        )

    def publish_once(
        self,
        scope: int,
        digests: Mapping[bytes, bytes],
        build: Callable[[list[bytes]], Message],
    ) -> dict[bytes, bytes]:
        keys = list(digests)
        with self._write():
            known = self._recorded(scope, keys)
            fresh = [k for k in keys if k not in known]
            publish = bool(fresh) and all(digests[k] == d for k, d in known.items())
            if publish:
                self._conn.executemany(
                    "INSERT INTO published_keys (scope, key, digest) VALUES (?, ?, ?)",
                    [(scope, k, digests[k]) for k in fresh],
                )
                self._insert([build(fresh)])
        if publish:
            self._signal.set()
        return known

    def release(self, scope: int, digests: Mapping[bytes, bytes]) -> None:
        if not digests:
            return
        with self._write():
            self._conn.executemany(
                "DELETE FROM published_keys WHERE scope = ? AND key = ? AND digest = ?",
                [(scope, key, digest) for key, digest in digests.items()],
            )

    def _recorded(self, scope: int, keys: list[bytes]) -> dict[bytes, bytes]:
        known: dict[bytes, bytes] = {}
        for start in range(0, len(keys), _KEY_CHUNK):
            chunk = keys[start : start + _KEY_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            known.update(
                self._conn.execute(
                    f"SELECT key, digest FROM published_keys WHERE scope = ? AND key IN ({marks})",  # noqa: S608
                    [scope, *chunk],
                ).fetchall()
            )
        return known

    def receive(self, limit: int) -> list[Delivery]:
        now = time.time()
        with self._write():
            if now >= self._next_reclaim:
                self._reclaim_dead_leases(now)
                self._next_reclaim = now + RECLAIM_INTERVAL
            rows = self._take(now, limit)
            spent = [r for r in rows if r[4] >= self.settings.max_deliveries]
            live = [r for r in rows if r[4] < self.settings.max_deliveries]
            for row in spent:
                reason = row[5] or "not acknowledged within the visibility timeout"
                self._bury(row[0], reason, now)
            self._conn.executemany(
                "UPDATE messages SET visible_at = ?, deliveries = deliveries + 1, "
                "leased_by = ? WHERE id = ?",
                [(now + self.settings.visibility_timeout, self._pid, r[0]) for r in live],
            )
        return [
            Delivery(
                receipt=str(r[0]),
                tenant_id=r[1],
                body=r[2],
                enqueued_at=r[3],
                deliveries=r[4] + 1,
                size=r[6],
            )
            for r in live
        ]

    def _take(self, now: float, limit: int) -> list[tuple[Any, ...]]:
        """The oldest visible messages whose sizes reach `limit`: ids and sizes are read
        first (the cursor stops there), then the chosen bodies."""
        chosen: list[int] = []
        total = 0
        cursor = self._conn.execute(
            "SELECT id, size FROM messages WHERE visible_at <= ? ORDER BY visible_at, id",
            (now,),
        )
        for msg_id, size in cursor:
            chosen.append(msg_id)
            total += size
            if total >= limit:
                break
        cursor.close()
        if not chosen:
            return []
        marks = ", ".join("?" for _ in chosen)
        rows = self._conn.execute(
            "SELECT id, tenant_id, body, enqueued_at, deliveries, last_error, size "  # noqa: S608
            f"FROM messages WHERE id IN ({marks})",
            chosen,
        ).fetchall()
        order = {msg_id: i for i, msg_id in enumerate(chosen)}
        return sorted(rows, key=lambda row: order[row[0]])

    def _reclaim_dead_leases(self, now: float) -> None:
        holders = self._conn.execute(
            "SELECT DISTINCT leased_by FROM messages "
            "WHERE visible_at > ? AND leased_by IS NOT NULL",
            (now,),
        ).fetchall()
        for (pid,) in holders:
            if pid != self._pid and not _process_alive(pid):
                self._conn.execute(
                    "UPDATE messages SET visible_at = ?, leased_by = NULL "
                    "WHERE leased_by = ? AND visible_at > ?",
                    (now, pid, now),
                )

    def _bury(self, msg_id: int, reason: str, now: float) -> None:
        self._conn.execute(
            "INSERT INTO dead_letters "
            "(tenant_id, size, body, enqueued_at, dead_at, deliveries, reason) "
            "SELECT tenant_id, size, body, enqueued_at, ?, deliveries, ? "
            "FROM messages WHERE id = ?",
            (now, reason, msg_id),
        )
        self._conn.execute("DELETE FROM messages WHERE id = ?", (msg_id,))

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        with self._write():
            self._conn.executemany(
                "DELETE FROM messages WHERE id = ?", [(int(d.receipt),) for d in deliveries]
            )

    def nack(
        self,
        delivery: Delivery,
        reason: str,
        delay: float = 0.0,
        remaining: Message | None = None,
    ) -> None:
        now = time.time()
        with self._write():
            if remaining is not None:
                self._conn.execute(
                    "UPDATE messages SET body = ?, size = ? WHERE id = ?",
                    (remaining.body, remaining.size, int(delivery.receipt)),
                )
            if delivery.deliveries >= self.settings.max_deliveries:
                self._bury(int(delivery.receipt), reason, now)
            else:
                self._conn.execute(
                    "UPDATE messages SET visible_at = ?, last_error = ? WHERE id = ?",
                    (now + delay, reason, int(delivery.receipt)),
                )

    def wait(self, timeout: float) -> None:
        if self._signal.wait(timeout):
            self._signal.clear()

    def dead_letters(
        self, *, tenant_id: int | None = None, limit: int = 100, after: str | None = None
    ) -> list[DeadLetter]:
        sql = (
            "SELECT id, tenant_id, body, enqueued_at, dead_at, deliveries, reason, size "
            "FROM dead_letters WHERE id > ?"
        )
        params: list[object] = [int(after) if after else 0]
        if tenant_id is not None:
            sql += " AND tenant_id = ?"
            params.append(tenant_id)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [
            DeadLetter(
                id=str(r[0]),
                tenant_id=r[1],
                body=r[2],
                enqueued_at=r[3],
                dead_at=r[4],
                deliveries=r[5],
                reason=r[6],
                size=r[7],
            )
            for r in rows
        ]

    def replay(self, ids: Sequence[str] | None = None, *, tenant_id: int | None = None) -> int:
        now = time.time()
        where = "1 = 1"
        params: list[object] = []
        if ids is not None:
            if not ids:
                return 0
            where += f" AND id IN ({', '.join('?' for _ in ids)})"
            params.extend(int(i) for i in ids)
        if tenant_id is not None:
            where += " AND tenant_id = ?"
            params.append(tenant_id)
        with self._write():
            moved = self._conn.execute(_REPLAY_SQL.format(where=where), [now, *params]).rowcount
            self._conn.execute(_DELETE_DEAD_SQL.format(where=where), params)
        self._signal.set()
        return int(moved)

    def stats(self) -> QueueStats:
        now = time.time()
        with self._lock:
            depth, in_flight, oldest = self._conn.execute(
                "SELECT coalesce(sum(size), 0), coalesce(sum(size * (visible_at > ?)), 0), "
                "min(enqueued_at) FROM messages",
                (now,),
            ).fetchone()
            dead, oldest_dead = self._conn.execute(
                "SELECT count(*), min(dead_at) FROM dead_letters"
            ).fetchone()
        return QueueStats(
            depth=int(depth),
            in_flight=int(in_flight),
            oldest_age_seconds=max(0.0, now - oldest) if oldest is not None else 0.0,
            dead_letters=int(dead),
            oldest_dead_letter_age_seconds=(
                max(0.0, now - oldest_dead) if oldest_dead is not None else 0.0
            ),
        )

    def ping(self) -> None:
        with self._lock:
            self._conn.execute("SELECT 1 FROM messages LIMIT 1").fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
