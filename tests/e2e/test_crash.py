"""Nothing accepted with a 202 is lost: SIGKILL in the middle of a sustained ingest."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from sealtrail.events.models import Event
from sealtrail.runtime import Runtime
from tests.conftest import event

pytestmark = pytest.mark.e2e


def test_sigkill_during_sustained_ingest_loses_no_accepted_event(server, settings):
    srv, tenant = server
    accepted: list[str] = []
    stop = threading.Event()

    def produce() -> None:
        with httpx.Client(timeout=10) as http:
            while not stop.is_set():
                batch = [event(actor={"id": f"u{i % 7}"}) for i in range(50)]
                try:
                    r = http.post(
                        f"{srv.url}/api/v1/audit/events", json=batch, headers=tenant.auth("ingest")
                    )
                except httpx.TransportError:
                    continue  # the server is down: nothing was acknowledged
                if r.status_code == 202:
                    accepted.extend(r.json()["ids"])

    producers = [threading.Thread(target=produce) for _ in range(2)]
    for p in producers:
        p.start()
    deadline = time.monotonic() + 30
    while len(accepted) < 3000 and time.monotonic() < deadline:
        time.sleep(0.01)
    srv.kill()  # SIGKILL: no shutdown hook runs
    killed_at = len(accepted)
    time.sleep(0.3)
    stop.set()
    for p in producers:
        p.join()
    assert killed_at >= 1000, "the ingest was not sustained before the kill"
    assert len(accepted) == killed_at or len(accepted) >= killed_at

    srv.start()
    runtime = Runtime.build(settings)
    try:
        wanted = {uuid.UUID(i) for i in accepted}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with runtime.factory() as session:
                stored = session.scalar(
                    select(func.count(func.distinct(Event.id))).where(Event.tenant_id == tenant.id)
                )
            if stored is not None and stored >= len(wanted):
                break
            time.sleep(0.1)
        with runtime.factory() as session:
            counts = dict(
                session.execute(
                    select(Event.id, func.count())
                    .where(Event.tenant_id == tenant.id)
                    .group_by(Event.id)
                ).all()
            )
        missing = wanted - set(counts)
        assert not missing, f"{len(missing)} accepted events were lost"
        assert all(n == 1 for n in counts.values()), "an event was stored twice"
    finally:
        runtime.close()
