"""SQLite's trail partitioned by arrival epoch: lists, lookups and statistics read across
many epochs give what one table would, and a trail from before the epochs is carried over.

Epochs are shrunk to 4 events (EPOCH_BITS = 2) so that a few dozen events span many.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import event as sa_event

from sealtrail.db import migrate
from sealtrail.events import epochs, query
from tests.conftest import drain, event, iso

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

URL = "/api/v1/audit/events"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACTORS = ["alice", "bob", "carol"]
ACTIONS = ["trade.order.create", "trade.order.approve", "user.login", "kyc.check"]


@pytest.fixture
def small_epochs(monkeypatch):
    monkeypatch.setattr(epochs, "EPOCH_BITS", 2)


@pytest.fixture
def trail(small_epochs, client, runtime, tenant):
    """60 events sent in batches of 7, timed at random in the first hour and the second
    by turns: late events keep arriving, and an epoch shared by two batches has its
    bounds from both."""
    rng = random.Random(11)
    sent: list[dict] = []
    for first in range(0, 60, 7):
        batch = [
            event(
                time=iso(T0 + timedelta(seconds=3600 * (first % 2) + rng.randrange(3600))),
                action=rng.choice(ACTIONS),
                actor={"id": rng.choice(ACTORS)},
                targets=[{"type": "order", "id": f"o-{rng.randrange(4)}"}]
                + ([{"type": "account", "id": "o-1"}] if rng.random() < 0.3 else []),
                outcome=rng.choice(["success", "failure"]),
            )
            for _ in range(min(7, 60 - first))
        ]
        assert client.post(URL, json=batch, headers=tenant.auth("ingest")).status_code == 202
        drain(runtime)
        sent.extend(batch)
    return sent


def _paged_ids(client, tenant, limit, **params):
    seen, cursor = [], None
    while True:
        q = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get(URL, params=q, headers=tenant.auth("read"))
        assert r.status_code == 200, r.text
        seen.extend(e["id"] for e in r.json()["items"])
        if not (cursor := r.json()["next_cursor"]):
            return seen


def _expected(trail, keep):
    chosen = [e for e in trail if keep(e)]
    chosen.sort(key=lambda e: (e["time"], uuid.UUID(e["id"])), reverse=True)
    return [e["id"] for e in chosen]


def _targets(e):
    return {f"{t['type']}:{t['id']}" for t in e["targets"]} | {t["id"] for t in e["targets"]}


SINCE, UNTIL = iso(T0 + timedelta(minutes=30)), iso(T0 + timedelta(minutes=75))
FILTERS = {
    "none": ({}, lambda e: True),
    "actor": ({"actor": "bob"}, lambda e: e["actor"]["id"] == "bob"),
    "action": ({"action": "user.login"}, lambda e: e["action"] == "user.login"),
    "prefix": ({"action": "trade.*"}, lambda e: e["action"].startswith("trade.")),
    "target id": ({"target": "o-1"}, lambda e: "o-1" in _targets(e)),
    "target type:id": ({"target": "order:o-2"}, lambda e: "order:o-2" in _targets(e)),
    "outcome": ({"outcome": "failure"}, lambda e: e["outcome"] == "failure"),
    "window": (
        {"since": SINCE, "until": UNTIL, "actor": "alice"},
        lambda e: SINCE <= e["time"] < UNTIL and e["actor"]["id"] == "alice",
    ),
}


@sqlite_only
def test_the_trail_spans_many_epochs_numbered_by_ledger_index(runtime, tenant, trail):
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.epoch, l.idx FROM events e JOIN ledger_leaves l "
                "ON l.tenant_id = e.tenant_id AND l.event_id = e.id"
            )
        ).all()
        bounds = conn.execute(
            text("SELECT epoch, min_time, max_time FROM event_epochs ORDER BY epoch")
        ).all()
        actual = conn.execute(
            text("SELECT epoch, min(time), max(time) FROM events GROUP BY epoch ORDER BY epoch")
        ).all()
    assert len(rows) == 60
    assert all(epoch == idx >> 2 for epoch, idx in rows)
    assert len(bounds) == 15
    assert bounds == actual  # each epoch's recorded bounds are its events' own


@sqlite_only
@pytest.mark.parametrize("arms", [64, 2], ids=["rounds up to 64 epochs", "rounds of 2"])
@pytest.mark.parametrize("name", FILTERS)
def test_every_page_across_epochs_is_what_one_sorted_table_gives(
    monkeypatch, client, tenant, trail, name, arms
):
    monkeypatch.setattr(epochs, "MAX_ARMS", arms)
    params, keep = FILTERS[name]
    expected = _expected(trail, keep)
    assert expected, "the filter matches nothing: the test would prove little"
    assert _paged_ids(client, tenant, 4, **params) == expected
    assert _paged_ids(client, tenant, 500, **params) == expected


@sqlite_only
def test_every_event_is_found_by_id_in_its_epoch(client, tenant, trail):
    for ev in trail:
        r = client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read"))
        assert r.status_code == 200
        assert r.json()["id"] == ev["id"]


@sqlite_only
def test_stats_count_every_epoch_in_the_window(client, tenant, trail):
    r = client.get(
        "/api/v1/audit/stats",
        params={"since": SINCE, "until": UNTIL},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 200, r.text
    inside = [e for e in trail if SINCE <= e["time"] < UNTIL]
    assert r.json()["total"] == len(inside)
    bob = sum(1 for e in inside if e["actor"]["id"] == "bob")
    assert {"value": "bob", "count": bob} in r.json()["top_actors"]


@sqlite_only
def test_the_stream_reads_events_of_every_epoch_by_ledger_index(runtime, tenant, trail):
    with runtime.factory() as session:
        items = query.by_ledger_index(
            session, tenant.id, query.EventFilter(actor="carol"), after=-1, upto=59
        )
    assert [e["ledger"]["index"] for e in items] == sorted(e["ledger"]["index"] for e in items)
    assert {e["id"] for e in items} == {e["id"] for e in trail if e["actor"]["id"] == "carol"}


def _list_plans(runtime, tenant_id, flt, limit):
    """The query plans of the statements a list runs that read the events' epochs."""
    statements: list[tuple[str, tuple]] = []

    def capture(_conn, _cursor, statement, params, _context, _many):
        if "events.epoch = ?" in statement:
            statements.append((statement, params))

    sa_event.listen(runtime.engine, "before_cursor_execute", capture)
    try:
        with runtime.factory() as session:
            page = query.list_events(session, tenant_id, flt, limit=limit)
    finally:
        sa_event.remove(runtime.engine, "before_cursor_execute", capture)
    with runtime.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        plans = [
            [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params)]
            for sql, params in statements
        ]
    return page, plans


