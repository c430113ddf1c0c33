"""Self-audit: changes, logins and searches by people land in the tenant's own trail."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from sealtrail.api.app import create_app
from sealtrail.selfaudit.middleware import AuditMiddleware, AuditRecord
from tests.conftest import bearer, drain, event, login, make_user

EVENTS = "/api/v1/audit/events"


def sealtrail_events(client, tenant, **params):
    r = client.get(EVENTS, params={"source": "sealtrail", **params}, headers=tenant.auth("admin"))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_a_change_by_a_person_is_recorded_with_actor_ip_and_user_agent(runtime, tenant):
    with TestClient(create_app(runtime), client=("203.0.113.7", 50000)) as client:
        admin = make_user(runtime, tenant.name, "admin")
        token = login(client, admin)["access_token"]
        r = client.post(
            "/api/v1/keys",
            json={"name": "ci", "scopes": ["ingest"]},
            headers={**bearer(token), "User-Agent": "audit-test/1.0", "X-Request-ID": "req-42"},
        )
        assert r.status_code == 201
        drain(runtime)
        [created] = sealtrail_events(client, tenant, action="sealtrail.api_key.create")
    assert created["outcome"] == "success"
    assert created["actor"]["type"] == "user"
    assert created["actor"]["id"] == str(admin.id)
    assert created["actor"]["name"] == admin.email
    assert created["actor"]["ip"] == "203.0.113.7"
    assert created["actor"]["user_agent"] == "audit-test/1.0"
    assert created["actor"]["session_id"]
    assert created["context"]["request_id"] == "req-42"
    assert created["metadata"]["http"] == {"method": "POST", "path": "/api/v1/keys", "status": 201}
    assert created["source"]["app"] == "sealtrail"
    assert created["tenant"] == tenant.name
    assert created["ledger"]["index"] >= 0


def test_a_refused_change_is_recorded_as_a_failure(client, runtime, tenant):
    auditor = make_user(runtime, tenant.name, "auditor")
    token = login(client, auditor)["access_token"]
    r = client.delete("/api/v1/keys/abc", headers=bearer(token))
    assert r.status_code == 403
    drain(runtime)
    [refused] = sealtrail_events(client, tenant, action="sealtrail.api_key.revoke")
    assert refused["outcome"] == "failure"
    assert refused["metadata"]["http"]["status"] == 403
    assert refused["targets"] == [{"type": "key_ref", "id": "abc"}]


def test_searches_and_exports_by_people_are_recorded_by_keys_not(client, runtime, tenant):
    client.post(EVENTS, json=event(), headers=tenant.auth("ingest"))
    drain(runtime)
    runtime.issue_checkpoints()
    analyst = make_user(runtime, tenant.name, "analyst")
    token = login(client, analyst)["access_token"]
    assert client.get(EVENTS, params={"q": "invoice 77"}, headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/ledger/export", headers=bearer(token)).status_code == 200
    assert (
        client.get(EVENTS, params={"q": "by a key"}, headers=tenant.auth("read")).status_code == 200
    )
    drain(runtime)
    searches = sealtrail_events(client, tenant, action="sealtrail.trail.search")
    assert [s["metadata"]["query"]["q"] for s in searches] == ["invoice 77"]
    assert searches[0]["actor"]["id"] == str(analyst.id)
    assert sealtrail_events(client, tenant, action="sealtrail.ledger.export")
    # The admin key's own reads in this test were not recorded either.
    assert not sealtrail_events(client, tenant, action="sealtrail.http.get")


def test_logins_are_recorded_success_and_failure(client, runtime, tenant):
    person = make_user(runtime, tenant.name, "auditor")
    client.post(
        "/api/v1/auth/login",
        json={"tenant": tenant.name, "email": person.email, "password": "wrong password!"},
    )
    login(client, person)
    drain(runtime)
    logins = sealtrail_events(client, tenant, action="sealtrail.auth.login")
    assert [(e["outcome"], e["metadata"].get("reason")) for e in logins] == [
        ("success", None),
        ("failure", "wrong password"),
    ]


def test_ingest_itself_is_not_recorded_twice(client, runtime, tenant):
    assert client.post(EVENTS, json=event(), headers=tenant.auth("ingest")).status_code == 202
    drain(runtime)
    assert sealtrail_events(client, tenant) == []


def _app(records: list[AuditRecord]) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def authenticate(request: Request, call_next):
        if request.headers.get("x-user"):
            request.state.user = request.headers["x-user"]
        return await call_next(request)

    @app.post("/things/{thing_id}", name="thing.update")
    def update(thing_id: str) -> dict[str, str]:
        return {"ok": thing_id}

    @app.get("/things")
    def read(request: Request) -> list[str]:
        request.state.audit = {"action": "thing.search", "metadata": {"q": "x"}}
        return []

    @app.get("/quiet")
    def quiet() -> str:
        return "not recorded"

    @app.post("/skip")
    def skip(request: Request) -> str:
        request.state.audit_skip = True
        return "skipped"

    @app.post("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    def principal(state):
        user = state.get("user")
        return ("tenant-1", {"type": "user", "id": user}) if user else None

    app.add_middleware(AuditMiddleware, sink=records.append, principal=principal, app_name="shop")
    return app


def test_the_middleware_serves_any_asgi_app():
    records: list[AuditRecord] = []
    client = TestClient(_app(records), raise_server_exceptions=False)
    who = {"x-user": "u1", "user-agent": "t/1"}
    assert client.post("/things/42", headers=who).status_code == 200
    assert client.get("/things", headers=who).status_code == 200
    assert client.get("/quiet", headers=who).status_code == 200
    assert client.post("/skip", headers=who).status_code == 200
    assert client.post("/things/43").status_code == 200  # nobody: no tenant, not recorded
    assert client.post("/boom", headers=who).status_code == 500
    assert [(r.action, r.outcome) for r in records] == [
        ("shop.thing.update", "success"),
        ("shop.thing.search", "success"),
        ("shop.http.post", "failure"),
    ]
    first = records[0]
    assert first.tenant == "tenant-1"
    assert first.targets == [{"type": "thing_id", "id": "42"}]
    assert first.actor == {"type": "user", "id": "u1", "user_agent": "t/1"}
    assert records[1].metadata["q"] == "x"
    assert records[2].metadata["http"]["status"] == 500


def test_a_failing_sink_never_fails_the_call():
    def broken(_record):
        raise OSError("disk full")

    app = _app([])
    app.user_middleware.clear()
    app.add_middleware(
        AuditMiddleware,
        sink=broken,
        principal=lambda state: ("t", {"type": "user", "id": "u"}),
        app_name="shop",
    )
    assert TestClient(app).post("/things/1").status_code == 200
