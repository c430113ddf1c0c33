"""Every benchmark `make bench` runs still runs: each at a tiny size, to the figure it
prints beside its baseline (a benchmark broken by a change to the code it drives is
otherwise found only the next time someone measures). The figures themselves are
measured by `make bench`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[2]
ENGINES = "sqlite,postgresql" if os.environ.get("SEALTRAIL_TEST_POSTGRES_URL") else "sqlite"

# Each benchmark with arguments that keep it to seconds, and a line its summary prints.
RUNS = {
    "ingest": (
        [
            "ingest.py",
            "--events",
            "10000",
            "--runs",
            "1",
            "--latency-seconds",
            "2",
            "--baseline-rows",
            "10000",
            "--engines",
            ENGINES,
        ],
        "ratio",
    ),
    "store_floor": (
        ["store_floor.py", "--events", "40000", "--measure", "40000", "--runs", "1"],
        "baseline",
    ),
    "index_layout": (
        ["index_layout.py", "--events", "40000", "--measure", "40000", "--runs", "1"],
        "(baseline)",
    ),
    "query": (
        [
            "query.py",
            "--events",
            "10000",
            "--samples",
            "3",
            "--runs",
            "1",
            "--fresh",
            "--engines",
            ENGINES,
        ],
        "unfiltered (baseline)",
    ),
    "mixed": (
        [
            "mixed.py",
            "--capacity-events",
            "4000",
            "--seconds",
            "2",
            "--readers",
            "0,2",
            "--runs",
            "1",
        ],
        "(offered = baseline)",
    ),
    "ledger": (
        [
            "ledger.py",
            "--leaves",
            "2000",
            "--samples",
            "5",
            "--runs",
            "1",
            "--verify-events",
            "2000",
            "--pipeline-events",
            "2000",
        ],
        "/ baseline",
    ),
    # Prowler, its baseline, is installed by `make bench` only.
    "scan": (
        ["scan.py", "--runs", "1", "--scale", "0.01", "--skip-prowler"],
        "FAILs beyond the seeded list: none",
    ),
}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", RUNS)
def test_the_benchmark_runs_to_its_figures(name, tmp_path):
    args, expected = RUNS[name]
    env = {**os.environ, "BENCH_RESULTS": str(tmp_path)}
    if "SEALTRAIL_TEST_POSTGRES_URL" in os.environ:
        env["SEALTRAIL_BENCH_POSTGRES_URL"] = os.environ["SEALTRAIL_TEST_POSTGRES_URL"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / args[0]), *args[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if name == "query" and "postgresql" in ENGINES:
        _drop_database("sealtrail_bench_query_10000")  # the query benchmark keeps its dataset
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert expected in done.stdout, done.stdout[-2000:]


def _drop_database(name: str) -> None:
    url = make_url(os.environ["SEALTRAIL_TEST_POSTGRES_URL"]).set(database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
