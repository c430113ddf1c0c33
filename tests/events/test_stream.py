"""The live tail (`GET /api/v1/audit/stream`) on SQLite and PostgreSQL: what arrives, in
which order, for whom, and what a stream holds while it waits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import orjson
import pytest
import uvicorn
from prometheus_client import REGISTRY
from sqlalchemy import event as sa_event

from sealtrail.api.app import create_app
from sealtrail.events import query
from tests.conftest import bearer, drain, event, login, make_tenant, make_user

STREAM = "/api/v1/audit/stream"
EVENTS = "/api/v1/audit/events"
DEADLINE = 20.0


@pytest.fixture
def settings(settings):
    """Quick looks and comments, so that tests see them within a fraction of a second."""
    return settings.model_copy(update={"stream_poll_interval": 0.05, "stream_keepalive": 0.2})


@dataclass
class Message:
    """One message of the stream: an event, or a comment."""

    id: str | None = None
    event: str | None = None
    data: str | None = None
    comment: str | None = None

    @property
    def item(self) -> dict:
        assert self.event == "audit", self
        return orjson.loads(self.data)


def messages(response) -> Iterator[Message]:
    """Parse `text/event-stream` as it arrives (comments included)."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line == "":
            if fields:
                yield Message(**fields)
            fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name or "comment"] = value.removeprefix(" ")


def read_events(feed: Iterator[Message], count: int) -> list[Message]:
    """The next `count` event messages; comments arrive every 0.2 s, so the deadline is
    checked often even when nothing else comes."""
    got: list[Message] = []
    deadline = time.monotonic() + DEADLINE
    for message in feed:
        if message.event is not None:
            got.append(message)
        if len(got) == count:
            return got
        assert time.monotonic() < deadline, f"only {len(got)} of {count} events arrived"
    raise AssertionError(f"the stream ended after {len(got)} of {count} events")


def read_until_quiet(feed: Iterator[Message]) -> list[Message]:
    """Every event message until two comments in a row: the stream has caught up."""
    got: list[Message] = []
    quiet = 0
    deadline = time.monotonic() + DEADLINE
    for message in feed:
        quiet = quiet + 1 if message.comment is not None else 0
        if message.event is not None:
            got.append(message)
        if quiet == 2:
            return got
        assert time.monotonic() < deadline, "the stream never went quiet"
    raise AssertionError("the stream ended")


def read_to_end(feed: Iterator[Message]) -> list[Message]:
    """Every message until the server ends the stream, which it must do in time."""
    got: list[Message] = []
    deadline = time.monotonic() + DEADLINE
    for message in feed:
        got.append(message)
        assert time.monotonic() < deadline, "the stream did not end"
    return got


def send(client, tenant, *events) -> list[str]:
    r = client.post(EVENTS, json=list(events), headers=tenant.auth("ingest"))
    assert r.status_code == 202, r.text
    return [e["id"] for e in events]


def search_items(client, tenant, **params) -> dict[str, dict]:
    r = client.get(EVENTS, params={"limit": 500, **params}, headers=tenant.auth("read"))
    assert r.status_code == 200, r.text
    return {item["id"]: item for item in r.json()["items"]}


def test_events_stored_after_it_opens_arrive_in_ledger_order_as_search_items(
    client, runtime, tenant
):
    send(client, tenant, event(), event())
    drain(runtime)
    with client.stream("GET", STREAM, headers=tenant.auth("read")) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-accel-buffering"] == "no"
        feed = messages(r)
        sent = send(client, tenant, *(event(description=f"live {i}") for i in range(3)))
        drain(runtime)
        got = read_events(feed, 3)
    assert [m.id for m in got] == ["2", "3", "4"]
    assert [m.item["id"] for m in got] == sent
    stored = search_items(client, tenant)
    assert [m.item for m in got] == [stored[i] for i in sent]
    assert [m.item["ledger"]["index"] for m in got] == [2, 3, 4]


def test_a_quiet_stream_sends_keepalive_comments(client, tenant):
    with client.stream("GET", STREAM, headers=tenant.auth("read")) as r:
        first = next(messages(r))
    assert first == Message(comment="keepalive")


@pytest.mark.parametrize(
    ("params", "headers", "expected"),
    [
        ({"after": "1"}, {}, [2, 3, 4]),
        ({"after": "-1"}, {}, [0, 1, 2, 3, 4]),
        ({}, {"Last-Event-ID": "3"}, [4]),
        ({"after": "0"}, {"Last-Event-ID": "2"}, [3, 4]),  # the header is the newer word
    ],
)
def test_a_stream_resumes_after_the_index_it_is_given(
    client, runtime, tenant, params, headers, expected
):
    ids = send(client, tenant, *(event() for _ in range(5)))
    drain(runtime)
    with client.stream(
        "GET", STREAM, params=params, headers={**tenant.auth("read"), **headers}
    ) as r:
        got = read_until_quiet(messages(r))
    assert [int(m.id) for m in got] == expected
    assert [m.item["id"] for m in got] == [ids[i] for i in expected]


