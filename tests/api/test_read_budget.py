"""Reads cannot starve ingest: each read statement has a time budget (over it: a clear
503), reads run a bounded number at a time on connections of their own, and ingest
answers while readers saturate the API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sealtrail.api.app import create_app
from sealtrail.config import Settings
from sealtrail.runtime import Runtime
from tests.conftest import TenantKeys, drain, event, make_tenant


def _runtime(settings: Settings, **read: float) -> Iterator[Runtime]:
    rt = Runtime.build(settings.model_copy(update=read))
    rt.migrate()
    yield rt
    rt.close()


def _batch() -> bytes:
    return orjson.dumps(
        [
            event(actor={"type": "user", "id": f"user-{i % 300}"}, action=f"trade.k{i % 40}.go")
            for i in range(1000)
        ]
    )


def _send(client: TestClient, tenant: TenantKeys, body: bytes) -> None:
    r = client.post(
        "/api/v1/audit/events",
        content=body,
        headers=tenant.auth("ingest") | {"content-type": "application/json"},
    )
    assert r.status_code == 202, r.text


@pytest.fixture
def tight(settings: Settings) -> Iterator[Runtime]:
    """A runtime whose reads have one millisecond per statement."""
    yield from _runtime(settings, read_timeout_seconds=0.001)


def test_a_read_over_its_time_budget_is_a_clear_503_and_writes_have_no_budget(tight):
    tenant = make_tenant(tight)
    with TestClient(create_app(tight)) as client:
        for _ in range(10):  # ingest and the worker run under the same settings
            _send(client, tenant, _batch())
        assert drain(tight) == 10_000
        r = client.get("/api/v1/audit/stats", params={"top": 100}, headers=tenant.auth("read"))
        assert r.status_code == 503, r.text
        error = r.json()["error"]
        assert error["code"] == "query_timeout"
        assert "took longer than 0.001 s; narrow the time range or filters" in error["message"]
        assert client.get("/readyz").status_code == 200  # the process is fine


def test_reads_run_on_connections_that_cannot_write(runtime):
    with runtime.read_factory() as session, pytest.raises(DBAPIError, match=r"(?i)read"):
        session.execute(text("CREATE TABLE intruder (x INTEGER)"))


READERS = 100  # more than the server has threads for synchronous work (40)


def _readers(
    client: TestClient, tenant: TenantKeys, stop: threading.Event
) -> tuple[list[int], list[threading.Thread]]:
    """Start READERS threads asking for pages of 500 events until `stop`; their answers."""
    answers: list[int] = []

    def read() -> None:
        while not stop.is_set():
            r = client.get(
                "/api/v1/audit/events", params={"limit": 500}, headers=tenant.auth("read")
            )
            answers.append(r.status_code)

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    return answers, readers


def _slowest_ingest(client: TestClient, tenant: TenantKeys, batches: int = 3) -> float:
    slowest = 0.0
    for body in [_batch() for _ in range(batches)]:
        started = time.monotonic()
        _send(client, tenant, body)
        slowest = max(slowest, time.monotonic() - started)
    return slowest


@pytest.fixture
def saturated(settings: Settings) -> Iterator[Runtime]:
    """A runtime with two read slots, where reads wait up to 10 s for one and have 3 s."""
    yield from _runtime(
        settings,
        read_max_concurrent=2,
        read_wait_seconds=10.0,
        read_timeout_seconds=3.0,
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_ingest_answers_while_busy_readers_saturate_the_api(saturated):
    tenant = make_tenant(saturated)
    stop = threading.Event()
    with TestClient(create_app(saturated)) as client:
        _send(client, tenant, _batch())
        drain(saturated)
        answers, readers = _readers(client, tenant, stop)
        try:
            deadline = time.monotonic() + 60
            while len(answers) < 100 and time.monotonic() < deadline:
                time.sleep(0.05)
            slowest = _slowest_ingest(client, tenant)
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=60)
    assert slowest < 3.0, f"ingest took {slowest:.2f} s under {READERS} readers"
    assert set(answers) <= {200, 503}, set(answers)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_ingest_answers_while_every_read_waits_on_a_locked_table(saturated):
    tenant = make_tenant(saturated)
    stop = threading.Event()
    with TestClient(create_app(saturated)) as client, saturated.engine.connect() as locker:
        _send(client, tenant, _batch())  # the first ingest pays for warming up
        # Every search now waits inside the database, holding its thread, until its
        # budget ends it or the lock goes (after 6 s at the latest).
        locker.execute(text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
        release = threading.Timer(6.0, locker.rollback)
        release.start()
        answers, readers = _readers(client, tenant, stop)
        try:
            deadline = time.monotonic() + 30
            while _waiting_on_locks(saturated) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            slowest = _slowest_ingest(client, tenant)
        finally:
            stop.set()
            release.join()
            for reader in readers:
                reader.join(timeout=60)
    assert slowest < 1.0, f"ingest took {slowest:.2f} s while reads waited on a lock"
    assert set(answers) <= {200, 503}, set(answers)


def _waiting_on_locks(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


@pytest.fixture
def one_slot(settings: Settings) -> Iterator[Runtime]:
    """A runtime with one read slot, for which a read waits 0.2 s."""
    yield from _runtime(
        settings, read_max_concurrent=1, read_wait_seconds=0.2, read_timeout_seconds=3.0
    )


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_read_that_finds_every_slot_taken_is_a_503_with_retry_after(one_slot):
    tenant = make_tenant(one_slot)
    first: list[int] = []
    with TestClient(create_app(one_slot)) as client, one_slot.engine.connect() as locker:
        locker.execute(text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
        holder = threading.Thread(
            target=lambda: first.append(
                client.get("/api/v1/audit/events", headers=tenant.auth("read")).status_code
            )
        )
        holder.start()
        deadline = time.monotonic() + 30
        while _waiting_on_locks(one_slot) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        r = client.get("/api/v1/audit/events", headers=tenant.auth("read"))
        locker.rollback()
        holder.join(timeout=30)
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "reads_busy"
    assert r.headers["retry-after"] == "1"
    assert first == [200]
