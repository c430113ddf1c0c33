"""Mixed benchmark: ingest at half its capacity while readers search and ask for stats.

    python bench/mixed.py [--capacity EV_PER_S] [--readers 0,5,20] [--seconds 30] [--runs 3]
                          [--stats-share 0.3] [--setting read_max_concurrent=8 ...]

Per run, on SQLite against a `sealtrail up` process: ingest capacity is measured first
(two clients sending `--capacity-events` events as fast as the API answers, as
bench/ingest.py does; `--capacity` skips this), then ingest is offered at half of it
for `--seconds` with 0, 5 and 20 concurrent readers (a realistic mix: 70% searches of
the kinds bench/query.py measures, 30% `/stats` of the last hour or day). Printed per
reader count: the ingest rate achieved and its ratio to the rate offered (the
baseline), query p50/p95/p99, stats p95, reads refused (503: read slots full or over
the time budget) and the API process's peak RSS (in all, and its own memory without
the mapped database file). Medians over the runs are printed last.
`--setting NAME=VALUE` starts the server with `SEALTRAIL_<NAME>=VALUE` (compare limits).
Target: ingest keeps >= 90% of the offered rate with 20 readers, query p95 < 1 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from harness import (
    Keys,
    Server,
    make_event,
    medians_of_runs,
    percentile,
    prepare_tenant,
    recent,
)
from ingest import BATCH, throughput
from query import query_kinds
from sealtrail.config import Settings

SENDERS = 4  # concurrent ingest requests: one slow answer does not stall the schedule
ENV = {"SEALTRAIL_INGEST_RATE_PER_KEY": "1e9", "SEALTRAIL_INGEST_BURST_PER_KEY": "1e9"}


def rss_mib(pid: int) -> tuple[float, float]:
    """Resident memory of a process (Linux /proc), MiB: in all, and its own (anonymous,
    without the pages of the memory-mapped database file, which the kernel can drop)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    rss, own = (int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon"))
    return rss, own


def offer(url: str, key: str, rate: float, seconds: float, seed: int, out: Any) -> None:
    """Send batches of new events paced at `rate` events/s for `seconds`; put (events
    accepted, events refused, seconds until the last answer) on `out`."""
    rng = random.Random(seed)
    count = max(SENDERS, int(rate * seconds / BATCH))
    bodies = [
        orjson.dumps([make_event(rng, recent(rng, timedelta(minutes=5))) for _ in range(BATCH)])
        for _ in range(count)
    ]
    interval = BATCH / rate
    headers = {"Authorization": f"Bearer {key}", "content-type": "application/json"}
    accepted, refused = [0], [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def send(first: int) -> None:
        with httpx.Client(timeout=60) as http:
            for i in range(first, count, SENDERS):
                delay = start + i * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                ok = http.post(f"{url}/api/v1/audit/events", content=bodies[i], headers=headers)
                with lock:
                    if ok.status_code == 202:
                        accepted[0] += BATCH
                    else:
                        refused[0] += BATCH
                        if refused[0] == BATCH:
                            print(f"ingest refused: {ok.status_code} {ok.text[:300]}", flush=True)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The schedule spans `count` intervals; a server that keeps up ends on time.
    out.put((accepted[0], refused[0], max(time.monotonic() - start, count * interval)))


def read(url: str, key: str, readers: int, stats_share: float, stop: Any, out: Any) -> None:
    """`readers` threads asking a mix of searches and stats until `stop`; put the
    latencies (kind, seconds, status) on `out`."""
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        kinds = query_kinds(rng, datetime.now(UTC))
        names = [k for k in kinds if k != "time window (1 h)"]
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120
        ) as http:
            while not stop.is_set():
                if rng.random() < stats_share:
                    kind, path = "stats", "/api/v1/audit/stats"
                    hours = rng.choice((1, 24))
                    since = datetime.now(UTC) - timedelta(hours=hours)
                    params = {"since": since.isoformat().replace("+00:00", "Z")}
                else:
                    kind, path = "search", "/api/v1/audit/events"
                    params = {**kinds[rng.choice(names)](), "limit": "50"}
                began = time.perf_counter()
                r = http.get(path, params=params)
                elapsed = time.perf_counter() - began
                with lock:
                    results.append((kind, elapsed, r.status_code))
                    if r.status_code not in (200, 503):
                        print(f"{kind} failed: {r.status_code} {r.text[:300]}", flush=True)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def phase(
    srv: Server, keys: Keys, rate: float, seconds: float, readers: int, stats_share: float
) -> dict[str, float]:
    """Offer `rate` events/s for `seconds` with `readers` readers; the figures."""
    ctx = mp.get_context("spawn")
    stop, got_reads, got_ingest = ctx.Event(), ctx.Queue(), ctx.Queue()
    reading = ctx.Process(
        target=read, args=(srv.url, keys.read, readers, stats_share, stop, got_reads)
    )
    reading.start()
    time.sleep(1.0 if readers else 0.0)  # readers are running when ingest starts
    sending = ctx.Process(
        target=offer, args=(srv.url, keys.ingest, rate, seconds, readers, got_ingest)
    )
    assert srv.proc is not None
    peak, peak_own = rss_mib(srv.proc.pid)
    sending.start()
    deadline = time.monotonic() + seconds * 4 + 120
    while sending.is_alive() and time.monotonic() < deadline:
        rss, own = rss_mib(srv.proc.pid)
        peak, peak_own = max(peak, rss), max(peak_own, own)
        time.sleep(0.2)
    accepted, refused, elapsed = got_ingest.get(timeout=60)
    stop.set()
    reads: list[tuple[str, float, int]] = got_reads.get(timeout=180)
    sending.join(timeout=60)
    reading.join(timeout=60)
    searches = [t for kind, t, status in reads if kind == "search" and status == 200]
    stats = [t for kind, t, status in reads if kind == "stats" and status == 200]
    return {
        "offered": rate,
        "achieved": accepted / elapsed,
        "ratio": accepted / elapsed / rate,
        "refused_ingest": float(refused),
        "p50": percentile(searches, 0.50),
        "p95": percentile(searches, 0.95),
        "p99": percentile(searches, 0.99),
        "stats_p95": percentile(stats, 0.95),
        "reads": float(len(reads)),
        "reads_refused": float(sum(1 for _, _, status in reads if status == 503)),
        "reads_failed": float(sum(1 for _, _, status in reads if status not in (200, 503))),
        "rss": peak,
        "rss_own": peak_own,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--capacity", type=float, default=None, help="ingest events/s; measured")
    parser.add_argument("--capacity-events", type=int, default=100_000)
    parser.add_argument("--readers", default="0,5,20")
    parser.add_argument("--seconds", type=float, default=30.0, help="per reader count")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stats-share", type=float, default=0.3, help="reads that are /stats")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting, e.g. read_max_concurrent=8 (SEALTRAIL_READ_MAX_CONCURRENT)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.readers.split(",")]
    env = ENV | {
        f"SEALTRAIL_{name.upper()}": value
        for name, _, value in (s.partition("=") for s in args.setting)
    }

    def one_run(workdir: Path) -> dict[str, float]:
        keys = prepare_tenant(Settings(data_dir=workdir / "data"))
        figures: dict[str, float] = {}
        with Server(workdir / "data", env) as srv:
            capacity = args.capacity
            if capacity is None:
                # Also the trail the readers search (timed over the last day).
                ids = (timedelta(days=1), False)
                capacity, _ = throughput(srv, keys, args.capacity_events, 2, ids)
            figures["capacity"] = capacity
            for readers in counts:
                for name, value in phase(
                    srv, keys, capacity / 2, args.seconds, readers, args.stats_share
                ).items():
                    figures[f"{readers}:{name}"] = value
        return figures

    def report(f: dict[str, float]) -> str:
        lines = [f"capacity {f['capacity']:,.0f} ev/s"]
        for n in counts:
            g = {k.split(":", 1)[1]: v for k, v in f.items() if k.startswith(f"{n}:")}
            lines.append(
                f"  {n:>2} readers: ingest offered {g['offered']:,.0f} ev/s, achieved "
                f"{g['achieved']:,.0f} ev/s, ratio {g['ratio']:.2f} (offered = baseline), "
                f"refused {g['refused_ingest']:,.0f} | "
                f"query p50 {g['p50'] * 1000:,.0f} ms, p95 {g['p95'] * 1000:,.0f} ms, "
                f"p99 {g['p99'] * 1000:,.0f} ms | stats p95 {g['stats_p95'] * 1000:,.0f} ms | "
                f"reads {g['reads']:,.0f}, refused {g['reads_refused']:,.0f}, failed "
                f"{g['reads_failed']:,.0f} | API peak RSS {g['rss']:,.0f} MiB, own "
                f"{g['rss_own']:,.0f} MiB"
            )
        return "\n".join(lines)

    medians_of_runs(args.runs, "sealtrail-mixed-", one_run, report, "(SQLite)")


if __name__ == "__main__":
    main()