def test_the_stream_filters_as_the_search_does(client, runtime, tenant):
    events = [
        event(action="trade.order.create", targets=[{"type": "order", "id": "o-1"}]),
        event(action="trade.order.approve", targets=[{"type": "account", "id": "o-1"}]),
        event(action="tradex.other", targets=[{"type": "order", "id": "o-1"}]),
        event(
            action="trade.settle",
            actor={"id": "bob"},
            outcome="failure",
            description="Nightly batch",
            targets=[{"type": "order", "id": "o-1"}, {"type": "order-line", "id": "o-1"}],
        ),
        event(action="kyc.check", source={"app": "kyc"}, targets=[]),
    ]
    send(client, tenant, *events)
    drain(runtime)
    filters = [
        {"action": "trade.*"},
        {"action": "tradex.other"},
        {"target": "order:o-1"},
        {"target": "o-1"},
        {"actor": "bob", "outcome": "failure"},
        {"source": "kyc"},
        {"q": "nightly BATCH"},
        {"action": "trade.*", "target": "o-1", "q": "settle"},
    ]
    for params in filters:
        with client.stream(
            "GET", STREAM, params={**params, "after": -1}, headers=tenant.auth("read")
        ) as r:
            streamed = [m.item["id"] for m in read_until_quiet(messages(r))]
        searched = list(reversed(list(search_items(client, tenant, **params))))
        assert streamed == searched, params
        assert streamed, params


def test_a_tenant_never_sees_another_tenants_events_on_the_stream(client, runtime, tenant):
    other = make_tenant(runtime)
    marker = "secret-of-the-other-tenant"
    with client.stream("GET", STREAM, headers=tenant.auth("read")) as r:
        feed = messages(r)
        send(client, other, *(event(description=marker) for _ in range(3)))
        mine = send(client, tenant, event(), event())
        send(client, other, event(description=marker))
        drain(runtime)
        live = read_events(feed, 2) + read_until_quiet(feed)
    assert [m.item["id"] for m in live] == mine
    with client.stream("GET", STREAM, params={"after": -1}, headers=tenant.auth("read")) as r:
        replayed = read_until_quiet(messages(r))
    assert [m.item["id"] for m in replayed] == mine
    assert all(marker not in (m.data or "") for m in live + replayed)
    assert all(m.item["tenant"] == tenant.name for m in live + replayed)


BAD_FILTERS = [
    ({"outcome": "maybe"}, "outcome"),
    ({"action": "a" * 201}, "action"),
    ({"actor": "x" * 257}, "actor"),
    ({"target": "x" * 401}, "target"),
    ({"q": "x" * 201}, "q"),
]


@pytest.mark.parametrize(("params", "field"), BAD_FILTERS)
def test_bad_filters_are_the_same_422_as_the_search(client, tenant, params, field):
    r = client.get(STREAM, params=params, headers=tenant.auth("read"))
    searched = client.get(EVENTS, params=params, headers=tenant.auth("read"))
    assert r.status_code == searched.status_code == 422
    assert r.json() == searched.json()
    [problem] = r.json()["error"]["details"]
    assert problem["field"] == field
    assert problem["reason"]


@pytest.mark.parametrize(
    ("params", "headers", "status", "field"),
    [
        ({"after": "-2"}, {}, 422, "after"),
        ({"after": "one"}, {}, 422, "after"),
        ({}, {"Last-Event-ID": "x"}, 422, "Last-Event-ID"),
        ({}, {"Last-Event-ID": "-5"}, 422, "Last-Event-ID"),
        ({"after": "2"}, {}, 400, "after"),  # past the newest event (index 1)
        ({}, {"Last-Event-ID": "7"}, 400, "Last-Event-ID"),
    ],
)
def test_bad_resume_points_are_4xx_with_field_and_reason(
    client, runtime, tenant, params, headers, status, field
):
    send(client, tenant, event(), event())
    drain(runtime)
    r = client.get(STREAM, params=params, headers={**tenant.auth("read"), **headers})
    assert r.status_code == status, r.text
    details = r.json()["error"]["details"]
    problem = details[0] if isinstance(details, list) else details
    assert problem["field"] == field
    assert problem["reason"]


def test_only_readers_may_stream(client, tenant):
    assert client.get(STREAM).status_code == 401
    r = client.get(STREAM, headers=tenant.auth("ingest"))
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"required_permission": "trail.read"}


def test_a_stream_ends_when_its_session_ends(client, runtime, tenant):
    person = make_user(runtime, tenant.name, "auditor")
    token = login(client, person)["access_token"]
    with client.stream("GET", STREAM, headers=bearer(token)) as r:
        feed = messages(r)
        assert next(feed).comment == "keepalive"
        assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
        rest = read_to_end(feed)  # at the next credential check, instead of running on
    assert all(m.comment == "keepalive" for m in rest)


