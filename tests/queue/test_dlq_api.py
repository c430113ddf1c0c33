"""The dead-letter queue over HTTP: listing and replay, scoped to the caller's tenant."""

from __future__ import annotations

from sealtrail.queue import Message
from tests.conftest import make_tenant

URL = "/api/v1/admin/dlq"


def bury(runtime, tenant_id: int, body: bytes) -> None:
    runtime.queue.publish([Message(body=body, tenant_id=tenant_id)])
    for _ in range(runtime.settings.queue_max_deliveries):
        for d in runtime.queue.receive(100):
            runtime.queue.nack(d, "store failed: boom")


def test_dead_letters_are_listed_and_replayed_for_the_callers_tenant_only(client, runtime, tenant):
    other = make_tenant(runtime)
    bury(runtime, tenant.id, b'{"mine": 1}')
    bury(runtime, other.id, b'{"theirs": 1}')
    page = client.get(URL, headers=tenant.auth("admin")).json()
    assert [x["message"] for x in page["items"]] == [{"mine": 1}]
    assert page["items"][0]["reason"] == "store failed: boom"
    assert page["items"][0]["deliveries"] == runtime.settings.queue_max_deliveries
    # Replaying another tenant's letter by id does nothing.
    theirs = client.get(URL, headers=other.auth("admin")).json()["items"][0]["id"]
    r = client.post(f"{URL}/replay", json={"ids": [theirs]}, headers=tenant.auth("admin"))
    assert r.json() == {"replayed": 0}
    r = client.post(f"{URL}/replay", json={}, headers=tenant.auth("admin"))
    assert r.json() == {"replayed": 1}
    assert client.get(URL, headers=tenant.auth("admin")).json()["items"] == []
    assert len(client.get(URL, headers=other.auth("admin")).json()["items"]) == 1
    # Back in the queue (beside the self-audit records of the two replays).
    [back] = [m for m in runtime.queue.receive(10) if b"sealtrail" not in m.body]
    assert back.body == b'{"mine": 1}'
    assert back.deliveries == 1


def test_dlq_pagination_and_bad_input(client, runtime, tenant):
    for i in range(3):
        bury(runtime, tenant.id, f'{{"n": {i}}}'.encode())
    first = client.get(URL, params={"limit": 2}, headers=tenant.auth("admin")).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    rest = client.get(
        URL, params={"limit": 2, "cursor": first["next_cursor"]}, headers=tenant.auth("admin")
    ).json()
    assert [x["message"]["n"] for x in rest["items"]] == [2]
    assert (
        client.post(f"{URL}/replay", json={"ids": ["x"]}, headers=tenant.auth("admin")).status_code
        == 422
    )
    # A cursor the server did not make (docs/api.md: 400 naming the cursor).
    assert (
        client.get(URL, params={"cursor": "abc"}, headers=tenant.auth("admin")).status_code == 400
    )


def test_dlq_requires_admin(client, tenant):
    assert client.get(URL, headers=tenant.auth("read")).status_code == 403
    assert client.post(f"{URL}/replay", json={}, headers=tenant.auth("ingest")).status_code == 403
