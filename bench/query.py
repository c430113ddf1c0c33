"""Query benchmark: p50/p95 of the first page of filtered lists over a large trail.

    python bench/query.py [--events 5000000] [--samples 40] [--runs 3]
                          [--engines sqlite,postgresql] [--fresh] [--late PERCENT]

Seeds `--events` stored events of one tenant (30 days, 1,000 actors, 180 actions,
20,000 targets) straight into the event tables the way the worker writes them, then
starts `sealtrail up` on that database and asks, over HTTP, for the first page (50
events, newest first) of lists filtered by actor, by action prefix, by target, by
free text (a common word and a rare one) and by a one-hour time window. The baseline,
measured in the same run, is the unfiltered first page; each figure is printed with
its ratio to it. The seeded database is kept under bench/results/ and reused unless
`--fresh` (seeding 5M events takes several minutes).

Events arrive in time order, except with `--late PERCENT`: that share of them is timed
at random over the 30 days, as late arrivals and backfills are (SQLite partitions the
trail by arrival, events/epochs.py; an epoch holding late events spans their times).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from harness import (
    ACTIONS,
    RESULTS,
    WORDS,
    Server,
    make_event,
    median,
    percentile,
    postgres_url,
    prepare_tenant,
)
from sealtrail.config import Settings
from sealtrail.events import epochs
from sealtrail.events.message import QueuedEvent
from sealtrail.events.models import EVENT_IDS
from sealtrail.events.store import write_trail
from sealtrail.runtime import Runtime

SPAN = timedelta(days=30)
CHUNK = 20_000
PAGE = 50


def seeded_events(
    count: int, tenant_id: int, end: datetime, late: float = 0.0
) -> Iterator[list[QueuedEvent]]:
    """`count` events spread evenly over SPAN before `end`, oldest first, in chunks;
    a `late` share of them (0..1) timed at random over SPAN instead: they arrive late."""
    rng = random.Random(5)
    late_rng = random.Random(6)
    step = SPAN / count
    start = end - SPAN
    received = end
    for first in range(0, count, CHUNK):
        chunk = []
        for i in range(first, min(count, first + CHUNK)):
            moment = start + step * i
            if late and late_rng.random() < late:
                moment = start + SPAN * late_rng.random()
            doc = make_event(rng, moment)
            doc["tenant"] = "bench"
            doc["received_at"] = received.isoformat().replace("+00:00", "Z")
            chunk.append(QueuedEvent.of(tenant_id, doc))
        yield chunk


def seed(settings: Settings, count: int, late: float = 0.0) -> dict[str, Any]:
    """Create a tenant and store `count` events for it; return what the run needs."""
    keys = prepare_tenant(settings)
    runtime = Runtime.build(settings)
    with runtime.engine.connect() as conn:
        tenant_id = conn.execute(
            text("SELECT id FROM tenants WHERE name = :n"), {"n": keys.tenant}
        ).scalar_one()
    end = datetime.now(UTC).replace(microsecond=0)
    runtime.partitioner.ensure_for([end - SPAN, end])
    started = time.monotonic()
    done = 0
    sqlite = runtime.engine.dialect.name == "sqlite"
    for chunk in seeded_events(count, tenant_id, end, late):
        # In arrival order, as the worker numbers the epochs on SQLite (events/epochs.py).
        marks = [epochs.of_index(done + i) for i in range(len(chunk))] if sqlite else None
        with runtime.engine.begin() as conn:
            write_trail(conn, chunk, marks)
            conn.execute(
                insert(EVENT_IDS),
                [
                    {
                        "tenant_id": tenant_id,
                        "event_id": ev.id,
                        "content_hash": ev.content_hash,
                        "accepted_at": ev.received_at,
                    }
                    for ev in chunk
                ],
            )
        done += len(chunk)
        if done % 500_000 < CHUNK:
            rate = done / (time.monotonic() - started)
            print(f"  seeded {done:,} events ({rate:,.0f}/s)", flush=True)
    with runtime.engine.connect() as conn:
        if runtime.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.execute(text("ANALYZE events"))
            conn.execute(text("ANALYZE event_targets"))
        conn.commit()
    runtime.close()
    return {"read": keys.read, "end": end.isoformat(), "events": count}


class Dataset:
    """A seeded database of one engine, kept between runs."""

    def __init__(self, engine: str, count: int, late: float = 0.0) -> None:
        self.engine = engine
        self.count = count
        self.late = late
        name = f"query-{engine}-{count}" + (f"-late{late * 100:g}" if late else "")
        self.dir = RESULTS / name
        self.meta_file = self.dir / "meta.json"
        self.database_url: str | None = None
        if engine == "postgresql":
            self.db = f"sealtrail_bench_query_{count}" + (f"_late{late * 100:g}" if late else "")
            self.database_url = (
                make_url(postgres_url()).set(database=self.db).render_as_string(False)
            )

    def settings(self) -> Settings:
        return Settings(data_dir=self.dir / "data", database_url=self.database_url)

    def env(self) -> dict[str, str]:
        return {"SEALTRAIL_DATABASE_URL": self.database_url} if self.database_url else {}

    def _admin(self, sql: str) -> None:
        admin = create_engine(
            make_url(postgres_url()).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as c:
            c.execute(text(sql))
        admin.dispose()

    def ensure(self, fresh: bool) -> dict[str, Any]:
        if self.meta_file.exists() and not fresh:
            meta: dict[str, Any] = json.loads(self.meta_file.read_text())
            return meta
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        if self.database_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.db}"')
        print(f"seeding {self.count:,} events into {self.engine} ...", flush=True)
        meta = seed(self.settings(), self.count, self.late)
        self.meta_file.write_text(json.dumps(meta))
        return meta


def query_kinds(rng: random.Random, end: datetime) -> dict[str, Callable[[], dict[str, str]]]:
    """Each kind of list, as a function drawing fresh parameters for one sample."""
    domains = sorted({a.split(".")[0] for a in ACTIONS})

    def window() -> dict[str, str]:
        since = end - SPAN * rng.random()
        return {
            "since": since.isoformat().replace("+00:00", "Z"),
            "until": (since + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        }

    return {
        "unfiltered (baseline)": dict,
        "actor": lambda: {"actor": f"user-{rng.randrange(1000)}"},
        "action prefix": lambda: {"action": f"{rng.choice(domains)}.*"},
        "exact action": lambda: {"action": rng.choice(ACTIONS)},
        "target id": lambda: {"target": f"o-{rng.randrange(20000)}"},
        "target type:id": lambda: {"target": f"order:o-{rng.randrange(20000)}"},
        "free text, common word": lambda: {"q": rng.choice(WORDS)},
        "free text, rare name": lambda: {"q": f"order {rng.randrange(20000)}"},
        "time window (1 h)": window,
    }


def measure(http: httpx.Client, params: dict[str, str]) -> float:
    start = time.perf_counter()
    r = http.get("/api/v1/audit/events", params={**params, "limit": str(PAGE)})
    elapsed = time.perf_counter() - start
    if r.status_code != 200:
        raise RuntimeError(f"query failed: {r.status_code} {r.text[:200]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=40, help="queries per kind and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--fresh", action="store_true", help="reseed even if a dataset exists")
    parser.add_argument(
        "--late",
        type=float,
        default=0.0,
        help="percent of events that arrive late, timed at random over the 30 days",
    )
    args = parser.parse_args()
    for engine in args.engines.split(","):
        data = Dataset(engine, args.events, args.late / 100)
        meta = data.ensure(args.fresh)
        end = datetime.fromisoformat(meta["end"])
        p50s: dict[str, list[float]] = {}
        p95s: dict[str, list[float]] = {}
        with (
            Server(data.dir / "data", data.env()) as srv,
            httpx.Client(
                base_url=srv.url, headers={"Authorization": f"Bearer {meta['read']}"}, timeout=120
            ) as http,
        ):
            for run in range(1, args.runs + 1):
                rng = random.Random(run)
                kinds = query_kinds(rng, end)
                measure(http, {})  # open the connection
                for kind, draw in kinds.items():
                    times = [measure(http, draw()) for _ in range(args.samples)]
                    p50s.setdefault(kind, []).append(percentile(times, 0.50))
                    p95s.setdefault(kind, []).append(percentile(times, 0.95))
                print(f"[{engine} run {run} done]", flush=True)
        base50 = median(p50s["unfiltered (baseline)"])
        base95 = median(p95s["unfiltered (baseline)"])
        print(
            f"== {engine}: {args.events:,} events ({args.late:g}% late), first page of {PAGE}, "
            "median of "
            f"{args.runs} run(s) x {args.samples} queries per kind"
        )
        for kind in p50s:
            p50, p95 = median(p50s[kind]), median(p95s[kind])
            print(
                f"  {kind:<24} p50 {p50 * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  "
                f"(x{p50 / base50:5.1f} / x{p95 / base95:5.1f} baseline)",
                flush=True,
            )


if __name__ == "__main__":
    main()
