"""A real `sealtrail up` process on a free port, on each backend."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sealtrail.config import Settings
from sealtrail.runtime import Runtime
from tests.conftest import TenantKeys, make_tenant

SEALTRAIL = str(Path(sys.executable).parent / "sealtrail")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A `sealtrail up` subprocess and how to reach it."""

    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stdout_path(self) -> Path:
        return self.data_dir.parent / f"server-{self.starts}.out"

    def start(self) -> None:
        self.starts += 1
        out = self.stdout_path.open("wb")
        err = (self.data_dir.parent / f"server-{self.starts}.err").open("wb")
        self.proc = subprocess.Popen(
            [SEALTRAIL, "up", "--data-dir", str(self.data_dir), "--port", str(self.port)],
            stdout=out,
            stderr=err,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sealtrail up exited: {self.stdout_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("sealtrail up did not become ready in 30 s")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def server_env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALTRAIL_")}
    env["SEALTRAIL_LOG_LEVEL"] = "warning"
    if database_url:
        env["SEALTRAIL_DATABASE_URL"] = database_url
    return env


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[Server, TenantKeys]]:
    """A running server with a tenant of its own (created before start)."""
    runtime = Runtime.build(settings)
    runtime.migrate()
    tenant = make_tenant(runtime)
    runtime.close()
    srv = Server(data_dir=settings.data_dir, env=server_env(settings.database_url))
    srv.start()
    yield srv, tenant
    srv.stop()