def test_a_stream_ends_when_its_key_is_revoked(client, runtime, tenant):
    with client.stream("GET", STREAM, headers=tenant.auth("read")) as r:
        feed = messages(r)
        assert next(feed).comment == "keepalive"
        prefix = tenant.read.split("_")[1]
        assert client.delete(f"/api/v1/keys/{prefix}", headers=tenant.auth("admin")).is_success
        read_to_end(feed)


def test_a_caller_may_hold_only_so_many_live_tails_open(client, runtime, tenant):
    runtime.stream_slots.per_caller = 2
    with ExitStack() as open_tails:
        for _ in range(2):
            r = open_tails.enter_context(client.stream("GET", STREAM, headers=tenant.auth("read")))
            assert next(messages(r)).comment == "keepalive"
        with client.stream("GET", STREAM, headers=tenant.auth("read")) as refused:
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "15"
            assert orjson.loads(refused.read())["error"]["details"] == {"open": 2, "limit": 2}
        # The cap is per caller: another key of the tenant still gets its tail.
        with client.stream("GET", STREAM, headers=tenant.auth("admin")) as other:
            assert next(messages(other)).comment == "keepalive"
    # Closed tails give their places back.
    deadline = time.monotonic() + DEADLINE
    while True:
        with client.stream("GET", STREAM, headers=tenant.auth("read")) as again:
            if again.status_code == 200:
                assert next(messages(again)).comment == "keepalive"
                break
        assert time.monotonic() < deadline, "closed tails still count"


def test_an_open_stream_holds_no_database_connection_between_looks(client, runtime, tenant):
    pool = runtime.engine.pool
    with client.stream("GET", STREAM, headers=tenant.auth("read")) as r:
        feed = messages(r)
        assert next(feed).comment == "keepalive"
        deadline = time.monotonic() + DEADLINE
        while pool.checkedout() != 0:  # a look in progress holds one, briefly
            assert time.monotonic() < deadline, "the stream keeps a connection checked out"
            next(feed)
        assert next(feed).comment == "keepalive"  # still open


# The plan checked here is SQLite's; PostgreSQL plans from statistics.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_look_walks_the_ledger_range_whatever_the_filter(runtime, tenant, backend):
    """SQLite without statistics may prefer an actor or action index to the ledger key;
    a look must read the few new leaves, not every event of a busy actor or target."""
    statements: list[tuple[str, tuple]] = []

    def capture(_conn, _cursor, statement, params, _context, _many):
        statements.append((statement, params))

    flt = query.EventFilter(actor="alice", action="trade.*", target="order:o-1", q="big")
    sa_event.listen(runtime.engine, "before_cursor_execute", capture)
    try:
        with runtime.factory() as session:
            query.by_ledger_index(session, tenant.id, flt, after=10, upto=510)
    finally:
        sa_event.remove(runtime.engine, "before_cursor_execute", capture)
    [(sql, params)] = statements
    with runtime.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith("SEARCH ledger_leaves USING"), plan
    assert not [step for step in plan if step.startswith("SCAN")], plan
    assert any("event_targets" in step and "target_id=?" in step for step in plan), plan


@contextmanager
def serving(app) -> Iterator[str]:
    """The app behind a real uvicorn server on a free port, in a thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=DEADLINE)
        sock.close()


def open_streams() -> float:
    return REGISTRY.get_sample_value("sealtrail_audit_streams_open") or 0.0


def test_over_real_http_nothing_buffers_the_stream_and_it_stops_when_the_client_goes(
    runtime, tenant
):
    before = open_streams()
    with (
        serving(create_app(runtime)) as url,
        httpx.Client(base_url=url, timeout=DEADLINE) as http,
    ):
        with http.stream("GET", STREAM, headers=tenant.auth("read")) as r:
            assert r.status_code == 200
            feed = messages(r)
            assert next(feed).comment == "keepalive"
            assert open_streams() == before + 1
            sent = event()
            assert http.post(EVENTS, json=sent, headers=tenant.auth("ingest")).status_code == 202
            drain(runtime)
            [got] = read_events(feed, 1)  # arrives while the response is still open
            assert got.item["id"] == sent["id"]
        deadline = time.monotonic() + DEADLINE
        while open_streams() != before:  # the server noticed the client leave
            assert time.monotonic() < deadline, "the stream outlived its client"
            time.sleep(0.01)


def test_a_live_tail_by_a_person_is_in_the_trail_one_by_a_key_is_not(client, runtime, tenant):
    analyst = make_user(runtime, tenant.name, "analyst")
    token = login(client, analyst)["access_token"]
    params = {"action": "trade.*", "q": "refund"}
    with client.stream("GET", STREAM, params=params, headers=bearer(token)) as r:
        assert r.status_code == 200
    with client.stream("GET", STREAM, headers=tenant.auth("read")) as r:
        assert r.status_code == 200
    drain(runtime)
    found = client.get(
        EVENTS, params={"action": "sealtrail.trail.stream"}, headers=tenant.auth("read")
    ).json()["items"]
    assert len(found) == 1
    assert found[0]["actor"]["id"] == str(analyst.id)
    assert found[0]["metadata"]["query"] == {"action": "trade.*", "q": "refund", "after": "-1"}
