"""`up`, `api`, `worker`, `migrate`: running Sealtrail."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import structlog
import typer
import uvicorn

from sealtrail.api.app import create_app
from sealtrail.cli.common import DataDir, console, fail, opened, settings_from
from sealtrail.errors import SealtrailError
from sealtrail.identity.bootstrap import bootstrap
from sealtrail.observability.logging import configure_logging
from sealtrail.observability.worker_metrics import Publisher
from sealtrail.runtime import Runtime, settle_heap
from sealtrail.supervisor import StopOnSignal, WorkerProcess

log = structlog.get_logger("sealtrail.worker")
Host = Annotated[str | None, typer.Option(help="Interface to listen on.")]
Port = Annotated[int | None, typer.Option(help="Port to listen on.")]


def _serve(data_dir: DataDir, host: str | None, port: int | None, *, with_worker: bool) -> None:
    settings = settings_from(data_dir, host=host, port=port)
    configure_logging(settings.log_level, settings.log_format)
    try:
        runtime = Runtime.build(settings)
        runtime.migrate()
        first = bootstrap(runtime.factory, settings.admin_email) if with_worker else None
        _ = runtime.jwt_secret  # generated into the data directory on first start
    except SealtrailError as exc:
        raise fail(exc.message) from None
    url = settings.public_url or f"http://{settings.host}:{settings.port}"
    console.print(
        f"Sealtrail is starting at [bold]{url}[/]  (API docs: {url}/docs)", soft_wrap=True
    )
    console.print(f"Data directory: {settings.data_dir.resolve()}", soft_wrap=True, highlight=False)
    if first is not None and first.admin_key:
        console.print(
            f"First start: created tenant '{first.tenant}'. "
            "Its admin API key is shown once; keep it:",
            soft_wrap=True,
        )
        console.print(f"Admin API key: {first.admin_key}", highlight=False, soft_wrap=True)
    if first is not None and first.admin_password:
        console.print(
            f"First admin user of tenant '{first.tenant}' (log in at {url}; "
            "the password is shown once):",
            soft_wrap=True,
        )
        console.print(f"Admin email: {first.admin_email}", highlight=False, soft_wrap=True)
        console.print(f"Admin password: {first.admin_password}", highlight=False, soft_wrap=True)
    child: WorkerProcess | None = None
    if with_worker and settings.worker_mode == "process":
        child = WorkerProcess(settings.data_dir)
        child.start()
    app = create_app(runtime, run_worker=with_worker and child is None)
    settle_heap()
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
        )
    finally:
        if child is not None:
            child.stop()
        runtime.close()


def up(data_dir: DataDir = None, host: Host = None, port: Port = None) -> None:
    """Migrate, then run the API and the workers (a child process, or threads)."""
    _serve(data_dir, host, port, with_worker=True)


def api(data_dir: DataDir = None, host: Host = None, port: Port = None) -> None:
    """Run the API alone (run workers beside it with `sealtrail worker`)."""
    _serve(data_dir, host, port, with_worker=False)


def worker(data_dir: DataDir = None) -> None:
    """Run the workers alone (trail and compliance scans) until interrupted."""
    with opened(data_dir) as runtime:
        stop = threading.Event()
        on_signal = StopOnSignal(stop.set, runtime.wake_scans)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        # A log line, not console text: the worker's output is the log stream (also
        # under `sealtrail up`, whose child it is), one format throughout.
        log.info("worker.running", stop="SIGTERM or Ctrl-C")
        publisher = Publisher(runtime.settings.data_dir)
        publisher.start()
        scans = threading.Thread(
            target=runtime.scan_worker().run, args=(stop,), name="scan-worker", daemon=True
        )
        scans.start()
        trail = runtime.worker()
        settle_heap()
        trail.run(stop)
        scans.join(timeout=30)
        publisher.stop()


def migrate(data_dir: DataDir = None) -> None:
    """Create or upgrade the database schema."""
    with opened(data_dir, require_schema=False) as runtime:
        runtime.migrate()
        console.print("Database schema is up to date.")
