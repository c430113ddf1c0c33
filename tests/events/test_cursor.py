"""Page cursors over HTTP: only cursors this server made for this list, tenant and search
are accepted; anything else is a 400 naming `cursor`, never a 500 or a foreign page."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from sealtrail.queue import Message
from tests.conftest import drain, event, iso, make_tenant

EVENTS = "/api/v1/audit/events"
DLQ = "/api/v1/admin/dlq"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def b64(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def refused(response) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == "cursor"


@pytest.fixture
def trail(client, runtime, tenant):
    """Six events at one-minute steps: three logins, three orders."""
    events = [
        event(time=iso(T0 + timedelta(minutes=i)), action=action)
        for i, action in enumerate(["user.login", "trade.order.create"] * 3)
    ]
    assert client.post(EVENTS, json=events, headers=tenant.auth("ingest")).status_code == 202
    drain(runtime)
    return events


def first_cursor(client, tenant, **params) -> str:
    page = client.get(EVENTS, params={"limit": 1, **params}, headers=tenant.auth("read")).json()
    assert page["next_cursor"]
    return str(page["next_cursor"])


@pytest.mark.parametrize(
    "forged",
    [
        b64([1, 2]),
        b64({"a": 1}),
        b64([]),
        b64(["2026-11-20T09:03:00Z", str(uuid.uuid4())]),
        b64(["2026-11-20T09:03:00Z", str(uuid.uuid4())]) + "." + b64("x"),
        "garbage!",
        ".",
        "é" * 10,
    ],
)
def test_a_cursor_the_server_did_not_make_is_400(client, tenant, trail, forged):
    refused(client.get(EVENTS, params={"cursor": forged}, headers=tenant.auth("read")))


def test_an_altered_cursor_is_400(client, tenant, trail):
    cursor = first_cursor(client, tenant)
    payload, _, tag = cursor.partition(".")
    moved = b64(["2026-11-20T09:05:00Z", str(uuid.uuid4())])
    for bad in (f"{moved}.{tag}", f"{payload}.{tag[:-2]}", payload, cursor[:-1] + "A"):
        if bad != cursor:
            refused(client.get(EVENTS, params={"cursor": bad}, headers=tenant.auth("read")))


def test_a_cursor_works_only_for_the_search_it_was_made_for(client, tenant, trail):
    cursor = first_cursor(client, tenant, action="trade.*")
    same = client.get(
        EVENTS, params={"action": "trade.*", "cursor": cursor}, headers=tenant.auth("read")
    )
    assert same.status_code == 200
    assert [e["action"] for e in same.json()["items"]] == ["trade.order.create"] * 2
    for other in ({}, {"action": "user.*"}, {"action": "trade.*", "actor": "bob"}):
        r = client.get(EVENTS, params={**other, "cursor": cursor}, headers=tenant.auth("read"))
        refused(r)
    # The page size is not part of the search.
    r = client.get(
        EVENTS,
        params={"action": "trade.*", "cursor": cursor, "limit": 5},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 200


def test_a_cursor_of_one_tenant_is_refused_by_another(client, runtime, tenant, trail):
    cursor = first_cursor(client, tenant)
    other = make_tenant(runtime)
    refused(client.get(EVENTS, params={"cursor": cursor}, headers=other.auth("read")))


def test_equal_spellings_of_a_search_share_cursors(client, tenant, trail):
    since = iso(T0)
    cursor = first_cursor(client, tenant, since=since, q="Alice")
    r = client.get(
        EVENTS,
        params={"since": since.replace("Z", "+00:00"), "q": "alice", "cursor": cursor},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 200, r.text


def bury(runtime, tenant_id: int, body: bytes) -> None:
    runtime.queue.publish([Message(body=body, tenant_id=tenant_id)])
    for _ in range(runtime.settings.queue_max_deliveries):
        for d in runtime.queue.receive(100):
            runtime.queue.nack(d, "store failed: boom")


def test_dead_letter_cursors_are_made_by_the_server_for_one_tenant(client, runtime, tenant, trail):
    for i in range(3):
        bury(runtime, tenant.id, f'{{"n": {i}}}'.encode())
    page = client.get(DLQ, params={"limit": 1}, headers=tenant.auth("admin")).json()
    cursor = page["next_cursor"]
    nxt = client.get(DLQ, params={"limit": 1, "cursor": cursor}, headers=tenant.auth("admin"))
    assert nxt.status_code == 200
    assert nxt.json()["items"][0]["id"] != page["items"][0]["id"]
    other = make_tenant(runtime)
    refused(client.get(DLQ, params={"cursor": cursor}, headers=other.auth("admin")))
    # Neither a bare id, a huge number, nor a cursor of another list.
    for forged in (page["items"][0]["id"], str(2**63), "9" * 19, first_cursor(client, tenant)):
        refused(client.get(DLQ, params={"cursor": forged}, headers=tenant.auth("admin")))
    # And an events cursor does not take a dead letter's place.
    refused(client.get(EVENTS, params={"cursor": cursor}, headers=tenant.auth("read")))
