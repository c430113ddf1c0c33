"""People log in, refresh, log out; brute force is locked out and the lockout is in the trail."""

from __future__ import annotations

import time

import pytest

from sealtrail.identity import passwords
from tests.conftest import bearer, drain, login, make_user

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"


def trail(client, tenant, action_prefix="sealtrail.auth.*"):
    r = client.get(
        "/api/v1/audit/events", params={"action": action_prefix}, headers=tenant.auth("admin")
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_login_gives_a_30_minute_token_that_names_the_user_and_role(client, runtime, tenant):
    person = make_user(runtime, tenant.name, "analyst")
    pair = login(client, person)
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 30 * 60
    assert pair["refresh_token"].startswith("rt_")
    me = client.get(ME, headers=bearer(pair["access_token"])).json()
    assert (me["tenant"], me["role"], me["email"]) == (tenant.name, "analyst", person.email)
    # The token is accepted where the role allows: reading the trail, not managing keys.
    assert (
        client.get("/api/v1/audit/events", headers=bearer(pair["access_token"])).status_code == 200
    )
    assert client.get("/api/v1/keys", headers=bearer(pair["access_token"])).status_code == 403


@pytest.mark.parametrize("role", ["admin", "analyst", "auditor"])
def test_me_lists_exactly_the_permissions_the_routes_grant(client, runtime, tenant, role):
    """The UI hides what `permissions` leaves out; each listed one must really be granted
    and each left out really refused."""
    token = login(client, make_user(runtime, tenant.name, role))["access_token"]
    held = set(client.get(ME, headers=bearer(token)).json()["permissions"])
    probes = {
        "keys.read": ("GET", "/api/v1/keys"),
        "users.read": ("GET", "/api/v1/users"),
        "dlq.read": ("GET", "/api/v1/admin/dlq"),
        "trail.read": ("GET", "/api/v1/audit/events"),
        "compliance.read": ("GET", "/api/v1/compliance/accounts"),
        "tenants.manage": ("GET", "/api/v1/tenants"),
    }
    for permission, (method, path) in probes.items():
        status = client.request(method, path, headers=bearer(token)).status_code
        assert (status != 403) == (permission in held), (role, permission, status)
    if role == "auditor":
        writes = {"keys.manage", "users.manage", "dlq.replay", "compliance.scan"}
        assert not held & writes


def test_wrong_password_unknown_user_and_unknown_tenant_look_the_same(client, runtime, tenant):
    person = make_user(runtime, tenant.name, "admin")
    answers = [
        client.post(
            LOGIN, json={"tenant": tenant.name, "email": person.email, "password": "x" * 14}
        ),
        client.post(
            LOGIN, json={"tenant": tenant.name, "email": "nobody@example.com", "password": "x" * 14}
        ),
        client.post(
            LOGIN, json={"tenant": "no-such-tenant", "email": person.email, "password": "x" * 14}
        ),
    ]
    assert {r.status_code for r in answers} == {401}
    assert {r.json()["error"]["message"] for r in answers} == {"invalid credentials"}


def test_sixth_wrong_password_is_locked_out_and_the_lockout_is_in_the_trail(
    client, runtime, tenant
):
    person = make_user(runtime, tenant.name, "analyst")
    wrong = {"tenant": tenant.name, "email": person.email, "password": "not-the-password"}
    for _ in range(5):
        assert client.post(LOGIN, json=wrong).status_code == 401
    # Sixth attempt inside the window: locked, even with the right password.
    right = {**wrong, "password": person.password}
    r = client.post(LOGIN, json=right)
    assert r.status_code == 423
    assert int(r.headers["Retry-After"]) > 0
    drain(runtime)
    events = trail(client, tenant)
    actions = [(e["action"], e["outcome"]) for e in events]
    assert ("sealtrail.auth.lockout", "success") in actions
    assert actions.count(("sealtrail.auth.login", "failure")) == 6
    lockout = next(e for e in events if e["action"] == "sealtrail.auth.lockout")
    assert lockout["actor"]["id"] == str(person.id)
    assert lockout["source"]["app"] == "sealtrail"
    assert "ledger" in lockout  # self-audit records are in the tamper-evident log too
    refused = [e for e in events if e["action"] == "sealtrail.auth.login"]
    assert refused[0]["metadata"]["reason"] == "account locked"


def test_lockout_ends_after_the_window(client, runtime, tenant):
    # Long enough that the five failures (an argon2 check each) fit in it on a busy box.
    runtime.settings.login_lockout_seconds = 6
    runtime.settings.login_rate_per_ip = runtime.settings.login_burst_per_ip = 1000
    person = make_user(runtime, tenant.name, "analyst")
    wrong = {"tenant": tenant.name, "email": person.email, "password": "not-the-password"}
    for _ in range(5):
        client.post(LOGIN, json=wrong)
    right = {**wrong, "password": person.password}
    assert client.post(LOGIN, json=right).status_code == 423
    deadline = time.monotonic() + 30
    while (status := client.post(LOGIN, json=right).status_code) == 423:
        assert time.monotonic() < deadline, "still locked long after the window"
        time.sleep(0.5)  # poll interval, not a wait for a result
    assert status == 200


def test_refresh_rotates_and_reuse_of_a_rotated_token_revokes_the_session(client, runtime, tenant):
    person = make_user(runtime, tenant.name, "auditor")
    first = login(client, person)
    second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get(ME, headers=bearer(second["access_token"])).status_code == 200
    # The first refresh token is presented again: stolen. The whole family dies.
    replay = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert "already used" in replay.json()["error"]["message"]
    assert client.post(REFRESH, json={"refresh_token": second["refresh_token"]}).status_code == 401
    assert client.get(ME, headers=bearer(second["access_token"])).status_code == 401
    # Another session of the same person is untouched.
    assert client.get(ME, headers=bearer(login(client, person)["access_token"])).status_code == 200
    drain(runtime)
    failures = [
        e
        for e in trail(client, tenant)
        if e["action"] == "sealtrail.auth.refresh" and e["outcome"] == "failure"
    ]
    assert failures
    assert failures[-1]["metadata"]["session_revoked"] is True


def test_unknown_refresh_token_is_401(client):
    assert client.post(REFRESH, json={"refresh_token": "rt_forged"}).status_code == 401


def test_logout_ends_access_and_refresh_tokens_at_once(client, runtime, tenant):
    person = make_user(runtime, tenant.name, "analyst")
    pair = login(client, person)
    assert (
        client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"])).status_code == 204
    )
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}).status_code == 401
    drain(runtime)
    assert any(e["action"] == "sealtrail.auth.logout" for e in trail(client, tenant))


