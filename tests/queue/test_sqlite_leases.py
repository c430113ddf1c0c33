"""SQLite driver: leases held by a process that died are released without waiting."""

from __future__ import annotations

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
