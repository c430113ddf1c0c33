"""Ledger benchmark: proof latency, offline verification rate, the ledger's ingest cost.

    python bench/ledger.py [--leaves 1000000,10000000] [--samples 200] [--runs 3]
                           [--verify-events 200000] [--pipeline-events 30000]

1. Proofs: a tenant log of `--leaves` leaves is built straight in a SQLite database
   with the server's append code (kept under bench/results/, reused), then `sealtrail
   up` serves it and one persistent HTTP client asks for inclusion proofs (random index,
   full tree) and consistency proofs (random first size, full tree). Baseline: the
   public-key request, the cheapest authenticated ledger call.
2. Offline verification: a bundle of `--verify-events` events is written and
   `verify_bundle` checks it. Baseline: parsing and SHA-256 of the same event lines.
3. Ingest cost: in one process, `--pipeline-events` events go through ingest (validate,
   register, queue) and the worker (store), with the ledger step (leaf hashes and the
   append) and with it replaced by a no-op; the ratio is the ledger's cost.

Medians over `--runs` runs are printed last.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import random
import shutil
import tarfile
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import text

from harness import RESULTS, Server, make_event, median, percentile, prepare_tenant, recent
from sealtrail.config import Settings
from sealtrail.events import store
from sealtrail.events.ingest import enqueue, prepare
from sealtrail.events.schema import EventIn
from sealtrail.identity.schemas import Caller, Scope
from sealtrail.ledger import tree
from sealtrail.runtime import Runtime
from sealtrail.verify import merkle
from sealtrail.verify.bundle import MEMBERS, verify_bundle
from sealtrail.verify.canonical import event_leaf_hash
from sealtrail.verify.checkpoint import Checkpoint
from sealtrail.verify.note import Signer

CHUNK = 20_000


def build_log(leaves: int) -> tuple[Path, str]:
    """A data directory whose tenant has a log of `leaves` leaves; returns (dir, read key)."""
    base = RESULTS / f"ledger-sqlite-{leaves}"
    meta = base / "meta.json"
    if meta.exists():
        return base / "data", json.loads(meta.read_text())["read"]
    shutil.rmtree(base, ignore_errors=True)
    settings = Settings(data_dir=base / "data", sqlite_synchronous="NORMAL")
    keys = prepare_tenant(settings)
    runtime = Runtime.build(settings)
    with runtime.engine.connect() as conn:
        tenant_id = conn.execute(
            text("SELECT id FROM tenants WHERE name = :n"), {"n": keys.tenant}
        ).scalar_one()
    started = time.monotonic()
    now = datetime.now(UTC)
    for start in range(0, leaves, CHUNK):
        batch = [
            tree.Leaf(uuid.uuid4(), now, merkle.leaf_hash(i.to_bytes(8, "big")))
            for i in range(start, min(start + CHUNK, leaves))
        ]
        with runtime.engine.begin() as conn:
            tree.append(conn, tenant_id, batch)
        done = start + len(batch)
        if done % 1_000_000 < CHUNK:
            print(f"  built {done:,} leaves ({done / (time.monotonic() - started):,.0f}/s)")
    runtime.close()
    meta.write_text(json.dumps({"read": keys.read}))
    return base / "data", keys.read


def proof_latency(leaves: int, samples: int) -> dict[str, float]:
    data_dir, read = build_log(leaves)
    rng = random.Random(leaves)
    out: dict[str, float] = {}
    with Server(data_dir, {"SEALTRAIL_SQLITE_SYNCHRONOUS": "NORMAL"}) as srv:
        headers = {"Authorization": f"Bearer {read}"}
        with httpx.Client(base_url=srv.url, headers=headers, timeout=30) as http:
            kinds = {
                "baseline (public key)": lambda: ("/api/v1/ledger/public-key", {}),
                "inclusion": lambda: (
                    "/api/v1/ledger/proofs/inclusion",
                    {"index": rng.randrange(leaves), "tree_size": leaves},
                ),
                "consistency": lambda: (
                    "/api/v1/ledger/proofs/consistency",
                    {"first": rng.randrange(1, leaves), "second": leaves},
                ),
            }
            for name, draw in kinds.items():
                times = []
                for _ in range(samples + 10):
                    path, params = draw()
                    t0 = time.perf_counter()
                    r = http.get(path, params=params)
                    times.append(time.perf_counter() - t0)
                    if r.status_code != 200:
                        raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")
                times = times[10:]  # warm-up
                out[f"{name} p50"] = percentile(times, 0.5) * 1000
                out[f"{name} p95"] = percentile(times, 0.95) * 1000
    return out


def write_bundle(path: Path, count: int) -> list[bytes]:
    """A bundle of `count` events in one signed checkpoint; returns the event lines."""
    rng = random.Random(count)
    signer = Signer.generate("bench.sealtrail.local")
    lines: list[bytes] = []
    leaves: list[bytes] = []
    for i in range(count):
        doc = make_event(rng, recent(rng))
        doc |= {"tenant": "bench", "received_at": "2026-11-24T00:00:00.000001Z"}
        leaf = event_leaf_hash(doc)
        leaves.append(leaf)
        lines.append(
            orjson.dumps({"index": i, "leaf_hash": base64.b64encode(leaf).decode(), "event": doc})
        )
    cp = Checkpoint("bench.sealtrail.local/bench", count, merkle.root_from_leaves(leaves))
    files = {
        "keys.txt": (signer.verifier.encode() + "\n").encode(),
        "checkpoints.ndjson": orjson.dumps({"tree_size": count, "note": signer.sign(cp.body())})
        + b"\n",
        "proofs.json": orjson.dumps({"consistency": [], "left": [], "right": []}),
        "events.ndjson": b"\n".join(lines) + b"\n",
    }
    import hashlib

    manifest = {
        "format": "sealtrail-ledger-export/1",
        "origin": cp.origin,
        "files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()},
    }
    files["manifest.json"] = orjson.dumps(manifest)
    with tarfile.open(path, "w") as tar:
        for name in MEMBERS:
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    return lines


def verification_rate(count: int) -> dict[str, float]:
    import hashlib

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.tar"
        lines = write_bundle(path, count)
        t0 = time.perf_counter()
        for line in lines:
            hashlib.sha256(orjson.dumps(json.loads(line)["event"])).digest()
        baseline = count / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        report = verify_bundle(path)
        rate = count / (time.perf_counter() - t0)
        assert report.events == count
    return {"verify events/s": rate, "baseline parse+sha256 events/s": baseline}


def pipeline_rate(count: int, with_ledger: bool) -> float:
    """Events/s through ingest and the worker in one process (SQLite, FULL sync)."""
    original = store.append_to_ledger
    if not with_ledger:
        store.append_to_ledger = lambda conn, events: [0] * len(events)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), worker_batch_size=100)
            prepare_tenant(settings)
            runtime = Runtime.build(settings)
            with runtime.engine.connect() as conn:
                tenant_id, name = conn.execute(text("SELECT id, name FROM tenants")).one()
            caller = Caller(
                tenant_id=tenant_id,
                tenant=name,
                key_id=1,
                key_prefix="bench",
                scopes=frozenset({Scope.ingest}),
            )
            rng = random.Random(7)
            batches = [
                [
                    EventIn.model_validate(make_event(rng, recent(rng))).valid_event()
                    for _ in range(500)
                ]
                for _ in range(count // 500)
            ]
            worker = runtime.worker()
            t0 = time.perf_counter()
            for events in batches:
                now = datetime.now(UTC)
                enqueue(runtime.registry, caller, prepare(events, caller, now), now)
            while worker.process_once():
                pass
            rate = count / (time.perf_counter() - t0)
            runtime.close()
            return rate
    finally:
        store.append_to_ledger = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", default="1000000")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--verify-events", type=int, default=200_000)
    parser.add_argument("--pipeline-events", type=int, default=30_000)
    args = parser.parse_args()
    sizes = [int(x) for x in args.leaves.split(",")]
    results: dict[str, list[float]] = {}

    def record(figures: dict[str, Any]) -> None:
        for k, v in figures.items():
            results.setdefault(k, []).append(float(v))

    for size in sizes:
        print(f"preparing a log of {size:,} leaves ...", flush=True)
        build_log(size)
    for run in range(1, args.runs + 1):
        for size in sizes:
            figures = proof_latency(size, args.samples)
            record({f"{size:,} leaves: {k} ms": v for k, v in figures.items()})
        record(verification_rate(args.verify_events))
        with_ledger = pipeline_rate(args.pipeline_events, True)
        without = pipeline_rate(args.pipeline_events, False)
        record(
            {
                "ingest+store with ledger events/s": with_ledger,
                "ingest+store without ledger (baseline) events/s": without,
                "ledger cost %": (without / with_ledger - 1) * 100,
            }
        )
        print(f"[run {run} done]", flush=True)
    print(f"== median of {args.runs} run(s)")
    for key, values in results.items():
        print(f"  {key:55s} {median(values):12,.2f}")
    for size in sizes:
        base = median(results[f"{size:,} leaves: baseline (public key) p95 ms"])
        for kind in ("inclusion", "consistency"):
            p95 = median(results[f"{size:,} leaves: {kind} p95 ms"])
            print(f"  {size:,} leaves: {kind} p95 / baseline p95 = x {p95 / base:.2f}")
    rate = median(results["verify events/s"])
    base = median(results["baseline parse+sha256 events/s"])
    print(f"  verification rate / baseline = x {rate / base:.2f}")


if __name__ == "__main__":
    main()
