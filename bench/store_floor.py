"""The storage floor on SQLite: what the database alone costs per event, on each side.

    python bench/store_floor.py [--events 1000000] [--measure 200000] [--runs 3]

Ingest's side: the queue's write of a request of 500 events (`SQLiteQueue.publish_once`:
the message and its 500 ids in the id index) once `--events` ids are recorded, with
random ids (UUIDv4, what the ingest benchmark sends) and with ids that sort by time
(UUIDv7, what the server generates); the ratio between the two.

The worker's side: its rows (the event with its three indexes, its free-text entry, its
target row, its ledger leaf and about one tree node) written by raw `sqlite3` executemany into
the trail's real schema, with the worker's settings (WAL, synchronous FULL, 512 MiB page
cache), no Python work beyond the driver: first `--events` in batches of 40,000, then
`--measure` more in batches of 40,000 and of 10,000. Printed: CPU µs and events/s per
batch size, and the baseline measured in the same run (the same event rows into a bare
table of the same engine), with the ratio. The worker cannot store faster than this;
decoding, hashing and the ledger's tree come on top.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite as sqlite_dialect

from harness import make_event, medians_of_runs, recent
from sealtrail.config import Settings
from sealtrail.db.bulk import encoder
from sealtrail.events import epochs
from sealtrail.events.message import QueuedEvent
from sealtrail.events.models import EVENT_EPOCHS, EVENT_TARGETS, EVENTS
from sealtrail.events.schema import time_ordered_id
from sealtrail.events.store import event_values, target_key, target_values
from sealtrail.ledger.models import LEAVES, NODES
from sealtrail.queue import Message, QueueSettings
from sealtrail.queue.sqlite import SQLiteQueue
from sealtrail.runtime import Runtime

DIALECT = sqlite_dialect.dialect()


def statement(table: Table) -> str:
    names = list(table.c.keys())
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    if table is EVENT_EPOCHS:  # an epoch's bounds widen as its batches come
        sql += (
            " ON CONFLICT (tenant_id, epoch) DO UPDATE SET"
            " min_time = min(min_time, excluded.min_time),"
            " max_time = max(max_time, excluded.max_time)"
        )
    return sql


def converted(table: Table, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows as the driver takes them (times and UUIDs as SQLite stores them)."""
    convert = [encoder(column, DIALECT) for column in table.c]
    return [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in rows]


class Writer:
    """Writes batches of the worker's rows into a migrated trail with raw sqlite3."""

    def __init__(self, path: Path, spread: timedelta) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "cache_size=-524288",
            "wal_autocheckpoint=10000",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.rng = random.Random(1)
        self.spread = spread
        self.size = 0
        self.now = datetime.now(UTC).isoformat()

    def rows(self, count: int) -> dict[Table, list[tuple[Any, ...]]]:
        events = []
        for _ in range(count):
            doc = make_event(self.rng, recent(self.rng, self.spread))
            doc["tenant"], doc["received_at"] = "floor", self.now
            events.append(QueuedEvent.of(1, doc))
        events.sort(key=lambda ev: (ev.time, ev.id))  # as the worker stores them
        leaves, nodes = [], []
        for index, ev in enumerate(events, self.size):
            leaves.append((1, index, ev.id, ev.time, ev.leaf))
            level, pos = 0, index
            while pos & 1:  # the subtrees this leaf completes
                level, pos = level + 1, pos >> 1
                nodes.append((1, level, pos, ev.leaf))
        marks = [epochs.of_index(i) for i in range(self.size, self.size + count)]
        self.size += count
        marked = list(zip(events, marks, strict=True))
        targets = sorted((row for ev, e in marked for row in target_values(ev, e)), key=target_key)
        bounds = epochs.bounds((1, e, ev.time) for ev, e in marked)
        return {
            EVENTS: converted(EVENTS, [event_values(ev, e) for ev, e in marked]),
            EVENT_TARGETS: converted(EVENT_TARGETS, targets),
            EVENT_EPOCHS: converted(
                EVENT_EPOCHS, [(t, e, lo, hi) for (t, e), (lo, hi) in bounds.items()]
            ),
            LEAVES: converted(LEAVES, leaves),
            NODES: nodes,
        }

    def write(self, rows: dict[Table, list[tuple[Any, ...]]]) -> float:
        """Store one batch in one transaction; return the CPU seconds it took."""
        started = time.process_time()
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        last = c.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()[0]
        for table, batch in rows.items():
            c.executemany(statement(table), batch)
        c.execute(
            "INSERT INTO events_fts(rowid, search_text) "
            "SELECT rowid, search_text FROM events WHERE rowid > ?",
            (last,),
        )
        c.execute("COMMIT")
        return time.process_time() - started


