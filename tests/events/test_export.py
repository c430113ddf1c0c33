"""Exporting the trail (`GET /api/v1/audit/export`) as NDJSON and CSV, on SQLite and
PostgreSQL: every matching event, in the search's order, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from sealtrail.events import export, query
from tests.conftest import bearer, drain, event, iso, login, make_tenant, make_user

EXPORT = "/api/v1/audit/export"
EVENTS = "/api/v1/audit/events"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return iso(T0 + timedelta(minutes=minutes))


@pytest.fixture
def trail(client, runtime, tenant):
    """Seven events a minute apart; one has two targets that both match `o-1`."""
    events = [
        event(time=at(0), action="user.login", targets=[], description="morning login"),
        event(
            time=at(1),
            action="trade.order.create",
            targets=[{"type": "order", "id": "o-1"}, {"type": "order-copy", "id": "o-1"}],
        ),
        event(time=at(2), action="trade.order.approve", actor={"id": "bob"}, outcome="failure"),
        event(time=at(3), action="trade.settle", source={"app": "batch"}),
        event(time=at(4), action="kyc.check", description="Nightly run"),
        event(time=at(5), action="user.logout", targets=[]),
        event(time=at(6), action="trade.order.create"),
    ]
    r = client.post(EVENTS, json=events, headers=tenant.auth("ingest"))
    assert r.status_code == 202, r.text
    drain(runtime)
    return events


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of three, so that a short trail still crosses page boundaries."""
    monkeypatch.setattr(query, "MAX_LIMIT", 3)


