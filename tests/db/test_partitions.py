"""PostgreSQL monthly partitions: created ahead by migrate and on demand for old months."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from sealtrail.config import Settings
from sealtrail.runtime import Runtime
from tests.conftest import drain, event, make_tenant


def partitions(runtime: Runtime, table: str) -> set[str]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t"
            ),
            {"t": table},
        )
        return {r[0] for r in rows}


def test_events_are_partitioned_by_month_ahead_and_on_demand(postgres_url: str, tmp_path: Path):
    from fastapi.testclient import TestClient

    from sealtrail.api.app import create_app
    from sealtrail.db.base import utcnow

    runtime = Runtime.build(Settings(data_dir=tmp_path, database_url=postgres_url))
    try:
        runtime.migrate()
        now = utcnow()
        for table in ("events", "event_targets"):
            names = partitions(runtime, table)
            months_ahead = runtime.settings.postgres_partitions_ahead
            for ahead in range(months_ahead + 1):
                index = now.year * 12 + now.month - 1 + ahead
                assert f"{table}_y{index // 12:04d}m{index % 12 + 1:02d}" in names
        assert "events_y2011m07" not in partitions(runtime, "events")
        tenant = make_tenant(runtime)
        with TestClient(create_app(runtime)) as client:
            old = event(time="2011-07-04T10:00:00Z", targets=[{"type": "doc", "id": "d"}])
            assert (
                client.post(
                    "/api/v1/audit/events", json=old, headers=tenant.auth("ingest")
                ).status_code
                == 202
            )
            drain(runtime)
            assert "events_y2011m07" in partitions(runtime, "events")
            assert "event_targets_y2011m07" in partitions(runtime, "event_targets")
            with runtime.engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM events_y2011m07")).scalar()
            assert n == 1
            got = client.get(
                "/api/v1/audit/events", params={"target": "doc:d"}, headers=tenant.auth("read")
            )
            assert [e["id"] for e in got.json()["items"]] == [old["id"]]
    finally:
        runtime.close()
