"""Query over HTTP: filters, keyset pagination, single events, statistics."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from sealtrail.events import query
from sealtrail.events.schema import parse_rfc3339
from tests.conftest import drain, event, iso, make_tenant

URL = "/api/v1/audit/events"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return iso(T0 + timedelta(minutes=minutes))


@pytest.fixture
def trail(client, runtime, tenant):
    """Eight events at one-minute steps, newest last."""
    events = [
        event(
            time=at(0),
            action="user.login",
            actor={"id": "alice", "name": "Alice Martin"},
            targets=[],
            source={"app": "portal"},
        ),
        event(
            time=at(1),
            action="trade.order.create",
            actor={"id": "alice"},
            targets=[{"type": "order", "id": "o-1", "name": "Big Order"}],
        ),
        event(
            time=at(2),
            action="trade.order.approve",
            actor={"id": "bob", "name": "Bob Stone"},
            targets=[{"type": "order", "id": "o-1"}],
            outcome="failure",
        ),
        event(
            time=at(3),
            action="trade.settlement.run",
            actor={"id": "batch", "type": "service"},
            targets=[{"type": "account", "id": "o-1"}],
        ),
        event(time=at(4), action="tradex.other", actor={"id": "carol"}, targets=[]),
        event(
            time=at(5),
            action="user.logout",
            actor={"id": "alice"},
            targets=[],
            description="Session ended by 100% timeout_policy",
        ),
        event(
            time=at(6),
            action="kyc.check",
            actor={"id": "bob"},
            targets=[{"type": "customer", "id": "c-9", "name": "ACME Holdings"}],
            source={"app": "kyc"},
        ),
        event(time=at(7), action="user.login", actor={"id": "dave"}, targets=[]),
    ]
    assert client.post(URL, json=events, headers=tenant.auth("ingest")).status_code == 202
    drain(runtime)
    return events


def ids(client, tenant, **params):
    r = client.get(URL, params=params, headers=tenant.auth("read"))
    assert r.status_code == 200, r.text
    return [e["id"] for e in r.json()["items"]]


def test_list_is_newest_first(client, tenant, trail):
    assert ids(client, tenant) == [e["id"] for e in reversed(trail)]


def test_filter_by_actor(client, tenant, trail):
    assert ids(client, tenant, actor="alice") == [trail[5]["id"], trail[1]["id"], trail[0]["id"]]


@pytest.fixture(params=["action index", "newest-first scan"])
def prefix_plan(request, monkeypatch):
    """A narrow action prefix is read from the action index, a broad one by walking the
    newest events; both plans must give the same answer."""
    if request.param == "newest-first scan":
        monkeypatch.setattr(query, "ACTION_PREFIX_PROBE", 1)
    return request.param


def test_filter_by_exact_action_and_by_prefix(client, tenant, trail, prefix_plan):
    assert ids(client, tenant, action="user.login") == [trail[7]["id"], trail[0]["id"]]
    # trade.* must not match tradex.other
    assert ids(client, tenant, action="trade.*") == [trail[3]["id"], trail[2]["id"], trail[1]["id"]]
    assert ids(client, tenant, action="trade.order.*") == [trail[2]["id"], trail[1]["id"]]
    assert ids(client, tenant, action="trade.*", limit=2) == [trail[3]["id"], trail[2]["id"]]
    assert ids(client, tenant, action="nothing.*") == []


def test_filter_by_target_id_or_type_and_id(client, tenant, trail):
    assert ids(client, tenant, target="o-1") == [trail[3]["id"], trail[2]["id"], trail[1]["id"]]
    assert ids(client, tenant, target="order:o-1") == [trail[2]["id"], trail[1]["id"]]
    assert ids(client, tenant, target="account:o-1") == [trail[3]["id"]]


def test_filter_by_outcome_and_source(client, tenant, trail):
    assert ids(client, tenant, outcome="failure") == [trail[2]["id"]]
    assert ids(client, tenant, source="kyc") == [trail[6]["id"]]


@pytest.fixture(params=["trigram index", "newest-first scan"])
def text_plan(request, monkeypatch):
    """Free text is answered from the trigram index (rare words) or by scanning newest
    first (common words); both plans must give the same answer."""
    if request.param == "newest-first scan":
        monkeypatch.setattr(query, "TEXT_INDEX_PROBE", 1)
        monkeypatch.setattr(query, "TEXT_WALK_MIN", 0)
    else:
        monkeypatch.setattr(query, "TEXT_WALK_MIN", query.TEXT_SAMPLE + 1)
    return request.param


def test_free_text_searches_action_actor_name_target_names_and_description(
    client, tenant, trail, text_plan
):
    assert ids(client, tenant, q="alice martin") == [trail[0]["id"]]
    assert ids(client, tenant, q="acme") == [trail[6]["id"]]
    assert ids(client, tenant, q="big order") == [trail[1]["id"]]
    assert ids(client, tenant, q="settlement") == [trail[3]["id"]]
    # LIKE wildcards in the query are literal characters
    assert ids(client, tenant, q="100%") == [trail[5]["id"]]
    assert ids(client, tenant, q="timeout_policy") == [trail[5]["id"]]
    assert ids(client, tenant, q="100%x") == []
    # substrings, words in any order, case-insensitive, terms shorter than a trigram
    assert ids(client, tenant, q="ARTIN") == [trail[0]["id"]]
    assert ids(client, tenant, q="order big") == [trail[1]["id"]]
    assert trail[1]["id"] in ids(client, tenant, q="or")


def test_free_text_never_finds_another_tenants_events(client, runtime, tenant, trail, text_plan):
    other = make_tenant(runtime)
    assert ids(client, other, q="alice martin") == []
    assert ids(client, other, q="settlement") == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_gives_its_trigram_index_only_the_rarest_term_of_one_tenant(
    client, runtime, tenant
):
    def order(minute, number):
        return event(
            time=at(minute),
            actor={"id": f"clerk-{number}"},
            targets=[{"type": "order", "id": f"o-{number}", "name": f"Order {number}"}],
        )

    mine = [order(i, 1234 if i in (3, 9) else 500 + i) for i in range(12)]
    other = make_tenant(runtime)
    theirs = [order(20 + i, 1234) for i in range(3)]  # newer, the same text
    for keys, batch in ((tenant, mine), (other, theirs)):
        assert client.post(URL, json=batch, headers=keys.auth("ingest")).status_code == 202
    drain(runtime)

    with runtime.factory() as session:
        rare = query._trigram_plan(session, tenant.id, query.EventFilter(q="order 1234"), None)
        common = query._trigram_plan(session, tenant.id, query.EventFilter(q="order"), None)
    assert rare == query.TrigramPlan("1234")
    assert common == query.TrigramPlan(None)
    assert ids(client, tenant, q="order 1234") == [mine[9]["id"], mine[3]["id"]]
    assert ids(client, tenant, q="1234 ORDER", limit=1) == [mine[9]["id"]]
    assert ids(client, other, q="order 1234") == [e["id"] for e in reversed(theirs)]
    assert ids(client, tenant, q="order", limit=3) == [e["id"] for e in mine[:-4:-1]]


def test_time_window_is_since_inclusive_until_exclusive(client, tenant, trail):
    assert ids(client, tenant, since=at(2), until=at(4)) == [trail[3]["id"], trail[2]["id"]]


def test_filters_combine(client, tenant, trail):
    assert ids(client, tenant, actor="bob", action="trade.*", target="o-1") == [trail[2]["id"]]


def test_keyset_pages_cover_everything_once_and_stay_stable_while_events_arrive(
    client, runtime, tenant, trail
):
    page1 = client.get(URL, params={"limit": 3}, headers=tenant.auth("read")).json()
    assert [e["id"] for e in page1["items"]] == [e["id"] for e in reversed(trail)][:3]
    # New events arrive, newer and older than the page boundary.
    late = [event(time=at(10)), event(time=at(6.5)), event(time=at(2.5))]
    client.post(URL, json=late, headers=tenant.auth("ingest"))
    drain(runtime)
    seen = [e["id"] for e in page1["items"]]
    cursor = page1["next_cursor"]
    while cursor:
        page = client.get(
            URL, params={"limit": 3, "cursor": cursor}, headers=tenant.auth("read")
        ).json()
        seen.extend(e["id"] for e in page["items"])
        cursor = page["next_cursor"]
    # The original events each appear once, in order. Arrivals newer than the page-1
    # boundary stay out of later pages; a back-dated one below it appears in its place.
    expected = [e["id"] for e in reversed(trail)]
    expected.insert(expected.index(trail[3]["id"]) + 1, late[2]["id"])
    assert seen == expected


def test_events_with_the_same_time_paginate_without_loss(client, runtime, tenant):
    same = [event(time=at(30)) for _ in range(7)]
    client.post(URL, json=same, headers=tenant.auth("ingest"))
    drain(runtime)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(URL, params=params, headers=tenant.auth("read")).json()
        seen.extend(e["id"] for e in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(e["id"] for e in same)
    assert len(seen) == 7


def test_last_page_has_no_cursor(client, tenant, trail):
    page = client.get(URL, params={"limit": 8}, headers=tenant.auth("read")).json()
    assert len(page["items"]) == 8
    assert page["next_cursor"] is None


def test_bad_query_parameters_are_4xx_with_the_field(client, tenant, trail):
    cases = [
        ({"limit": 501}, 422, "limit"),
        ({"limit": 0}, 422, "limit"),
        ({"cursor": "garbage!"}, 400, "cursor"),
        ({"since": "yesterday"}, 400, "since"),
        ({"since": at(5), "until": at(1)}, 400, "since"),
        ({"outcome": "maybe"}, 422, "outcome"),
    ]
    for params, status, field in cases:
        r = client.get(URL, params=params, headers=tenant.auth("read"))
        assert r.status_code == status, (params, r.text)
        assert field in r.text


def test_get_unknown_event_is_404_and_bad_id_is_422(client, tenant):
    r = client.get(f"{URL}/{uuid.uuid4()}", headers=tenant.auth("read"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert client.get(f"{URL}/not-a-uuid", headers=tenant.auth("read")).status_code == 422


def test_another_tenant_sees_none_of_the_events(client, runtime, tenant, trail):
    other = make_tenant(runtime)
    assert ids(client, other) == []
    assert ids(client, other, actor="alice") == []
    assert ids(client, other, target="o-1") == []
    r = client.get(f"{URL}/{trail[0]['id']}", headers=other.auth("read"))
    assert r.status_code == 404
    stats = client.get(
        "/api/v1/audit/stats", params={"since": at(0), "until": at(60)}, headers=other.auth("read")
    ).json()
    assert stats["total"] == 0
    assert stats["top_actors"] == []


def test_ingest_key_cannot_read(client, tenant, trail):
    assert client.get(URL, headers=tenant.auth("ingest")).status_code == 403
    assert client.get(f"{URL}/{trail[0]['id']}", headers=tenant.auth("ingest")).status_code == 403
    assert client.get("/api/v1/audit/stats", headers=tenant.auth("ingest")).status_code == 403


def test_stats_counts_per_bucket_and_top_n(client, tenant, trail):
    r = client.get(
        "/api/v1/audit/stats",
        params={"since": at(0), "until": at(10), "bucket": "minute", "top": 2},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["total"] == 8
    assert s["bucket_seconds"] == 60
    assert [b["count"] for b in s["series"]] == [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    assert s["series"][0]["start"] == at(0)
    assert s["top_actors"] == [{"value": "alice", "count": 3}, {"value": "bob", "count": 2}]
    assert s["top_actions"][0] == {"value": "user.login", "count": 2}
    assert s["top_targets"][0] == {"value": "order:o-1", "count": 2}


@pytest.mark.parametrize(
    "params",
    [{}, {"actor": "alice"}, {"target": "o-1"}, {"action": "trade.*"}, {"outcome": "failure"}],
)
def test_stats_top_targets_count_the_targets_of_the_matching_events(client, tenant, trail, params):
    def matches(ev):
        if "actor" in params and ev["actor"]["id"] != params["actor"]:
            return False
        if "action" in params and not ev["action"].startswith("trade."):
            return False
        if "outcome" in params and ev.get("outcome", "success") != params["outcome"]:
            return False
        return "target" not in params or any(t["id"] == "o-1" for t in ev["targets"])

    expected: dict[str, int] = {}
    for ev in filter(matches, trail):
        for t in {(t["type"], t["id"]) for t in ev["targets"]}:
            expected[f"{t[0]}:{t[1]}"] = expected.get(f"{t[0]}:{t[1]}", 0) + 1
    s = client.get(
        "/api/v1/audit/stats",
        params={"since": at(0), "until": at(10), **params},
        headers=tenant.auth("read"),
    ).json()
    assert {t["value"]: t["count"] for t in s["top_targets"]} == expected


def test_stats_read_each_target_row_of_the_window_once(runtime, tenant, trail):
    """The top targets are counted from the window's target rows, each checked against its
    event by key, never an epoch's targets searched once per event (quadratic)."""
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked is SQLite's")
    executed: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        executed.append((statement, parameters))

    flt = query.EventFilter(since=parse_rfc3339(at(0)), until=parse_rfc3339(at(10)), actor="alice")
    with runtime.factory() as session:
        conn = session.connection()
        sa_event.listen(conn, "before_cursor_execute", record)
        query.stats(session, tenant.id, flt)
        sa_event.remove(conn, "before_cursor_execute", record)
        (statement, parameters) = next(
            (st, p)
            for st, p in executed
            if st.lstrip().lower().startswith("select")
            and "event_targets" in st
            and "count(" in st.lower()
        )
        plan = [
            row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        ]
    # Driven from event_targets; each event found by its key, not by (tenant, epoch) alone.
    driving = next(line for line in plan if line.startswith(("SEARCH", "SCAN")))
    assert "event_targets" in driving, plan
    assert any("events" in line and "time=? AND id=?" in line for line in plan), plan