def searched(client, tenant, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        extra = {"limit": query.MAX_LIMIT, **({"cursor": cursor} if cursor else {})}
        page = client.get(EVENTS, params={**params, **extra}, headers=tenant.auth("read")).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def ndjson(client, tenant, **params) -> list[dict]:
    r = client.get(EXPORT, params={"format": "ndjson", **params}, headers=tenant.auth("read"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-ndjson"
    assert r.text.endswith("\n") or r.text == ""
    return [orjson.loads(line) for line in r.text.splitlines()]


def test_ndjson_is_every_event_exactly_as_the_search_returns_it_newest_first(
    client, tenant, trail, small_pages
):
    exported = ndjson(client, tenant)
    assert [e["id"] for e in exported] == [e["id"] for e in reversed(trail)]
    assert exported == searched(client, tenant)
    assert all(e["ledger"]["leaf_hash"] for e in exported)


@pytest.mark.parametrize(
    "params",
    [
        {"action": "trade.*"},
        {"target": "o-1"},
        {"actor": "bob", "outcome": "failure"},
        {"source": "batch"},
        {"q": "NIGHTLY"},
        {"since": at(2), "until": at(5)},
        {"action": "trade.*", "since": at(1), "q": "order"},
    ],
)
def test_the_export_filters_as_the_search_does(client, tenant, trail, small_pages, params):
    exported = ndjson(client, tenant, **params)
    assert exported
    assert [e["id"] for e in exported] == [e["id"] for e in searched(client, tenant, **params)]


def test_limit_keeps_the_newest(client, tenant, trail, small_pages):
    assert [e["id"] for e in ndjson(client, tenant, limit=4)] == [
        e["id"] for e in reversed(trail[-4:])
    ]


def test_csv_has_one_row_per_event_with_the_promised_columns(client, runtime, tenant):
    sent = event(
        category="trading",
        actor={"type": "user", "id": "u-1", "name": "Ann", "ip": "198.51.100.4"},
        targets=[{"type": "order", "id": "o-9"}, {"type": "account", "id": "a-1"}],
        source={"app": "shop", "service": "api", "environment": "prod"},
        context={"request_id": "req-7"},
        description="Order placed, with a comma",
        metadata={"amount": 12, "currency": "EUR"},
    )
    client.post(EVENTS, json=sent, headers=tenant.auth("ingest"))
    drain(runtime)
    r = client.get(EXPORT, params={"format": "csv"}, headers=tenant.auth("read"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="sealtrail-events-\d{8}T\d{6}Z\.csv"',
        r.headers["content-disposition"],
    )
    [row] = list(csv.DictReader(io.StringIO(r.text)))
    [stored] = searched(client, tenant)
    assert row == {
        "time": sent["time"],
        "id": sent["id"],
        "action": "trade.order.create",
        "category": "trading",
        "outcome": "success",
        "actor_type": "user",
        "actor_id": "u-1",
        "actor_name": "Ann",
        "actor_ip": "198.51.100.4",
        "targets": "order:o-9; account:a-1",
        "source_app": "shop",
        "source_service": "api",
        "source_environment": "prod",
        "description": "Order placed, with a comma",
        "request_id": "req-7",
        "received_at": stored["received_at"],
        "ledger_index": "0",
        "metadata": '{"amount":12,"currency":"EUR"}',
    }


def test_csv_cells_never_run_as_spreadsheet_formulas(client, runtime, tenant):
    attacks = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    sent = [
        event(
            actor={"id": attack, "name": attack},
            description=attack,
            targets=[{"type": "t", "id": "x", "name": attack}],
            source={"app": "app", "service": attack[:100]},
        )
        for attack in attacks
    ]
    client.post(EVENTS, json=sent, headers=tenant.auth("ingest"))
    drain(runtime)
    text = client.get(EXPORT, params={"format": "csv"}, headers=tenant.auth("read")).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(attacks)
    for row in rows:
        for name in ("actor_id", "actor_name", "description", "source_service"):
            assert row[name][0] == "'", (name, row[name])
            assert row[name][1:] in attacks
    assert {row["description"][1:] for row in rows} == set(attacks)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"format": "xml"}, 422, "format"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 1_000_001}, 422, "limit"),
        ({"since": "yesterday"}, 400, "since"),
        ({"until": "2026-13-01T00:00:00Z"}, 400, "until"),
        ({"since": at(5), "until": at(1)}, 400, "since"),
        ({"outcome": "maybe"}, 422, "outcome"),
        ({"q": "x" * 201}, 422, "q"),
    ],
)
def test_bad_parameters_are_4xx_with_field_and_reason(client, tenant, params, status, field):
    r = client.get(EXPORT, params=params, headers=tenant.auth("read"))
    assert r.status_code == status, r.text
    details = r.json()["error"]["details"]
    problem = details[0] if isinstance(details, list) else details
    assert problem["field"] == field
    assert problem.get("reason") or r.json()["error"]["message"]


def test_another_tenant_exports_none_of_the_events(client, runtime, tenant, trail):
    other = make_tenant(runtime)
    assert ndjson(client, other) == []
    assert ndjson(client, other, target="o-1") == []
    text = client.get(EXPORT, params={"format": "csv"}, headers=other.auth("read")).text
    assert text.splitlines() == [",".join(export.CSV_COLUMNS)]  # the header alone


def test_only_exporters_may_export(client, tenant):
    assert client.get(EXPORT).status_code == 401
    r = client.get(EXPORT, headers=tenant.auth("ingest"))
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"required_permission": "trail.export"}


def test_an_export_by_a_person_is_in_the_trail_one_by_a_key_is_not(client, runtime, tenant):
    auditor = make_user(runtime, tenant.name, "auditor")
    token = login(client, auditor)["access_token"]
    r = client.get(EXPORT, params={"format": "csv", "q": "refund"}, headers=bearer(token))
    assert r.status_code == 200
    assert client.get(EXPORT, params={"q": "by key"}, headers=tenant.auth("read")).is_success
    drain(runtime)
    records = searched(client, tenant, action="sealtrail.trail.export")
    assert len(records) == 1
    assert records[0]["actor"]["id"] == str(auditor.id)
    assert records[0]["metadata"]["query"]["format"] == "csv"
    assert records[0]["metadata"]["query"]["q"] == "refund"