def test_disabling_a_user_ends_their_sessions(client, runtime, tenant):
    admin = make_user(runtime, tenant.name, "admin")
    person = make_user(runtime, tenant.name, "analyst")
    pair = login(client, person)
    token = login(client, admin)["access_token"]
    r = client.patch(f"/api/v1/users/{person.id}", json={"disabled": True}, headers=bearer(token))
    assert r.status_code == 200
    assert r.json()["disabled_at"]
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}).status_code == 401
    r = client.post(
        LOGIN, json={"tenant": tenant.name, "email": person.email, "password": person.password}
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 12"),
        ("password1234", "most common"),
        ("aaaaaaaaaaaaaaaa", "Repeats"),
        ("qwertyuiopasdf", "common"),
    ],
)
def test_password_policy_names_the_reason(password, reason):
    problems = passwords.policy_problems(password)
    assert problems
    assert reason.lower() in problems[0].lower()


def test_password_policy_accepts_a_long_uncommon_passphrase():
    assert passwords.policy_problems("correct horse battery staple") == []
    assert passwords.policy_problems(passwords.generate_password()) == []


def test_passwords_are_stored_as_argon2id(runtime, tenant):
    from sqlalchemy import select

    from sealtrail.identity.models import User

    person = make_user(runtime, tenant.name, "analyst")
    with runtime.factory() as session:
        stored = session.scalar(select(User.password_hash).where(User.id == person.id))
    assert stored.startswith("$argon2id$")
    assert person.password not in stored


