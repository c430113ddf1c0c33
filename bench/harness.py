"""What the benchmarks share: a `sealtrail up` process, a tenant with keys, event data."""

from __future__ import annotations

import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sealtrail.config import Settings
from sealtrail.identity import service as identity
from sealtrail.identity.schemas import Scope
from sealtrail.runtime import Runtime

SEALTRAIL = str(Path(sys.executable).parent / "sealtrail")
# Where benchmarks keep datasets and outputs between runs (BENCH_RESULTS overrides).
RESULTS = Path(os.environ.get("BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
ACTIONS = [
    f"{domain}.{noun}.{verb}"
    for domain in ("trade", "user", "kyc", "payment", "account", "report")
    for noun in ("order", "session", "check", "transfer", "profile", "export")
    for verb in ("create", "update", "delete", "approve", "view")
]
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Keys:
    tenant: str
    ingest: str
    read: str


def prepare_tenant(settings: Settings) -> Keys:
    """Migrate and create a tenant with an ingest and a read key."""
    runtime = Runtime.build(settings)
    runtime.migrate()
    name = f"bench-{secrets.token_hex(3)}"
    with runtime.factory() as session, session.begin():
        identity.create_tenant(session, name)
        tenant = identity.get_tenant(session, name)
        ingest = identity.create_api_key(session, tenant, "bench", [Scope.ingest]).key
        read = identity.create_api_key(session, tenant, "bench", [Scope.read]).key
    runtime.close()
    return Keys(tenant=name, ingest=ingest, read=read)


class Server:
    """`sealtrail up` in a subprocess with the given environment."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SEALTRAIL_")}
        self.env = {**clean, "SEALTRAIL_LOG_LEVEL": "warning", **env}
        self.data_dir = data_dir
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        log = (self.data_dir.parent / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [SEALTRAIL, "up", "--data-dir", str(self.data_dir), "--port", str(self.port)],
            stdout=log,
            stderr=log,
            env=self.env,
        )
        # Generous: the first start on a large dataset may run a migration that indexes it.
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see server.log")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)

    def metric(self, name: str) -> float:
        for line in httpx.get(f"{self.url}/metrics", timeout=10).text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0


def make_event(rng: random.Random, moment: datetime) -> dict[str, Any]:
    """A realistic event: 1,000 actors, 180 actions, 20,000 targets."""
    actor = rng.randrange(1000)
    target = rng.randrange(20000)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "time": moment.isoformat().replace("+00:00", "Z"),
        "action": rng.choice(ACTIONS),
        "category": "bench",
        "outcome": rng.choice(("success", "success", "success", "failure")),
        "actor": {
            "type": "user",
            "id": f"user-{actor}",
            "name": f"User {actor} {WORDS[actor % len(WORDS)]}",
            "ip": f"10.{actor % 250}.{target % 250}.{rng.randrange(250)}",
        },
        "targets": [{"type": "order", "id": f"o-{target}", "name": f"Order {target}"}],
        "source": {"app": rng.choice(("trading", "portal", "kyc")), "environment": "bench"},
        "context": {"request_id": secrets.token_hex(8)},
        "description": f"{rng.choice(WORDS)} {rng.choice(WORDS)} operation",
        "metadata": {"amount": rng.randrange(1, 10**6), "currency": "EUR"},
    }


def recent(rng: random.Random, span: timedelta = timedelta(days=1)) -> datetime:
    """A time within `span` before now."""
    return datetime.now(UTC) - span * rng.random()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def medians_of_runs(
    runs: int,
    prefix: str,
    one_run: Callable[[Path], dict[str, float]],
    report: Callable[[dict[str, float]], str],
    label: str,
) -> dict[str, float]:
    """Call `one_run` in a new temporary directory `runs` times, print each run's figures
    with `report`, then their medians (returned)."""
    results: dict[str, list[float]] = {}
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            figures = one_run(Path(tmp))
        for key, value in figures.items():
            results.setdefault(key, []).append(value)
        print(f"[run {run}] " + report(figures), flush=True)
    medians = {key: median(values) for key, values in results.items()}
    print(f"== median of {runs} run(s) {label}: " + report(medians), flush=True)
    return medians


def postgres_url() -> str:
    return os.environ.get(
        "SEALTRAIL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
