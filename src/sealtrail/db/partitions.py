"""Monthly partitions of the trail tables, one driver per database engine.

PostgreSQL partitions `events` and `event_targets` by month of `time`; partitions are
created ahead (by `sealtrail migrate` and hourly by the worker) and on demand when a
batch holds a month that has none (back-dated events). SQLite needs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine, text

PARTITIONED_TABLES = ("events", "event_targets")


def month_start(moment: datetime) -> datetime:
    """The first instant (UTC) of the month that holds `moment`."""
    m = moment.astimezone(UTC)
    return datetime(m.year, m.month, 1, tzinfo=UTC)


def add_months(start: datetime, months: int) -> datetime:
    """`start` (a month start) moved by `months` months."""
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


class Partitioner(Protocol):
    def ensure_ahead(self, now: datetime, months_ahead: int) -> None: ...

    def ensure_for(self, times: Iterable[datetime]) -> None: ...


class NoPartitions:
    """Engines without table partitioning (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ensure_ahead(self, now: datetime, months_ahead: int) -> None:
        """Nothing to do."""

    def ensure_for(self, times: Iterable[datetime]) -> None:
        """Nothing to do."""


class PostgresMonthlyPartitions:
    """Creates `<table>_yYYYYmMM` partitions; remembers the months already made."""

    _LOCK_KEY = 0x5EA17A11

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: set[datetime] = set()
        self._lock = threading.Lock()

    def ensure_ahead(self, now: datetime, months_ahead: int) -> None:
        """Make partitions from last month to `months_ahead` months from now."""
        first = add_months(month_start(now), -1)
        self._create([add_months(first, i) for i in range(months_ahead + 2)])

    def ensure_for(self, times: Iterable[datetime]) -> None:
        """Make the partitions that rows at `times` need."""
        missing = {month_start(t) for t in times} - self._known
        if missing:
            self._create(sorted(missing))

    def _create(self, months: list[datetime]) -> None:
        with self._lock:
            todo = [m for m in months if m not in self._known]
            if not todo:
                return
            with self.engine.begin() as conn:
                # Serialise creators across processes; IF NOT EXISTS alone races.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._LOCK_KEY})
                for start in todo:
                    end = add_months(start, 1)
                    for table in PARTITIONED_TABLES:
                        name = f"{table}_y{start.year:04d}m{start.month:02d}"
                        conn.execute(
                            text(
                                f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
                                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                            )
                        )
            self._known.update(todo)


_DRIVERS: dict[str, type[NoPartitions] | type[PostgresMonthlyPartitions]] = {
    "sqlite": NoPartitions,
    "postgresql": PostgresMonthlyPartitions,
}


def partitioner_for(engine: Engine) -> Partitioner:
    """The partition driver for the engine's dialect."""
    return _DRIVERS[engine.dialect.name](engine)