def test_each_bucket_width_counts_into_its_own_buckets(client, tenant, trail):
    """One process asking minute, then hour, then day buckets gets each width's own SQL."""
    totals = {}
    for bucket, width, minutes in (("minute", 60, 10), ("hour", 3600, 120), ("day", 86400, 4320)):
        s = client.get(
            "/api/v1/audit/stats",
            params={"since": at(0), "until": at(minutes), "bucket": bucket},
            headers=tenant.auth("read"),
        ).json()
        assert s["bucket_seconds"] == width
        assert sum(b["count"] for b in s["series"]) == s["total"] == 8, bucket
        totals[bucket] = [b["count"] for b in s["series"] if b["count"]]
    assert len(totals["minute"]) == 8
    assert sum(totals["day"]) == 8
    assert len(totals["day"]) <= 2


def test_stats_respect_filters_and_reject_bad_buckets(client, tenant, trail):
    s = client.get(
        "/api/v1/audit/stats",
        params={"since": at(0), "until": at(10), "action": "trade.*"},
        headers=tenant.auth("read"),
    ).json()
    assert s["total"] == 3
    r = client.get("/api/v1/audit/stats", params={"bucket": "week"}, headers=tenant.auth("read"))
    assert r.status_code == 400
    r = client.get(
        "/api/v1/audit/stats",
        params={"since": "2020-01-01T00:00:00Z", "until": at(0), "bucket": "minute"},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 400


def test_every_event_is_found_by_its_id(client, tenant, trail):
    for ev in trail:
        r = client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read"))
        assert r.status_code == 200
        assert (r.json()["id"], r.json()["action"]) == (ev["id"], ev["action"])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_event_is_read_by_id_through_its_key_not_a_scan_of_the_tenant(runtime, tenant, trail):
    # By id alone the events' key (tenant, time, id) narrows only to the tenant: every
    # lookup would read all of its events.
    stmt = query.event_by_id(tenant.id, uuid.UUID(trail[0]["id"]), sqlite=True)
    with runtime.engine.connect() as conn:
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert any("tenant_id=? AND epoch=? AND time=? AND id=?" in step for step in plan), plan
    assert any("ix_ledger_leaves_event" in step for step in plan), plan


def stats(client, tenant, **params):
    given = {k: v for k, v in params.items() if v is not None}
    return client.get("/api/v1/audit/stats", params=given, headers=tenant.auth("read"))


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (at(0), at(0.5)),
        (at(0.5), iso(T0 + timedelta(hours=200, seconds=30))),
        (at(0), iso(T0 + timedelta(days=200))),
        (at(0), iso(T0 + timedelta(days=201, hours=3))),
        ("2000-01-01T00:00:00Z", at(10)),
        ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
        (None, None),
        ("2000-01-01T00:00:00Z", None),
    ],
)
def test_stats_without_a_bucket_hold_at_most_the_documented_bound(
    client, tenant, trail, since, until
):
    r = stats(client, tenant, since=since, until=until)
    assert r.status_code == 200, r.text
    s = r.json()
    assert 1 <= len(s["series"]) <= query.MAX_BUCKETS == 200
    assert sum(b["count"] for b in s["series"]) == s["total"]
    starts = [datetime.fromisoformat(b["start"].replace("Z", "+00:00")) for b in s["series"]]
    # (The first bucket may be shown from year 1 on, not from its aligned start.)
    steps = {(b - a).total_seconds() for a, b in itertools.pairwise(starts[1:])}
    assert steps <= {s["bucket_seconds"]}
    # The finest width that fits: the next finer one would not.
    width, day = s["bucket_seconds"], 86400
    finer = {60: None, 3600: 60, day: 3600}.get(width, width - day if width > day else day)
    assert width in (60, 3600) or width % day == 0
    if finer is not None:
        window = [datetime.fromisoformat(s[k].replace("Z", "+00:00")) for k in ("since", "until")]
        assert query.bucket_count(*window, finer) > query.MAX_BUCKETS


