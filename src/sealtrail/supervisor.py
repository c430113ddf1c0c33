"""The worker as a child process of `sealtrail up`.

API and worker in one Python process share one interpreter lock, so on a machine with
two cores they share one core's worth of Python. `sealtrail up` therefore runs the
workers (`sealtrail worker`) as a child process by default (`SEALTRAIL_WORKER_MODE`),
restarts it if it dies, stops it on shutdown, and — on Linux — the kernel stops it if
the parent is killed outright, so no orphan keeps writing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import structlog

log = structlog.get_logger("sealtrail.supervisor")
PR_SET_PDEATHSIG = 1
RESTART_DELAY = 1.0
STOP_TIMEOUT = 30.0


def _die_with(parent: int) -> Callable[[], None]:
    def arm() -> None:  # pragma: no cover - runs in the child between fork and exec
        if sys.platform.startswith("linux"):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        # The parent may have died after the fork but before the line above armed it.
        if os.getppid() != parent:
            os._exit(1)

    return arm


class WorkerProcess:
    """Runs `sealtrail worker --data-dir D` and keeps it running until `stop`."""

    def __init__(self, data_dir: Path) -> None:
        self.command = [
            sys.executable,
            "-c",
            "from sealtrail.cli.main import app; app()",
            "worker",
            "--data-dir",
            str(data_dir),
        ]
        self._stopping = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep_running, name="worker-supervisor")
        self.restarts = 0

    def start(self) -> None:
        """Start the child and the thread that restarts it."""
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self._child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                self.command, preexec_fn=_die_with(os.getpid()), env=dict(os.environ)
            )
            log.info("worker.spawned", pid=self._child.pid)

    def _keep_running(self) -> None:
        while not self._stopping.is_set():
            child = self._child
            if child is None:
                return
            code = child.wait()
            if self._stopping.is_set():
                return
            log.error("worker.exited", code=code, restart_in=RESTART_DELAY)
            self._stopping.wait(RESTART_DELAY)
            self.restarts += 1
            self._spawn()

    @property
    def pid(self) -> int | None:
        """The current child's process id."""
        return self._child.pid if self._child else None

    def stop(self) -> None:
        """Ask the child to finish its batch and exit; kill it after the timeout."""
        self._stopping.set()
        with self._lock:
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


class StopOnSignal:
    """A SIGTERM/SIGINT handler that runs `actions` once, from a thread of its own.

    A Python signal handler runs in the main thread between two bytecodes: possibly
    while that thread holds a lock (inside `Event.wait`), or inside the handler itself
    when a second signal follows the first (`stop()` and the parent-death signal both
    send SIGTERM). A handler that set an event there waited for a lock its own thread
    held, and the worker hung at shutdown. This one takes no lock: it starts a thread
    that runs the actions, and ignores every signal after the first.
    """

    def __init__(self, *actions: Callable[[], object]) -> None:
        self._actions = actions
        self._signalled: list[int] = []  # appended once, read without a lock

    def __call__(self, signum: int, _frame: object) -> None:
        if self._signalled:
            return
        self._signalled.append(signum)
        threading.Thread(target=self._run, name="stop-on-signal", daemon=True).start()

    def _run(self) -> None:
        for action in self._actions:
            action()
