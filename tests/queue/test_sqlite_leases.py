"""SQLite driver: leases of a dead process are released at once; old queue files upgrade."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from sealtrail.queue import Message, QueueSettings
from sealtrail.queue.sqlite import SQLiteQueue


def test_messages_leased_by_a_dead_process_are_redelivered_at_once(tmp_path: Path):
    path = tmp_path / "queue.db"
    settings = QueueSettings(visibility_timeout=3600)
    queue = SQLiteQueue(path, settings, synchronous="NORMAL")
    queue.publish([Message(body=f"m{i}".encode()) for i in range(3)])
    consumer = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from sealtrail.queue import QueueSettings
        from sealtrail.queue.sqlite import SQLiteQueue
        q = SQLiteQueue(Path({str(path)!r}), QueueSettings(visibility_timeout=3600))
        assert len(q.receive(10)) == 3
        os._exit(0)  # dies holding the leases, without ack or nack
    """)
    subprocess.run([sys.executable, "-c", consumer], check=True)
    # A live process's leases would hide the messages for an hour; a dead one's do not.
    again = SQLiteQueue(path, settings, synchronous="NORMAL")
    got = again.receive(10)
    assert sorted(d.body for d in got) == [b"m0", b"m1", b"m2"]
    assert all(d.deliveries == 2 for d in got)
    # Leases of this (living) process are respected.
    assert again.receive(10) == []
    queue.close()
    again.close()


def test_a_queue_file_from_before_message_sizes_is_upgraded_and_keeps_its_messages(
    tmp_path: Path,
):
    path = tmp_path / "queue.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER, "
        "body BLOB NOT NULL, enqueued_at REAL NOT NULL, visible_at REAL NOT NULL, "
        "deliveries INTEGER NOT NULL DEFAULT 0, last_error TEXT, leased_by INTEGER);"
        "CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER, "
        "body BLOB NOT NULL, enqueued_at REAL NOT NULL, dead_at REAL NOT NULL, "
        "deliveries INTEGER NOT NULL, reason TEXT NOT NULL);"
        "INSERT INTO messages (tenant_id, body, enqueued_at, visible_at) "
        "VALUES (1, x'6f6c64', 0, 0);"
    )
    old.commit()
    old.close()
    q = SQLiteQueue(path, QueueSettings())
    try:
        q.publish([Message(body=b"new", tenant_id=1, size=7)])
        got = q.receive(100)
        assert [(d.body, d.size) for d in got] == [(b"old", 1), (b"new", 7)]
    finally:
        q.close()
