"""Metrics of a worker running in another process, shown on the API's `/metrics`.

When `sealtrail up` runs the workers as a child process, their counters (events
stored, batch durations, failures) live in that process. The worker writes its
exposition to `<data dir>/run/worker.prom` every half second; `/metrics` adds those
samples to its own (counters and histograms add up; the interpreter's own `process_*`
and `python_*` families stay the API's). A file older than `STALE_AFTER` is ignored.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

WRITE_EVERY = 0.5
STALE_AFTER = 30.0
OWN_FAMILIES = ("process_", "python_")


def metrics_file(data_dir: Path) -> Path:
    """Where a worker process publishes its metrics."""
    return data_dir / "run" / "worker.prom"


class Publisher:
    """Writes this process's metrics to the file every few seconds, until stopped."""

    def __init__(self, data_dir: Path) -> None:
        self.path = metrics_file(data_dir)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metrics-publisher", daemon=True)

    def start(self) -> None:
        """Begin publishing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(WRITE_EVERY):
            self.write()

    def write(self) -> None:
        """Publish now (atomically: readers never see half a file)."""
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(generate_latest())
        tmp.replace(self.path)

    def stop(self) -> None:
        """Publish a last time and stop."""
        self._stop.set()
        self.write()


def _worker_samples(
    data_dir: Path,
) -> dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    path = metrics_file(data_dir)
    try:
        if time.time() - path.stat().st_mtime > STALE_AFTER:
            return {}
        text = path.read_text()
    except OSError:
        return {}
    out: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name.startswith(OWN_FAMILIES):
            continue
        out[family.name] = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for s in family.samples
            if not s.name.endswith("_created")
        }
    return out


def merged(data_dir: Path) -> Iterator[Metric]:
    """This process's metric families with the worker process's samples added."""
    extra = _worker_samples(data_dir)
    for family in REGISTRY.collect():
        added = extra.get(family.name)
        if not added:
            yield family
            continue
        out = Metric(family.name, family.documentation, family.type, family.unit)
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            out.add_sample(s.name, s.labels, s.value + added.pop(key, 0.0), s.timestamp)
        for (name, labels), value in added.items():  # series only the worker has
            out.add_sample(name, dict(labels), value)
        yield out


class MergedRegistry:
    """A collector registry view for `generate_latest` (see `merged`)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def collect(self) -> Iterator[Metric]:
        """Families to expose."""
        return merged(self.data_dir)
