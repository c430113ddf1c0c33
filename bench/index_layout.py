"""Index layouts for the trail on SQLite: today's against indexes partitioned by arrival.

    python bench/index_layout.py [--events 1000000] [--measure 120000] [--runs 3]

A model of the trail's tables in raw `sqlite3` (the events with their key and their actor
and action indexes, the target rows, the ledger's leaves with their index by event id;
times and ids stored as the trail stores them), filled with `--events` events timed
over a day with random ids, then `--measure` more stored in batches of 40,000 and of
10,000. Two layouts:

- today's (the baseline): every index starts with the tenant, then its key;
- by arrival epoch: the events' key, the actor and action indexes and the target rows
  start with the tenant, then an epoch (`--epoch-bits`: 2^17 events per epoch by
  default) counted in arrival order, so a batch adds keys to the newest epoch's part
  of each tree only. The ledger's index by event id stays as it is (lookups by id do
  not know the epoch).

Printed per layout and batch size: CPU µs per event for the inserts and the commit, and
the ratio of the partitioned layout's cost to the baseline's; then what the layout costs
a query: the p50 of finding the newest 50 events of an actor (one index range today,
one per epoch merged by a UNION ALL when partitioned), over 300 random actors.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import medians_of_runs, percentile

BATCHES = (40_000, 10_000)
ACTIONS = [f"svc{i % 12}.object{i % 15}.verb{i}" for i in range(180)]
DOC = "x" * 900  # about the stored text of a benchmark event


class Trail:
    """The model's tables in one SQLite file, with the worker's settings."""

    def __init__(self, path: Path, epoch_bits: int | None) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        for pragma in (
            "page_size=16384",
            "journal_mode=WAL",
            "synchronous=FULL",
            "cache_size=-524288",
            "wal_autocheckpoint=10000",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.bits = epoch_bits
        e = "epoch, " if epoch_bits is not None else ""
        self.conn.executescript(
            f"""
            CREATE TABLE events (epoch INTEGER, tenant_id INTEGER, time TEXT, id TEXT,
                received_at TEXT, action TEXT, outcome TEXT, actor_id TEXT, source_app TEXT,
                search_text TEXT, doc TEXT, PRIMARY KEY (tenant_id, {e}time, id));
            CREATE INDEX ix_actor ON events (tenant_id, {e}actor_id, time, id);
            CREATE INDEX ix_action ON events (tenant_id, {e}action, time, id);
            CREATE TABLE targets (epoch INTEGER, tenant_id INTEGER, target_id TEXT, time TEXT,
                event_id TEXT, target_type TEXT,
                PRIMARY KEY (tenant_id, {e}target_id, time, event_id, target_type));
            CREATE TABLE leaves (tenant_id INTEGER, idx INTEGER, event_id TEXT, time TEXT,
                hash BLOB, PRIMARY KEY (tenant_id, idx));
            CREATE UNIQUE INDEX ix_leaves_event ON leaves (tenant_id, event_id);
            """
        )
        self.rng = random.Random(1)
        self.size = 0
        self.now = datetime.now(UTC)

    def rows(self, count: int) -> tuple[list[tuple[object, ...]], ...]:
        events, targets, leaves = [], [], []
        for index in range(self.size, self.size + count):
            moment = self.now - timedelta(days=1) * self.rng.random()
            at = moment.replace(tzinfo=None).isoformat(" ", "microseconds")
            event_id = uuid.UUID(int=self.rng.getrandbits(128), version=4).hex
            epoch = index >> self.bits if self.bits is not None else 0
            actor, target = self.rng.randrange(1000), self.rng.randrange(20000)
            action = self.rng.choice(ACTIONS)
            text = f"{action} user {actor} order {target}"
            events.append(
                (epoch, 1, at, event_id, at, action, "success", f"user-{actor}", "app", text, DOC)
            )
            targets.append((epoch, 1, f"o-{target}", at, event_id, "order"))
            leaves.append((1, index, event_id, at, os.urandom(32)))
        self.size += count
        return events, targets, leaves

    def first_page(self, actor: str) -> float:
        """Seconds to find the newest 50 events of `actor` (times and ids)."""
        arm = (
            "SELECT time, id FROM events WHERE tenant_id = 1 {} AND actor_id = ? "
            "ORDER BY time DESC, id DESC LIMIT 50"
        )
        if self.bits is None:
            sql, params = arm.format(""), [actor]
        else:
            epochs = range(((self.size - 1) >> self.bits) + 1)
            arms = [f"SELECT * FROM ({arm.format(f'AND epoch = {e}')})" for e in epochs]
            union = " UNION ALL ".join(arms)
            sql = f"SELECT * FROM ({union}) ORDER BY time DESC, id DESC LIMIT 50"
            params = [actor] * len(arms)
        started = time.perf_counter()
        rows = self.conn.execute(sql, params).fetchall()
        elapsed = time.perf_counter() - started
        assert len(rows) == 50
        return elapsed

    def store(self, count: int) -> float:
        """Store `count` events in one transaction; the CPU seconds it took."""
        events, targets, leaves = self.rows(count)
        started = time.process_time()
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.executemany(f"INSERT INTO events VALUES ({', '.join('?' * 11)})", events)
        c.executemany(f"INSERT INTO targets VALUES ({', '.join('?' * 6)})", targets)
        c.executemany(f"INSERT INTO leaves VALUES ({', '.join('?' * 5)})", leaves)
        c.execute("COMMIT")
        return time.process_time() - started


def measure(
    workdir: Path, layout: str, bits: int | None, args: argparse.Namespace
) -> dict[str, float]:
    """`layout`'s figures: CPU µs per event stored by batch size, first-page p50 in ms."""
    trail = Trail(workdir / f"{layout}.db", bits)
    for _ in range(args.events // 40_000):
        trail.store(40_000)
    figures = {}
    for batch in BATCHES:
        cpu = sum(trail.store(batch) for _ in range(args.measure // batch))
        figures[f"{layout} {batch}"] = cpu / args.measure * 1e6
    rng = random.Random(5)
    pages = [trail.first_page(f"user-{rng.randrange(1000)}") for _ in range(300)]
    figures[f"{layout} page"] = percentile(pages, 0.5) * 1000
    trail.conn.close()
    return figures


def one_run(workdir: Path, args: argparse.Namespace) -> dict[str, float]:
    return {
        **measure(workdir, "today", None, args),
        **measure(workdir, "epochs", args.epoch_bits, args),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--measure", type=int, default=120_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epoch-bits", type=int, default=17)
    args = parser.parse_args()
    medians_of_runs(
        args.runs,
        "sealtrail-layout-",
        lambda workdir: one_run(workdir, args),
        report,
        f"at {args.events:,} events",
    )


def report(f: dict[str, float]) -> str:
    stores = [
        f"batches of {batch:,}: today {f[f'today {batch}']:.1f} CPU µs/event (baseline), "
        f"by arrival epoch {f[f'epochs {batch}']:.1f} "
        f"(x{f[f'epochs {batch}'] / f[f'today {batch}']:.2f})"
        for batch in BATCHES
    ]
    query = (
        f"newest 50 of an actor, p50: today {f['today page']:.2f} ms, by arrival epoch "
        f"{f['epochs page']:.2f} ms (x{f['epochs page'] / f['today page']:.2f})"
    )
    return " | ".join([*stores, query])


if __name__ == "__main__":
    main()
