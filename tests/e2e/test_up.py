"""`sealtrail up` as a user runs it: first start, ingest to query, clean stop."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import event
from tests.e2e.conftest import Server, server_env

pytestmark = pytest.mark.e2e


def poll_until_stored(
    url: str, headers: dict[str, str], event_id: str, timeout: float = 20
) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/api/v1/audit/events/{event_id}", headers=headers)
        if r.status_code == 200:
            return r.json()
        time.sleep(0.05)
    raise AssertionError(f"event {event_id} not stored within {timeout} s")


def test_first_start_prints_url_and_a_working_admin_key_once(tmp_path: Path):
    srv = Server(data_dir=tmp_path / "data", env=server_env(None))
    srv.start()
    try:
        out = srv.stdout_path.read_text()
        assert srv.url in out
        key = next(line.split()[-1] for line in out.splitlines() if "Admin API key" in line)
        headers = {"Authorization": f"Bearer {key}"}
        ev = event()
        r = httpx.post(f"{srv.url}/api/v1/audit/events", json=ev, headers=headers)
        assert r.status_code == 202
        stored = poll_until_stored(srv.url, headers, ev["id"])
        assert stored["tenant"] == "default"
        # The first admin user logs in with the password printed once.
        email = next(line.split()[-1] for line in out.splitlines() if "Admin email" in line)
        password = next(line.split()[-1] for line in out.splitlines() if "Admin password" in line)
        login = httpx.post(
            f"{srv.url}/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert login.status_code == 200, login.text
        assert login.json()["user"]["role"] == "admin"
    finally:
        # uvicorn re-raises SIGTERM after its graceful shutdown.
        assert srv.stop() in (0, -15)
    srv.start()
    try:
        assert "Admin API key" not in srv.stdout_path.read_text()
        assert "Admin password" not in srv.stdout_path.read_text()
        # The data survived the restart.
        poll_until_stored(srv.url, headers, ev["id"])
    finally:
        srv.stop()


def test_events_flow_from_ingest_to_query_through_the_running_worker(server):
    srv, tenant = server
    batch = [event(actor={"id": f"u{i}"}, action="user.login") for i in range(50)]
    r = httpx.post(f"{srv.url}/api/v1/audit/events", json=batch, headers=tenant.auth("ingest"))
    assert r.status_code == 202
    poll_until_stored(srv.url, tenant.auth("read"), batch[-1]["id"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page = httpx.get(
            f"{srv.url}/api/v1/audit/events",
            params={"action": "user.*", "limit": 100},
            headers=tenant.auth("read"),
        ).json()
        if len(page["items"]) == 50:
            break
        time.sleep(0.05)
    assert {e["id"] for e in page["items"]} == {e["id"] for e in batch}
    # The worker runs in a child process and publishes its counters every 0.5 s.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        metrics = httpx.get(f"{srv.url}/metrics").text
        if "sealtrail_events_stored_total 50.0" in metrics:
            break
        time.sleep(0.2)
    assert "sealtrail_events_stored_total 50.0" in metrics


def test_the_worker_is_a_child_that_is_restarted_and_dies_with_the_server(tmp_path: Path):
    import os
    import signal

    srv = Server(data_dir=tmp_path / "data", env=server_env(None))
    srv.start()
    try:
        children = _children(srv.proc.pid)
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _children(srv.proc.pid) in ([], children):
            time.sleep(0.1)
        [restarted] = _children(srv.proc.pid)
        assert restarted != children[0]
    finally:
        os.kill(srv.proc.pid, signal.SIGKILL)  # no graceful shutdown at all
        srv.proc.wait()
    deadline = time.monotonic() + 30  # a graceful stop of a busy worker
    while time.monotonic() < deadline and _alive(restarted):
        time.sleep(0.1)
    assert not _alive(restarted), "the worker outlived the server"


def _children(pid: int) -> list[int]:
    """Children of every thread of `pid` (the supervisor thread respawns the worker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return sorted(found)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"
