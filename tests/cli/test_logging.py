"""Every process logs in the configured format and level: a worker started with
`SEALTRAIL_LOG_FORMAT=json` writes only JSON lines, a traceback included."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SEALTRAIL = [sys.executable, "-c", "from sealtrail.cli.main import app; app()"]


def _env(**settings: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SEALTRAIL_")}
    return clean | {f"SEALTRAIL_{k.upper()}": v for k, v in settings.items()}


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


def test_the_worker_logs_only_json_lines_with_tracebacks_as_a_field(tmp_path: Path):
    data = tmp_path / "data"
    env = _env(log_format="json", log_level="info")
    subprocess.run([*SEALTRAIL, "migrate", "--data-dir", str(data)], env=env, check=True)
    # A damaged database under the scan worker: its thread dies with a traceback.
    with sqlite3.connect(data / "sealtrail.db") as conn:
        conn.execute("DROP TABLE compliance_scans")
    out = tmp_path / "worker.out"
    with out.open("wb") as sink:
        worker = subprocess.Popen(
            [*SEALTRAIL, "worker", "--data-dir", str(data)], stdout=sink, stderr=sink, env=env
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (
                "thread.crashed" in out.read_text() and "worker.started" in out.read_text()
            ):
                assert worker.poll() is None, out.read_text()
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
    records = [json.loads(line) for line in _lines(out)]  # fails on any line not JSON
    events = {r["event"]: r for r in records}
    assert "worker.started" in events, records  # info level honoured
    crash = events["thread.crashed"]
    assert crash["level"] == "error"
    assert "Traceback" in crash["exception"]
    assert "compliance_scans" in crash["exception"]


def test_one_shot_commands_log_in_the_configured_format_and_level(tmp_path: Path):
    done = subprocess.run(
        [*SEALTRAIL, "migrate", "--data-dir", str(tmp_path / "data")],
        env=_env(log_format="json", log_level="info"),
        capture_output=True,
        text=True,
        check=True,
    )
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert any(r["event"].startswith("Running upgrade") for r in logged), done.stderr


def test_a_console_traceback_shows_no_local_values(tmp_path: Path):
    """The console format's tracebacks name frames and lines, never the values of local
    variables (request bodies, passwords, keys)."""
    script = (
        "from sealtrail.observability.logging import configure_logging, log\n"
        "configure_logging('info', 'console')\n"
        "def login(password):\n"
        "    raise ValueError('refused')\n"
        "try:\n"
        "    login('hunter2-very-secret')\n"
        "except ValueError:\n"
        "    log.exception('login.failed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=_env(), capture_output=True, text=True, check=True
    )
    assert "login.failed" in done.stderr
    assert "ValueError: refused" in done.stderr
    assert "hunter2-very-secret" not in done.stderr