def test_stats_of_a_window_holding_the_trail_count_every_event(client, tenant, trail):
    for since, until in (("2000-01-01T00:00:00Z", at(10)), ("0001-01-01T00:00:00Z", None)):
        s = stats(client, tenant, since=since, until=until).json()
        assert s["total"] == sum(b["count"] for b in s["series"]) == 8


def test_an_explicit_bucket_too_fine_for_the_window_is_400_naming_bucket(client, tenant, trail):
    midnight = T0.replace(hour=0)
    for bucket, fits, too_long in (
        ("minute", timedelta(minutes=200), timedelta(minutes=201)),
        ("hour", timedelta(hours=200), timedelta(hours=201)),
        ("day", timedelta(days=200), timedelta(days=201)),
    ):
        since = iso(midnight)
        r = stats(client, tenant, since=since, until=iso(midnight + fits), bucket=bucket)
        assert r.status_code == 200, r.text
        assert len(r.json()["series"]) == 200
        r = stats(client, tenant, since=since, until=iso(midnight + too_long), bucket=bucket)
        assert r.status_code == 400, (bucket, r.text)
        assert r.json()["error"]["details"]["field"] == "bucket"


def test_stats_windows_at_the_edges_of_time_are_4xx_or_answered(client, tenant, trail):
    assert stats(client, tenant, until="0001-01-01T06:00:00Z").status_code == 200
    r = stats(client, tenant, since=iso(datetime.now(UTC) + timedelta(days=1)))
    assert r.status_code == 400
    assert r.json()["error"]["details"]["field"] == "since"
    r = stats(client, tenant, top=query.MAX_TOP + 1)
    assert r.status_code == 422


def test_stats_buckets_before_1970_hold_their_own_events(client, runtime, tenant):
    """Bucket indexes are floored on both engines: an event a few seconds before the Unix
    epoch is counted in the minute it happened, not the next one."""
    times = ["1969-12-31T23:58:30Z", "1969-12-31T23:59:30Z", "1970-01-01T00:00:30Z"]
    r = client.post(URL, json=[event(time=t) for t in times], headers=tenant.auth("ingest"))
    assert r.status_code == 202, r.text
    drain(runtime)
    s = client.get(
        "/api/v1/audit/stats",
        params={
            "since": "1969-12-31T23:57:00Z",
            "until": "1970-01-01T00:02:00Z",
            "bucket": "minute",
        },
        headers=tenant.auth("read"),
    ).json()
    assert [(b["start"], b["count"]) for b in s["series"]] == [
        ("1969-12-31T23:57:00Z", 0),
        ("1969-12-31T23:58:00Z", 1),
        ("1969-12-31T23:59:00Z", 1),
        ("1970-01-01T00:00:00Z", 1),
        ("1970-01-01T00:01:00Z", 0),
    ]
