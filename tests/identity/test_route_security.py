"""Attacks on every route of the API, found by walking the route table.

A new route is covered without editing this file, except to say how to call it: a
route whose path parameter or body this file does not know fails the test, so nobody
can add a route that escapes these checks.

- Every route declares its access through exactly one `permit(...)` or `PUBLIC`.
- Every credential (three API-key scopes, three roles) gets 403 exactly where the
  permission table says no; in particular an auditor gets 403 on every state-changing
  route and an ingest key on every read.
- A caller of tenant B, with every credential it has, cannot read or change tenant A's
  data: routes addressing A's objects answer 404, lists never contain A's data, and A's
  data is unchanged afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from sealtrail.api.deps import Permit, Public
from sealtrail.identity.permissions import Permission
from sealtrail.identity.schemas import Role
from sealtrail.queue import Message
from sealtrail.webui.static import is_api_path
from tests.conftest import bearer, drain, event, login, make_tenant, make_user

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def access_of(route: APIRoute) -> list[Permit | Public]:
    """Every Permit/Public dependency anywhere in the route's dependency tree."""
    found: list[Permit | Public] = []
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Permit | Public):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    unique = {id(x): x for x in found}
    return list(unique.values())


def api_routes(app) -> list[tuple[APIRoute, str]]:
    """Every (route, method) the app serves, included routers flattened."""
    out = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute):
            out.extend((route, method) for method in sorted(route.methods))
    return out


def test_the_walk_covers_every_operation_of_the_openapi_document(client):
    walked = {(method.lower(), route.path) for route, method in api_routes(client.app)}
    documented = {
        (method, path)
        for path, operations in client.app.openapi()["paths"].items()
        for method in operations
    }
    assert documented <= walked
    assert len(walked) > 25


def test_every_route_declares_exactly_one_access_rule(client):
    for route, method in api_routes(client.app):
        rules = access_of(route)
        assert len(rules) == 1, f"{method} {route.path} declares {rules or 'no access rule'}"


@dataclass
class World:
    """Tenant A (the victim) and tenant B (the attacker), each fully equipped."""

    a: Any
    b: Any
    a_event: str
    a_letter: str
    a_victim_user: Any
    a_victim_key: str
    creds_a: dict[str, str]
    creds_b: dict[str, str]
    markers_a: list[str]
    ids: dict[str, str]


def _bury(runtime, tenant_id: int, body: bytes) -> str:
    drain(runtime)  # only the letter to bury is in the queue now
    runtime.queue.publish([Message(body=body, tenant_id=tenant_id)])
    for _ in range(runtime.settings.queue_max_deliveries):
        for d in runtime.queue.receive(100):
            runtime.queue.nack(d, "store failed: boom")
    letters = runtime.queue.dead_letters(tenant_id=tenant_id, limit=100, after=None)
    return next(x.id for x in letters if x.body == body)


def _equip(client, runtime, tenant) -> dict[str, str]:
    creds = {
        "key:admin": tenant.admin,
        "key:read": tenant.read,
        "key:ingest": tenant.ingest,
    }
    for role in Role:
        person = make_user(runtime, tenant.name, role.value)
        creds[f"user:{role.value}"] = login(client, person)["access_token"]
    return creds


@pytest.fixture
def world(client, runtime) -> World:
    a = make_tenant(runtime)
    b = make_tenant(runtime)
    marker = f"secret-of-a-{uuid.uuid4().hex[:8]}"
    a_event = event(action="a.secret.action", description=marker)
    assert (
        client.post("/api/v1/audit/events", json=a_event, headers=a.auth("ingest")).status_code
        == 202
    )
    drain(runtime)
    victim = make_user(
        runtime, a.name, "analyst", email=f"victim-{uuid.uuid4().hex[:6]}@example.com"
    )
    key = client.post(
        "/api/v1/keys", json={"name": "victim", "scopes": ["read"]}, headers=a.auth("admin")
    ).json()
    letter = _bury(runtime, a.id, b'{"dead": "' + marker.encode() + b'"}')
    compliance = _compliance_of(client, runtime, a, marker)
    return World(
        a=a,
        b=b,
        a_event=a_event["id"],
        a_letter=letter,
        a_victim_user=victim,
        a_victim_key=key["prefix"],
        creds_a=_equip(client, runtime, a),
        creds_b=_equip(client, runtime, b),
        markers_a=[
            marker,
            a.name,
            victim.email,
            key["prefix"],
            a_event["id"],
            compliance["account_ref"],
        ],
        ids=compliance,
    )