@sqlite_only
def test_a_list_by_actor_reads_each_epoch_as_one_index_range(runtime, tenant, trail):
    """Not the actor's every event sorted: the newest few of each epoch, from its index."""
    _, plans = _list_plans(runtime, tenant.id, query.EventFilter(actor="bob"), 5)
    steps = [step for plan in plans for step in plan]
    arms = [step for step in steps if "ix_events_epoch_actor" in step]
    assert 1 <= len(arms) <= 15, steps  # each epoch read at most once
    assert all("tenant_id=? AND epoch=? AND actor_id=?" in step for step in arms), steps
    assert not [step for step in steps if step.startswith("SCAN events")], steps


@sqlite_only
def test_a_first_page_of_a_trail_sent_in_time_order_reads_only_the_newest_epoch(
    small_epochs, client, runtime, tenant
):
    """Events mostly arrive in time order: however many epochs, the first page needs
    only those that hold the newest events."""
    sent = [event(time=iso(T0 + timedelta(seconds=i))) for i in range(40)]
    for first in range(0, 40, 8):
        batch = sent[first : first + 8]
        assert client.post(URL, json=batch, headers=tenant.auth("ingest")).status_code == 202
        drain(runtime)
    page, plans = _list_plans(runtime, tenant.id, query.EventFilter(), 3)
    assert [e["id"] for e in page.items] == [e["id"] for e in reversed(sent[-3:])]
    epochs_read = sum(step.count("epoch=?") for plan in plans for step in plan)
    assert epochs_read == 1, plans  # of 10


def test_a_trail_stored_before_epochs_is_carried_over(tmp_path):
    """Migration 0007 numbers the epochs of stored events from their ledger leaves,
    keeps their rowids (the free-text index points at them) and records each epoch's
    bounds."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0006")
    moments = ["2026-11-20 09:00:00.000000", "2026-11-20 10:00:00.000000"]
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO tenants (id, name, created_at) VALUES (1, 't', :m)"),
            {"m": moments[0]},
        )
        for n, (idx, moment) in enumerate([(5, moments[0]), (131_072 * 3 + 1, moments[1])]):
            event_id = uuid.UUID(int=n + 1).hex
            conn.execute(
                text(
                    "INSERT INTO events (rowid, tenant_id, time, id, received_at, action, "
                    "outcome, actor_id, source_app, search_text, doc) VALUES (:rowid, 1, :t, "
                    ":id, :t, 'a.b', 'success', 'alice', NULL, :words, '{}')"
                ),
                {"rowid": 100 + n, "t": moment, "id": event_id, "words": f"needle{n} hay"},
            )
            conn.execute(
                text("INSERT INTO event_targets VALUES (1, 'o-1', :t, :id, 'order')"),
                {"t": moment, "id": event_id},
            )
            conn.execute(
                text("INSERT INTO ledger_leaves VALUES (1, :idx, :id, :t, :h)"),
                {"idx": idx, "id": event_id, "t": moment, "h": bytes(32)},
            )
        conn.execute(text("INSERT INTO events_fts(events_fts) VALUES ('rebuild')"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT rowid, epoch FROM events ORDER BY rowid")).all() == [
            (100, 0),
            (101, 3),
        ]
        assert conn.execute(text("SELECT epoch FROM event_targets ORDER BY epoch")).all() == [
            (0,),
            (3,),
        ]
        assert conn.execute(
            text("SELECT epoch, min_time, max_time FROM event_epochs ORDER BY epoch")
        ).all() == [(0, moments[0], moments[0]), (3, moments[1], moments[1])]
        found = conn.execute(
            text(
                "SELECT e.rowid FROM events_fts f JOIN events e ON e.rowid = f.rowid "
                "WHERE f.search_text LIKE '%needle1%'"
            )
        ).all()
        assert found == [(101,)]
    engine.dispose()
