"""Ingest benchmark: events/s accepted and end to end, and accept-to-queryable latency.

    python bench/ingest.py [--events 1000000] [--runs 3] [--engines sqlite,postgresql]

Per engine and run: two client processes send `--events` events in batches of 500 over
HTTP to `sealtrail up` as fast as it answers. Printed: events/s accepted (until the
last 202), events/s end to end (until the last event is stored and queryable), then
p50/p99 accept-to-queryable latency at a paced offered load (default 10,000 events/s),
and the baseline measured in the same run: a raw `executemany` of the same rows into a
bare table of the same engine, with the ratio. Medians over the runs are printed last.
Events are timed at random within the day before they are sent (`--time-spread`), so
every index keyed by time is written at random places; `--time-spread 60` is closer to a
live stream, whose events are timed as they happen. Ids are random (UUIDv4) unless
`--ids uuid7`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import random
import secrets
import sqlite3
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness import (
    Keys,
    Server,
    make_event,
    median,
    percentile,
    postgres_url,
    prepare_tenant,
    recent,
)
from sealtrail.config import Settings
from sealtrail.events.message import QueuedEvent
from sealtrail.events.schema import time_ordered_id
from sealtrail.events.store import event_values

BATCH = 500


def make_batches(seed: int, count: int, spread: timedelta, ordered_ids: bool) -> list[bytes]:
    rng = random.Random(seed)
    return [
        orjson.dumps(
            [with_id(make_event(rng, recent(rng, spread)), ordered_ids) for _ in range(BATCH)]
        )
        for _ in range(count)
    ]


def with_id(event: dict[str, Any], ordered: bool) -> dict[str, Any]:
    """The event with a UUIDv7 id, made now, when the ids are to sort by time."""
    if ordered:
        event["id"] = str(time_ordered_id())
    return event


def client(
    url: str,
    key: str,
    seed: int,
    count: int,
    ids: tuple[timedelta, bool],
    ready: Any,
    go: Any,
    out: Any,
) -> None:
    batches = make_batches(seed, count, *ids)
    headers = {"Authorization": f"Bearer {key}", "content-type": "application/json"}
    ready.set()
    go.wait()
    with httpx.Client(timeout=60) as http:
        for body in batches:
            r = http.post(f"{url}/api/v1/audit/events", content=body, headers=headers)
            if r.status_code != 202:
                raise RuntimeError(f"ingest failed: {r.status_code} {r.text[:200]}")
    out.put(time.time())


def throughput(
    srv: Server, keys: Keys, events: int, clients: int, ids: tuple[timedelta, bool]
) -> tuple[float, float]:
    per_client = events // BATCH // clients
    ctx = mp.get_context("spawn")
    readies = [ctx.Event() for _ in range(clients)]
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(
            target=client,
            args=(srv.url, keys.ingest, 1000 + i, per_client, ids, readies[i], go, out),
        )
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    for r in readies:
        r.wait()
    stored_before = srv.metric("sealtrail_events_stored_total")
    total = per_client * clients * BATCH
    start = time.time()
    go.set()
    last_accept = max(finish_times(procs, out))
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError("a client failed")
    while srv.metric("sealtrail_events_stored_total") - stored_before < total:
        time.sleep(0.05)
    queryable = time.time()
    return total / (last_accept - start), total / (queryable - start)


def finish_times(procs: list[Any], out: Any) -> list[float]:
    """When each client got its last answer; raise as soon as one of them failed."""
    times: list[float] = []
    while len(times) < len(procs):
        try:
            times.append(out.get(timeout=1))
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise RuntimeError("a client failed; its traceback is above") from None
    return times


def latency(
    srv: Server, keys: Keys, rate: int, seconds: float, ids: tuple[timedelta, bool]
) -> tuple[float, float]:
    """Offer `rate` events/s for `seconds`; sample the last event of each batch."""
    batches_per_s = rate / BATCH
    count = int(batches_per_s * seconds)
    rng = random.Random(7)
    bodies: list[tuple[str, bytes]] = []
    for _ in range(count):
        batch = [with_id(make_event(rng, recent(rng, ids[0])), ids[1]) for _ in range(BATCH)]
        bodies.append((batch[-1]["id"], orjson.dumps(batch)))
    pending: list[tuple[str, float]] = []
    lock = threading.Lock()
    latencies: list[float] = []
    done = threading.Event()
    headers = {"Authorization": f"Bearer {keys.ingest}", "content-type": "application/json"}

    def send(share: list[tuple[str, bytes]], offset: float) -> None:
        interval = 2 / batches_per_s
        start = time.monotonic() + offset
        with httpx.Client(timeout=60) as http:
            for i, (sample, body) in enumerate(share):
                delay = start + i * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                http.post(f"{srv.url}/api/v1/audit/events", content=body, headers=headers)
                with lock:
                    pending.append((sample, time.monotonic()))

    def poll() -> None:
        read = {"Authorization": f"Bearer {keys.read}"}
        with httpx.Client(timeout=60) as http:
            while not (done.is_set() and not pending):
                with lock:
                    item = pending[0] if pending else None
                if item is None:
                    time.sleep(0.002)
                    continue
                r = http.get(f"{srv.url}/api/v1/audit/events/{item[0]}", headers=read)
                if r.status_code == 200:
                    latencies.append(time.monotonic() - item[1])
                    with lock:
                        pending.pop(0)
                else:
                    time.sleep(0.005)

    poller = threading.Thread(target=poll)
    poller.start()
    senders = [
        threading.Thread(target=send, args=(bodies[0::2], 0.0)),
        threading.Thread(target=send, args=(bodies[1::2], 1 / batches_per_s)),
    ]
    for s in senders:
        s.start()
    for s in senders:
        s.join()
    done.set()
    poller.join()
    return percentile(latencies, 0.50), percentile(latencies, 0.99)


def baseline_rows(count: int) -> list[dict[str, Any]]:
    rng = random.Random(99)
    rows = []
    now = datetime.now(UTC)
    for _ in range(count):
        doc = make_event(rng, recent(rng))
        doc["tenant"] = "bench"
        doc["received_at"] = now.isoformat()
        ev = QueuedEvent.of(1, doc)
        names = COLUMNS.replace(" ", "").split(",")
        rows.append(dict(zip(names, event_values(ev)[: len(names)], strict=True)))
    return rows


COLUMNS = (
    "tenant_id, time, id, received_at, action, outcome, actor_id, source_app, search_text, doc"
)


def baseline_sqlite(rows: list[dict[str, Any]], workdir: Path) -> float:
    conn = sqlite3.connect(str(workdir / "baseline.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE bare (tenant_id INTEGER, time TEXT, id TEXT, received_at TEXT, "
        "action TEXT, outcome TEXT, actor_id TEXT, source_app TEXT, search_text TEXT, doc TEXT)"
    )
    values = [
        (
            r["tenant_id"],
            r["time"].isoformat(),
            str(r["id"]),
            r["received_at"].isoformat(),
            r["action"],
            r["outcome"],
            r["actor_id"],
            r["source_app"],
            r["search_text"],
            r["doc"],
        )
        for r in rows
    ]
    start = time.perf_counter()
    for i in range(0, len(values), BATCH):
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO bare ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", values[i : i + BATCH]
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(values) / elapsed


def baseline_postgres(rows: list[dict[str, Any]], url: str) -> float:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TEMP TABLE bare (tenant_id int, time timestamptz, id uuid, "
            "received_at timestamptz, action text, outcome text, actor_id text, source_app text, "
            "search_text text, doc text)"
        )
        values = [tuple(r[c.strip()] for c in COLUMNS.split(",")) for r in rows]
        start = time.perf_counter()
        with conn.cursor() as cur:
            for i in range(0, len(values), BATCH):
                cur.executemany(
                    f"INSERT INTO bare ({COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    values[i : i + BATCH],
                )
                conn.commit()
        return len(values) / (time.perf_counter() - start)


class Engine:
    """A fresh database of one engine for one run."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.database_url: str | None = None
        if name == "postgresql":
            base = postgres_url()
            self.db = f"sealtrail_bench_{secrets.token_hex(3)}"
            self.admin = create_engine(
                make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
            with self.admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{self.db}"'))
            self.database_url = (
                make_url(base).set(database=self.db).render_as_string(hide_password=False)
            )

    def env(self) -> dict[str, str]:
        # The per-key rate limit guards a shared server; the benchmark measures the
        # server's own limit, with both clients on one key.
        env = {"SEALTRAIL_INGEST_RATE_PER_KEY": "1e9", "SEALTRAIL_INGEST_BURST_PER_KEY": "1e9"}
        if self.database_url:
            env["SEALTRAIL_DATABASE_URL"] = self.database_url
        return env

    def baseline(self, rows: list[dict[str, Any]]) -> float:
        if self.database_url:
            return baseline_postgres(rows, self.database_url)
        return baseline_sqlite(rows, self.workdir)

    def drop(self) -> None:
        if self.database_url:
            with self.admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)'))
            self.admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--latency-rate", type=int, default=10_000)
    parser.add_argument("--latency-seconds", type=float, default=30.0)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument(
        "--time-spread",
        type=float,
        default=86_400,
        help="events are timed at random within this many seconds before they are sent "
        "(a day by default: every index keyed by time is written at random places; a "
        "live stream, whose events are timed as they happen, is more like 60)",
    )
    parser.add_argument(
        "--ids",
        choices=("random", "uuid7"),
        default="random",
        help="random ids (UUIDv4) or ids that sort by the time they were made (UUIDv7)",
    )
    parser.add_argument(
        "--worker-mode", choices=("process", "thread"), default=None, help="SEALTRAIL_WORKER_MODE"
    )
    args = parser.parse_args()
    ids = (timedelta(seconds=args.time_spread), args.ids == "uuid7")
    rows = baseline_rows(args.baseline_rows)
    for engine_name in args.engines.split(","):
        results: dict[str, list[float]] = {
            k: [] for k in ("accepted", "e2e", "p50", "p99", "baseline")
        }
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory(prefix="sealtrail-bench-") as tmp:
                workdir = Path(tmp)
                engine = Engine(engine_name, workdir)
                try:
                    settings = Settings(data_dir=workdir / "data", database_url=engine.database_url)
                    keys = prepare_tenant(settings)
                    env = engine.env()
                    if args.worker_mode:
                        env["SEALTRAIL_WORKER_MODE"] = args.worker_mode
                    with Server(workdir / "data", env) as srv:
                        accepted, e2e = throughput(srv, keys, args.events, args.clients, ids)
                        p50, p99 = latency(srv, keys, args.latency_rate, args.latency_seconds, ids)
                    base = engine.baseline(rows)
                finally:
                    engine.drop()
            for key, value in zip(results, (accepted, e2e, p50, p99, base), strict=True):
                results[key].append(value)
            print(
                f"[{engine_name} run {run}] accepted {accepted:,.0f} ev/s | end to end "
                f"{e2e:,.0f} ev/s | latency at {args.latency_rate:,} ev/s offered: "
                f"p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms | baseline executemany "
                f"{base:,.0f} rows/s | ratio end-to-end/baseline {e2e / base:.3f}",
                flush=True,
            )
        m = {k: median(v) for k, v in results.items()}
        print(
            f"== {engine_name}: median of {args.runs} run(s), {args.events:,} events: accepted "
            f"{m['accepted']:,.0f} ev/s; end to end {m['e2e']:,.0f} ev/s; p50 "
            f"{m['p50'] * 1000:,.0f} ms; p99 {m['p99'] * 1000:,.0f} ms; baseline "
            f"{m['baseline']:,.0f} rows/s; ratio {m['e2e'] / m['baseline']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