def _compliance_of(client, runtime, tenant, marker: str) -> dict[str, str]:
    """Tenant A's cloud account, a queued scan, an exception and a finding."""
    from datetime import UTC, datetime, timedelta

    from sealtrail.compliance.models import Finding

    name = f"acct-{uuid.uuid4().hex[:6]}"
    base = "/api/v1/compliance"
    account = client.post(
        f"{base}/accounts", json=_account_body(name), headers=tenant.auth("admin")
    ).json()
    scan = client.post(
        f"{base}/scans",
        json={"account": name, "controls": ["AWS-S3-006"]},
        headers=tenant.auth("admin"),
    ).json()
    exception = client.post(
        f"{base}/exceptions",
        json={
            "account": name,
            "control_id": "AWS-S3-006",
            "resource_pattern": f"arn:aws:s3:::{marker}*",
            "owner": "owner@example.com",
            "reason": marker,
            "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        },
        headers=tenant.auth("admin"),
    ).json()
    now = datetime.now(UTC)
    with runtime.factory() as session, session.begin():
        finding = Finding(
            tenant_id=tenant.id,
            account_ref=account["id"],
            control_id="AWS-S3-006",
            service="s3",
            resource_id=f"arn:aws:s3:::{marker}",
            resource_type="aws.s3.bucket",
            region="eu-west-1",
            status="FAIL",
            result="FAIL",
            severity="medium",
            details=marker,
            evidence={"name": marker},
            first_seen=now,
            last_seen=now,
            last_scan_id=scan["id"],
        )
        session.add(finding)
        session.flush()
        finding_id = finding.id
    return {
        "account_ref": name,
        "scan_id": str(scan["id"]),
        "exception_id": str(exception["id"]),
        "finding_id": str(finding_id),
        "framework_id": "cis-aws-3.0",
        "control_id": "AWS-S3-006",
    }


def _account_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "account_id": "123456789012",
        "regions": ["eu-west-1"],
        "access_keys": {
            "access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        },
    }


def path_of(route: APIRoute, world: World) -> str:
    values = {
        "event_id": world.a_event,
        "key_ref": world.a_victim_key,
        "user_ref": str(world.a_victim_user.id),
        **world.ids,
    }
    path = route.path
    for name in route.param_convertors:
        assert name in values, f"{route.path}: teach this test a value of tenant A for {{{name}}}"
        path = path.replace(f"{{{name}}}", values[name])
    return path


def body_of(route: APIRoute, method: str, world: World) -> Any:
    samples: dict[str, Any] = {
        "/api/v1/audit/events": event(),
        "/api/v1/keys": {"name": "attacker", "scopes": ["admin"]},
        "/api/v1/users": {"email": f"x-{uuid.uuid4().hex[:6]}@example.com", "role": "admin"},
        "/api/v1/users/{user_ref}": {"role": "admin"},
        "/api/v1/users/{user_ref}/reset-password": {"password": "Attacker chose this one 42!"},
        "/api/v1/admin/dlq/replay": {"ids": [world.a_letter]},
        "/api/v1/tenants": {"name": f"t-{uuid.uuid4().hex[:8]}"},
        "/api/v1/auth/login": {"email": "x@example.com", "password": "x" * 12},
        "/api/v1/auth/refresh": {"refresh_token": "rt_x"},
        "/api/v1/compliance/accounts": _account_body(f"b-{uuid.uuid4().hex[:6]}"),
        "/api/v1/compliance/accounts/{account_ref}": {"regions": ["us-east-1"]},
        "/api/v1/compliance/scans": {"account": world.ids["account_ref"]},
        "/api/v1/compliance/exceptions": {
            "account": world.ids["account_ref"],
            "control_id": "*",
            "owner": "attacker@example.com",
            "reason": "mute everything",
            "expires_at": "2099-01-01T00:00:00Z",
        },
    }
    if method not in {"POST", "PUT", "PATCH"}:
        return None
    if route.body_field is None:
        return None
    assert route.path in samples, f"{method} {route.path}: teach this test a request body"
    return samples[route.path]


@dataclass
class Opened:
    """What a stream's caller sees before it hangs up: the status, and the body of a
    refusal (an open stream would not end: its body is not waited for)."""

    status_code: int
    text: str


def is_stream(route: APIRoute) -> bool:
    """Routes that answer with a never-ending Server-Sent Events stream."""
    return "text/event-stream" in route.responses.get(200, {}).get("content", {})


def call(client, route, method, world, token, path=None):
    path = path or path_of(route, world)
    body = body_of(route, method, world)
    if is_stream(route):
        with client.stream(method, path, headers=bearer(token)) as r:
            return Opened(r.status_code, r.read().decode() if r.status_code != 200 else "")
    return client.request(method, path, json=body, headers=bearer(token))


P = Permission
READS = {P.trail_read, P.trail_export, P.ledger_read, P.compliance_read}
# What the issue asks for, written out independently of identity.permissions.TABLE, so
# that a wrong table fails here instead of being trusted.
EXPECTED: dict[str, set[Permission]] = {
    "key:ingest": {P.trail_ingest},
    "key:read": READS,
    "key:admin": set(Permission) - {P.session_self, P.tenants_manage},
    "user:admin": set(Permission) - {P.trail_ingest, P.tenants_manage},
    "user:analyst": READS | {P.session_self, P.compliance_scan, P.compliance_exceptions},
    "user:auditor": READS | {P.session_self},
}


# The routes the web UI was promised, and the permission each was promised under.
PROMISED = {
    ("GET", "/api/v1/audit/stream"): P.trail_read,
    ("GET", "/api/v1/audit/export"): P.trail_export,
    ("GET", "/api/v1/ledger/status"): P.ledger_read,
    ("GET", "/api/v1/compliance/summary"): P.compliance_read,
}


def test_the_routes_of_the_web_ui_need_the_permissions_it_was_promised(client):
    found = {
        (method, route.path): access_of(route)
        for route, method in api_routes(client.app)
        if (method, route.path) in PROMISED
    }
    assert set(found) == set(PROMISED)
    for key, rules in found.items():
        assert [getattr(r, "permission", None) for r in rules] == [PROMISED[key]], key


def test_the_web_ui_is_no_route_and_never_answers_for_the_api(client):
    """The UI is the router's fallback: public, outside the route table and the OpenAPI
    document, and an unknown API path still gets the API's JSON 404."""
    paths = client.app.openapi()["paths"]
    assert all(p.startswith(("/api/", "/health", "/readyz", "/metrics")) for p in paths)
    served = {context.path for context in iter_route_contexts(client.app.routes)}
    assert len(served) > 25
    assert all(is_api_path(path) for path in served), served
    for page in ("/", "/audit", "/compliance/findings/12"):
        r = client.get(page)
        assert r.status_code in (200, 503), page  # 503: the UI is not built here
        assert r.headers["content-type"].startswith("text/html")
    for path in ("/api/v1/nothing", "/api/v1/audit/events/x/y", "/docs/x", "/metrics/x"):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"


# Path parameters naming platform-wide things (the control library), not tenant data.
GLOBAL_PARAMS = {"framework_id", "control_id"}
SELF_DESTRUCTIVE = {("POST", "/api/v1/auth/logout")}  # tested on its own: ends the session


def test_each_credential_is_refused_exactly_where_the_table_says(client, world):
    """403 iff the permission table denies; auditors never write; ingest keys never read."""
    for route, method in api_routes(client.app):
        if (method, route.path) in SELF_DESTRUCTIVE:
            continue
        [rule] = access_of(route)
        if isinstance(rule, Public):
            continue
        for cred, token in world.creds_a.items():
            r = call(client, route, method, world, token, path=path_of(route, world))
            expected_denied = rule.permission not in EXPECTED[cred]
            if cred == "user:auditor" and method in WRITES:
                assert expected_denied, f"the table lets an auditor {method} {route.path}"
            if cred == "key:ingest" and method == "GET":
                assert expected_denied, f"the table lets an ingest key GET {route.path}"
            if expected_denied:
                assert r.status_code == 403, (
                    f"{cred} {method} {route.path}: {r.status_code} {r.text}"
                )
            else:
                assert r.status_code not in (401, 403), f"{cred} {method} {route.path}: {r.text}"


def _snapshot_a(client, runtime, world) -> dict[str, Any]:
    a = world.a
    keys = client.get("/api/v1/keys", headers=a.auth("admin")).json()
    users = client.get("/api/v1/users", headers=a.auth("admin")).json()
    events = client.get(
        "/api/v1/audit/events", params={"source": "trading"}, headers=a.auth("admin")
    ).json()["items"]
    letters = client.get("/api/v1/admin/dlq", headers=a.auth("admin")).json()["items"]
    base = "/api/v1/compliance"
    accounts = client.get(f"{base}/accounts", headers=a.auth("admin")).json()
    exceptions = client.get(f"{base}/exceptions", headers=a.auth("admin")).json()
    found = client.get(f"{base}/findings", headers=a.auth("admin")).json()["items"]
    scans = client.get(f"{base}/scans", headers=a.auth("admin")).json()
    return {
        "accounts": sorted((x["name"], tuple(x["regions"]), x["updated_at"]) for x in accounts),
        "exceptions": sorted((x["id"], x["revoked_at"]) for x in exceptions),
        "findings": sorted((x["id"], x["status"]) for x in found),
        "scans": sorted(x["id"] for x in scans),
        "keys": sorted((k["prefix"], k["revoked_at"], tuple(k["scopes"])) for k in keys),
        "users": sorted((u["email"], u["role"], u["disabled_at"]) for u in users),
        "events": sorted(e["id"] for e in events),
        "letters": sorted(x["id"] for x in letters),
    }


def test_tenant_b_cannot_read_or_change_tenant_a(client, runtime, world):
    before = _snapshot_a(client, runtime, world)
    victim = world.a_victim_user
    for route, method in api_routes(client.app):
        if (method, route.path) in SELF_DESTRUCTIVE:
            continue
        [rule] = access_of(route)
        if isinstance(rule, Public):
            continue
        for cred, token in world.creds_b.items():
            r = call(client, route, method, world, token)
            where = f"tenant B {cred} {method} {route.path}"
            text = r.text
            asked = path_of(route, world) + repr(body_of(route, method, world))
            for marker in world.markers_a:
                if marker in asked:
                    continue  # an error may echo what the attacker sent, nothing more
                assert marker not in text, f"{where} leaked {marker!r}: {text[:300]}"
            if r.status_code in (401, 403):
                continue
            if set(route.param_convertors) - GLOBAL_PARAMS:
                assert r.status_code == 404, f"{where}: {r.status_code} {text[:300]}"
            if route.path == "/api/v1/admin/dlq/replay":
                assert r.json() == {"replayed": 0}, where
    drain(runtime)
    after = _snapshot_a(client, runtime, world)
    assert after == before
    # The victim's password still works: no reset reached it.
    login(client, victim)


def test_a_caller_without_credentials_gets_401_on_every_non_public_route(client, world):
    for route, method in api_routes(client.app):
        [rule] = access_of(route)
        if isinstance(rule, Public):
            continue
        r = client.request(method, path_of(route, world), json=body_of(route, method, world))
        assert r.status_code == 401, f"{method} {route.path}: {r.status_code}"


def test_only_a_superadmin_manages_tenants(client, runtime, world):
    for cred, token in world.creds_a.items():
        assert client.get("/api/v1/tenants", headers=bearer(token)).status_code == 403, cred
    from sealtrail.identity import service, users

    with runtime.factory() as session, session.begin():
        su = users.create_user(
            session,
            service.get_tenant(session, world.b.name),
            "root@example.com",
            Role.admin,
            superadmin=True,
        )
    token = client.post(
        "/api/v1/auth/login",
        json={"tenant": world.b.name, "email": su.email, "password": su.password},
    ).json()["access_token"]
    listed = client.get("/api/v1/tenants", headers=bearer(token)).json()
    assert {world.a.name, world.b.name} <= {t["name"] for t in listed}
    fresh = f"su-{uuid.uuid4().hex[:8]}"
    r = client.post(
        "/api/v1/tenants",
        json={"name": fresh, "admin_email": "first@example.com"},
        headers=bearer(token),
    )
    assert r.status_code == 201
    first = r.json()["admin"]
    assert first["tenant"] == fresh
    assert first["role"] == "admin"
    # The new tenant's admin logs in with the password shown once, into its own tenant.
    theirs = client.post(
        "/api/v1/auth/login",
        json={"tenant": fresh, "email": first["email"], "password": first["password"]},
    )
    assert theirs.status_code == 200
    assert (
        client.post("/api/v1/tenants", json={"name": fresh}, headers=bearer(token)).status_code
        == 409
    )
    # A superadmin is still confined to its own tenant's trail.
    search = client.get(
        "/api/v1/audit/events", params={"q": world.markers_a[0]}, headers=bearer(token)
    )
    assert world.markers_a[0] not in search.text


def test_the_tenant_bound_session_filters_even_an_unfiltered_query(runtime, world):
    """The mechanism itself: a route that forgot its filter still sees only its tenant."""
    from sealtrail.db.tenancy import CrossTenantWrite, bind_tenant
    from sealtrail.events.models import Event
    from sealtrail.identity.models import ApiKey, User

    with runtime.factory() as session:
        bind_tenant(session, world.b.id)
        assert all(e.tenant_id == world.b.id for e in session.scalars(select(Event)))
        assert world.a.id not in {k.tenant_id for k in session.scalars(select(ApiKey))}
    with runtime.factory() as session:
        bind_tenant(session, world.b.id)
        # Joins and subqueries are scoped too.
        rows = session.execute(
            select(User.email).join(ApiKey, ApiKey.tenant_id == User.tenant_id)
        ).all()
        assert world.a_victim_user.email not in {r.email for r in rows}
    with runtime.factory() as session:
        bind_tenant(session, world.b.id)
        session.add(
            ApiKey(tenant_id=world.a.id, name="x", prefix="p" * 12, secret_hash="0", scopes="admin")
        )
        with pytest.raises(CrossTenantWrite):
            session.flush()


def test_every_table_holding_tenant_data_is_tenant_owned():
    """A new table with a tenant_id column cannot escape the mechanism."""
    from sealtrail.db.base import Base
    from sealtrail.db.tenancy import TenantOwned

    for mapper in Base.registry.mappers:
        if "tenant_id" in mapper.columns:
            assert issubclass(mapper.class_, TenantOwned), mapper.class_.__name__


def test_permissions_doc_prints_the_table():
    from pathlib import Path

    from sealtrail.identity.permissions import permission_table_markdown

    doc = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    assert permission_table_markdown() in doc, "regenerate the table in docs/security.md"
    assert all(p.value in doc for p in Permission)
