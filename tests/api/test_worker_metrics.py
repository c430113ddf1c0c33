"""A worker in another process: its counters add to the API's `/metrics`, stale ones don't."""

from __future__ import annotations

import os
import time

from sealtrail.observability.worker_metrics import metrics_file


def stored(client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("sealtrail_events_stored_total "):
            return float(line.split()[1])
    raise AssertionError("no sealtrail_events_stored_total")


def test_worker_counters_are_added_and_stale_files_ignored(client, runtime):
    own = stored(client)
    path = metrics_file(runtime.settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# HELP sealtrail_events_stored_total Events written to the event store.\n"
        "# TYPE sealtrail_events_stored_total counter\n"
        "sealtrail_events_stored_total 1234.0\n"
        "# HELP process_cpu_seconds_total cpu\n"
        "# TYPE process_cpu_seconds_total counter\n"
        "process_cpu_seconds_total 99999.0\n"
    )
    assert stored(client) == own + 1234
    text = client.get("/metrics").text
    assert "process_cpu_seconds_total 99999.0" not in text
    old = time.time() - 120
    os.utime(path, (old, old))
    assert stored(client) == own
