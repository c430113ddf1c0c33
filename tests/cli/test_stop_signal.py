"""The worker's stop handler cannot hang the worker, whenever the signal comes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

from sealtrail.supervisor import StopOnSignal

# Run in a child so that a handler that blocks shows as a timeout, not a hung suite.
SCENARIO = textwrap.dedent(
    """
    import signal, threading
    from sealtrail.supervisor import StopOnSignal

    stop, woken = threading.Event(), threading.Event()
    handler = StopOnSignal(stop.set, woken.set)
    # As when SIGTERM arrives while the main thread is inside stop.wait() (holding the
    # event's lock), then again while the first handler runs.
    with stop._cond:
        handler(signal.SIGTERM, None)
        handler(signal.SIGTERM, None)
    assert stop.wait(10) and woken.wait(10)
    print("stopped")
    """
)


def test_a_signal_arriving_inside_a_lock_or_twice_still_stops_the_worker():
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"


def test_the_actions_run_once_however_many_signals_come():
    calls: list[int] = []
    done = threading.Event()
    handler = StopOnSignal(lambda: calls.append(1), done.set)
    for _ in range(5):
        handler(15, None)
    assert done.wait(10)
    assert calls == [1]