def test_admin_manages_users_over_the_api(client, runtime, tenant):
    admin = make_user(runtime, tenant.name, "admin")
    token = bearer(login(client, admin)["access_token"])
    r = client.post(
        "/api/v1/users", json={"email": "New.Person@Example.com", "role": "auditor"}, headers=token
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["email"] == "new.person@example.com"
    assert created["password"]
    weak = client.post(
        "/api/v1/users",
        json={"email": "weak@example.com", "role": "auditor", "password": "password1234"},
        headers=token,
    )
    assert weak.status_code == 422
    assert weak.json()["error"]["details"][0]["field"] == "password"
    dup = client.post(
        "/api/v1/users", json={"email": "new.person@example.com", "role": "analyst"}, headers=token
    )
    assert dup.status_code == 409
    listed = client.get("/api/v1/users", headers=token).json()
    assert {u["email"] for u in listed} >= {admin.email, "new.person@example.com"}
    assert "argon2" not in client.get("/api/v1/users", headers=token).text
    r = client.post(f"/api/v1/users/{created['id']}/reset-password", json={}, headers=token)
    new_password = r.json()["password"]
    assert (
        client.post(
            LOGIN,
            json={
                "tenant": tenant.name,
                "email": "new.person@example.com",
                "password": new_password,
            },
        ).status_code
        == 200
    )
    # An admin cannot lock themselves out.
    r = client.patch(f"/api/v1/users/{admin.id}", json={"role": "analyst"}, headers=token)
    assert r.status_code == 422


def test_first_start_creates_an_admin_user_whose_password_works(empty_runtime):
    from fastapi.testclient import TestClient

    from sealtrail.api.app import create_app
    from sealtrail.identity.bootstrap import bootstrap

    runtime = empty_runtime
    client = TestClient(create_app(runtime))
    first = bootstrap(runtime.factory)
    assert first is not None
    assert first.admin_password
    assert first.admin_key
    r = client.post(LOGIN, json={"email": first.admin_email, "password": first.admin_password})
    assert r.status_code == 200
    assert r.json()["user"]["role"] == "admin"
    assert bootstrap(runtime.factory) is None  # never twice


def test_housekeeping_forgets_failures_past_the_window(client, runtime, tenant):
    from sqlalchemy import func, select

    from sealtrail.identity.models import LoginFailure

    person = make_user(runtime, tenant.name, "analyst")
    wrong = {"tenant": tenant.name, "email": person.email, "password": "not-the-password"}
    for _ in range(2):
        client.post(LOGIN, json=wrong)

    def failures() -> int:
        with runtime.factory() as session:
            return session.scalar(select(func.count()).where(LoginFailure.tenant_id == tenant.id))

    assert failures() == 2
    runtime.prune_identity()
    assert failures() == 2  # still inside the window
    runtime.settings.login_lockout_seconds = 0.001
    time.sleep(0.01)
    assert runtime.prune_identity() >= 2
    assert failures() == 0


def test_logins_are_counted_in_metrics(client, runtime, tenant):
    def count(outcome: str) -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith(f'sealtrail_logins_total{{method="password",outcome="{outcome}"}}'):
                return float(line.split()[-1])
        return 0.0

    person = make_user(runtime, tenant.name, "analyst")
    before = count("failure"), count("success")
    client.post(LOGIN, json={"tenant": tenant.name, "email": person.email, "password": "x" * 12})
    login(client, person)
    assert (count("failure"), count("success")) == (before[0] + 1, before[1] + 1)