def baseline(rows: list[tuple[Any, ...]], workdir: Path) -> float:
    """Rows/s of the same event rows into a bare table of the same engine."""
    conn = sqlite3.connect(str(workdir / "bare.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"CREATE TABLE bare ({', '.join(EVENTS.c.keys())})")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO bare VALUES ({', '.join('?' * len(EVENTS.c))})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def queue_write(workdir: Path, recorded: int, ordered: bool, requests: int = 200) -> float:
    """Milliseconds per request of 500 new ids, once `recorded` ids are in the index."""
    queue = SQLiteQueue(workdir / f"queue-{ordered}.db", QueueSettings())
    rng = random.Random(3)

    def ids() -> dict[bytes, bytes]:
        made = (
            [time_ordered_id().bytes for _ in range(500)]
            if ordered
            else [rng.randbytes(16) for _ in range(500)]
        )
        return {k: rng.randbytes(32) for k in made}

    small = Message(body=b"{}", tenant_id=1, size=500)
    for _ in range(recorded // 500):
        queue.publish_once(1, ids(), lambda fresh: small)
    body = Message(body=rng.randbytes(550_000), tenant_id=1, size=500)  # 500 events
    started = time.perf_counter()
    for _ in range(requests):
        queue.publish_once(1, ids(), lambda fresh: body)
    elapsed = time.perf_counter() - started
    queue.close()
    return elapsed / requests * 1000


def run(args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    settings = Settings(data_dir=workdir / "data")
    runtime = Runtime.build(settings)
    runtime.migrate()
    runtime.close()
    writer = Writer(settings.data_dir / "sealtrail.db", timedelta(seconds=args.time_spread))
    for _ in range(args.events // 40_000):
        writer.write(writer.rows(40_000))
    figures = {
        "queue random": queue_write(workdir, args.events, ordered=False),
        "queue ordered": queue_write(workdir, args.events, ordered=True),
    }
    for batch in (40_000, 10_000):
        cpu = wall = 0.0
        for _ in range(args.measure // batch):
            rows = writer.rows(batch)
            started = time.perf_counter()
            cpu += writer.write(rows)
            wall += time.perf_counter() - started
        figures[f"{batch} cpu"] = cpu / args.measure * 1e6
        figures[f"{batch} rate"] = args.measure / wall
    writer.conn.close()
    figures["baseline"] = baseline(writer.rows(args.measure)[EVENTS], workdir)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--measure", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-spread", type=float, default=86_400)
    args = parser.parse_args()
    medians_of_runs(
        args.runs,
        "sealtrail-floor-",
        lambda workdir: run(args, workdir),
        report,
        f"at {args.events:,} events",
    )


def report(f: dict[str, float]) -> str:
    return (
        f"queue write of 500 ids: random {f['queue random']:.2f} ms, sorting by time "
        f"{f['queue ordered']:.2f} ms (x{f['queue random'] / f['queue ordered']:.1f}) | "
        f"trail, batches of 40,000: {f['40000 cpu']:.1f} CPU µs/event, "
        f"{f['40000 rate']:,.0f} ev/s | "
        f"batches of 10,000: {f['10000 cpu']:.1f} CPU µs/event, {f['10000 rate']:,.0f} ev/s | "
        f"baseline {f['baseline']:,.0f} rows/s | ratio (40,000) "
        f"{f['40000 rate'] / f['baseline']:.3f}"
    )


if __name__ == "__main__":
    main()
