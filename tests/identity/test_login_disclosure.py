"""A login answer tells nothing about who has an account: not by its body, its headers,
its timing, nor by when the lockout starts."""

from __future__ import annotations

import statistics
import time

import pytest

from tests.conftest import make_user

LOGIN = "/api/v1/auth/login"
WRONG = "not-the-password-1"
PER_REQUEST_HEADERS = {"x-request-id", "date"}


@pytest.fixture
def unlimited(runtime):
    """No per-address limit: these tests log in many times from one address."""
    runtime.settings.login_rate_per_ip = 1e6
    runtime.settings.login_burst_per_ip = 1e6
    return runtime


def attempts(runtime, tenant) -> dict[str, dict[str, str]]:
    """One login body per kind of refusal; each names a fresh email."""
    known = make_user(runtime, tenant.name, "analyst")
    disabled = make_user(runtime, tenant.name, "analyst")
    return {
        "wrong password": {"tenant": tenant.name, "email": known.email, "password": WRONG},
        "unknown user": {"tenant": tenant.name, "email": "nobody@example.com", "password": WRONG},
        "unknown tenant": {"tenant": "no-such-tenant", "email": known.email, "password": WRONG},
        "disabled user, right password": {
            "tenant": tenant.name,
            "email": disabled.email,
            "password": disabled.password,
            "_disable": str(disabled.id),
        },
    }


def disable(client, tenant, user_id: str) -> None:
    r = client.patch(f"/api/v1/users/{user_id}", json={"disabled": True}, headers=tenant.auth())
    assert r.status_code == 200, r.text


def prepared(client, runtime, tenant) -> dict[str, dict[str, str]]:
    bodies = attempts(runtime, tenant)
    for body in bodies.values():
        if "_disable" in body:
            disable(client, tenant, body.pop("_disable"))
    return bodies


def visible(response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    headers = sorted((k, v) for k, v in response.headers.items() if k not in PER_REQUEST_HEADERS)
    return response.status_code, tuple(headers), response.content


def test_every_refused_login_gets_the_same_status_headers_and_body(
    client, runtime, tenant, unlimited
):
    bodies = prepared(client, runtime, tenant)
    answers = {kind: visible(client.post(LOGIN, json=body)) for kind, body in bodies.items()}
    assert len(set(answers.values())) == 1, answers
    status, _, content = next(iter(answers.values()))
    assert status == 401
    assert b"invalid credentials" in content
    for word in (b"unknown", b"wrong", b"disabled", b"reason"):
        assert word not in content


def test_every_kind_of_refusal_is_locked_out_after_the_same_number_of_failures(
    client, runtime, tenant, unlimited
):
    bodies = prepared(client, runtime, tenant)
    limit = runtime.settings.login_max_failures
    for attempt in range(limit):  # round robin: every kind's window starts together
        for kind, body in bodies.items():
            assert client.post(LOGIN, json=body).status_code == 401, (kind, attempt)
    locked = {kind: client.post(LOGIN, json=body) for kind, body in bodies.items()}
    assert {kind: r.status_code for kind, r in locked.items()} == dict.fromkeys(bodies, 423)
    assert len({r.json()["error"]["code"] for r in locked.values()}) == 1
    waits = [int(r.headers["Retry-After"]) for r in locked.values()]
    assert max(waits) - min(waits) <= 2, waits


def _median_seconds(client, body: dict[str, str], times: int = 5) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        assert client.post(LOGIN, json=body).status_code == 401
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def test_unknown_accounts_take_as_long_as_a_wrong_password(client, runtime, tenant, unlimited):
    """Each refusal verifies a password hash (against a dummy one when there is no user):
    an unknown account is not answered in a fraction of the time of a known one."""
    runtime.settings.login_max_failures = 1000
    bodies = prepared(client, runtime, tenant)
    _median_seconds(client, bodies["wrong password"], times=1)  # warm up
    medians = {kind: _median_seconds(client, body) for kind, body in bodies.items()}
    known = medians["wrong password"]
    assert all(spent >= 0.5 * known for spent in medians.values()), medians
