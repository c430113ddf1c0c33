"""`GET /api/v1/ledger/status` on SQLite and PostgreSQL: how far the tree has grown and
how far the latest signed checkpoint covers it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sealtrail.events.schema import parse_rfc3339
from sealtrail.ledger import routes
from sealtrail.verify.checkpoint import open_checkpoint
from sealtrail.verify.note import Verifier
from tests.conftest import bearer, drain, event, login, make_tenant, make_user

STATUS = "/api/v1/ledger/status"


def status(client, tenant) -> dict:
    r = client.get(STATUS, headers=tenant.auth("read"))
    assert r.status_code == 200, r.text
    return r.json()


def send(client, runtime, tenant, n: int) -> None:
    r = client.post(
        "/api/v1/audit/events", json=[event() for _ in range(n)], headers=tenant.auth("ingest")
    )
    assert r.status_code == 202, r.text
    drain(runtime)


def test_an_empty_ledger_has_no_checkpoint_yet(client, tenant):
    key = client.get("/api/v1/ledger/public-key", headers=tenant.auth("read")).json()
    assert status(client, tenant) == {
        "origin": f"{key['origin']}/{tenant.name}",
        "tree_size": 0,
        "checkpoint": None,
    }


def test_the_status_follows_the_tree_and_the_signed_checkpoint(client, runtime, tenant):
    send(client, runtime, tenant, 3)
    assert status(client, tenant)["tree_size"] == 3
    assert status(client, tenant)["checkpoint"] is None  # stored, not signed yet
    before = datetime.now(UTC)
    assert runtime.issue_checkpoints() >= 1
    after = datetime.now(UTC)
    send(client, runtime, tenant, 2)
    now = status(client, tenant)
    assert now["tree_size"] == 5
    cp = now["checkpoint"]
    assert cp["tree_size"] == 3
    key = client.get("/api/v1/ledger/public-key", headers=tenant.auth("read")).json()
    assert cp["key_id"] == key["key_id"]
    note = client.get("/api/v1/ledger/checkpoint", headers=tenant.auth("read")).text
    signed, _ = open_checkpoint(note, [Verifier.parse(key["verifier_key"])], origin=now["origin"])
    assert base64.b64decode(cp["root_hash"]) == signed.root
    assert signed.size == cp["tree_size"]
    signed_at = parse_rfc3339(cp["timestamp"])
    assert before - timedelta(seconds=1) <= signed_at <= after + timedelta(seconds=1)
    elapsed = (datetime.now(UTC) - before).total_seconds()
    assert 0 <= cp["age_seconds"] <= elapsed + 1


def test_the_age_counts_from_the_signing_time(client, runtime, tenant, monkeypatch):
    send(client, runtime, tenant, 1)
    runtime.issue_checkpoints()
    first = status(client, tenant)["checkpoint"]
    signed_at = parse_rfc3339(first["timestamp"])
    monkeypatch.setattr(routes, "utcnow", lambda: signed_at + timedelta(hours=1))
    later = status(client, tenant)["checkpoint"]
    assert later["timestamp"] == first["timestamp"]
    assert later["age_seconds"] == 3600.0


def test_another_tenant_sees_its_own_empty_ledger(client, runtime, tenant):
    send(client, runtime, tenant, 4)
    runtime.issue_checkpoints()
    other = make_tenant(runtime)
    theirs = status(client, other)
    assert theirs["tree_size"] == 0
    assert theirs["checkpoint"] is None
    assert theirs["origin"].endswith(f"/{other.name}")


def test_every_role_may_read_it_an_ingest_key_may_not(client, runtime, tenant):
    for role in ("admin", "analyst", "auditor"):
        token = login(client, make_user(runtime, tenant.name, role))["access_token"]
        assert client.get(STATUS, headers=bearer(token)).status_code == 200, role
    r = client.get(STATUS, headers=tenant.auth("ingest"))
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"required_permission": "ledger.read"}
    assert client.get(STATUS).status_code == 401
