"""Single sign-on through a real OpenID provider (oidc-provider on Node.js, tests/oidc_provider).

The provider runs once per test session on a free port. A `Browser` plays the person:
it follows the redirects from our /login to the provider, signs in and consents there,
and takes the provider's redirect back to our callback through the TestClient, which
serves http://testserver, the redirect URI registered with the provider.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr
from sqlalchemy import update

from sealtrail.config import Settings
from sealtrail.db.base import utcnow
from sealtrail.identity import oidc_provider
from sealtrail.identity.models import OidcState
from tests.conftest import TenantKeys, bearer, drain, login, make_tenant, make_user
from tests.e2e.conftest import free_port

PROVIDER_DIR = Path(__file__).parents[1] / "oidc_provider"
CLIENT_ID = "sealtrail-test"
CLIENT_SECRET = "s3cret: with/odd&chars"  # RFC 6749 §2.3.1 form-encoding is exercised
LOGIN = "/api/v1/auth/oidc/login"
CALLBACK = "/api/v1/auth/oidc/callback"
ME = "/api/v1/auth/me"
ACCOUNTS = {
    "alice": {
        "email": "alice@example.com",
        "email_verified": True,
        "name": "Alice Martin",
        "sealtrail_role": "analyst",
    },
    "bob": {"email": "bob@example.com", "email_verified": True, "sealtrail_role": "admin"},
    "carol": {"email": "carol@example.com", "email_verified": True, "name": "Carol"},
    "dave": {"email": "dave@example.com", "email_verified": True, "sealtrail_role": "root"},
    "mallory": {"email": "victim@example.com", "email_verified": False, "sealtrail_role": "admin"},
}


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running OpenID provider; its issuer URL. Fails (never skips) without Node.js."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("the OIDC tests need Node.js 20+ and npm on PATH (tests/oidc_provider)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=PROVIDER_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {PROVIDER_DIR} failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": f"http://testserver{CALLBACK}",
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [node, "server.mjs", str(port)],
            cwd=PROVIDER_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the OpenID provider exited ({proc.returncode}):\n{log.read_text()}")
            try:
                url = f"{issuer}/.well-known/openid-configuration"
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the OpenID provider did not start in 30 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield issuer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def settings(settings: Settings, provider: str) -> Settings:
    """The backend's settings with single sign-on through the test provider, to its own tenant."""
    return settings.model_copy(
        update={
            "oidc_issuer": provider,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_redirect_url": f"http://testserver{CALLBACK}",
            "oidc_tenant": f"sso-{secrets.token_hex(4)}",
        }
    )


@pytest.fixture
def sso(runtime, settings: Settings) -> TenantKeys:
    """The tenant single sign-on users land in."""
    return make_tenant(runtime, settings.oidc_tenant)


class Browser:
    """A person's browser: our app through the TestClient, the provider over HTTP."""

    def __init__(self, app: TestClient) -> None:
        self.app = app
        self.web = httpx.Client(timeout=10)  # its cookie jar is the provider session

    def open(self, url: str) -> httpx.Response:
        """GET `url` without following redirects, on whichever site it names."""
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver"):
            local = urlunsplit(("", "", parts.path, parts.query, ""))
            return self.app.get(local, follow_redirects=False)
        return self.web.get(url, follow_redirects=False)

    def authorize(self, account: str, start: str = LOGIN) -> str:
        """Sign in as `account` at the provider from our `start`; the callback URL it sends."""
        r = self.open(start)
        assert r.status_code == 302, r.text
        for _ in range(20):
            if r.is_redirect:
                target = urljoin(str(r.url), r.headers["location"])
                if urlsplit(target).netloc == "testserver":
                    return target
                r = self.open(target)
                continue
            form = re.search(
                r'<form[^>]*action="([^"]+)"[^>]*>\s*<input type="hidden" name="prompt" '
                r'value="(\w+)"',
                r.text,
            )
            assert form, f"stuck at {r.url}: {r.status_code} {r.text[:500]}"
            action, prompt = form.groups()
            data = {"prompt": prompt}
            if prompt == "login":
                data |= {"login": account, "password": "anything"}
            r = self.web.post(urljoin(str(r.url), html.unescape(action)), data=data)
        raise AssertionError("the provider kept redirecting")

    def sign_in(self, account: str, start: str = LOGIN) -> httpx.Response:
        """The whole login: our callback's answer."""
        return self.open(self.authorize(account, start))


@pytest.fixture
def browser(client: TestClient) -> Iterator[Browser]:
    """A fresh browser (no provider session yet)."""
    b = Browser(client)
    yield b
    b.web.close()


def with_query(url: str, **changes: str) -> str:
    """`url` with some query parameters replaced."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def trail(client: TestClient, tenant: TenantKeys) -> list[dict]:
    r = client.get(
        "/api/v1/audit/events",
        params={"action": "sealtrail.auth.login"},
        headers=tenant.auth("admin"),
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_config_says_whether_single_sign_on_is_offered(client, runtime, provider):
    assert client.get("/api/v1/auth/oidc/config").json() == {
        "enabled": True,
        "issuer": provider,
        "login_url": LOGIN,
    }
    runtime.settings.oidc_issuer = None
    assert client.get("/api/v1/auth/oidc/config").json()["enabled"] is False
    r = client.get(LOGIN, follow_redirects=False)
    assert r.status_code == 404
    assert "SEALTRAIL_OIDC_ISSUER" in r.json()["error"]["message"]


def test_login_redirects_to_the_provider_with_state_nonce_and_pkce(client, sso, provider):
    r = client.get(LOGIN, follow_redirects=False)
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith(f"{provider}/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert query["code_challenge_method"] == ["S256"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["state"][0] != query["nonce"][0]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest


def test_full_login_gives_tokens_with_the_role_of_the_claim(client, sso, browser):
    r = browser.sign_in("alice")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    pair = r.json()
    assert pair["user"]["sso"] is True
    me = client.get(ME, headers=bearer(pair["access_token"]))
    assert me.status_code == 200, me.text
    assert (me.json()["tenant"], me.json()["email"], me.json()["role"]) == (
        sso.name,
        "alice@example.com",
        "analyst",
    )
    # The role works where it should: an analyst reads the trail, does not manage keys.
    assert client.get("/api/v1/audit/events", headers=bearer(pair["access_token"])).is_success
    assert client.get("/api/v1/keys", headers=bearer(pair["access_token"])).status_code == 403
    # Our refresh tokens work for SSO sessions too.
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


def test_a_second_login_maps_to_the_same_user(client, sso):
    first = Browser(client).sign_in("bob").json()
    second = Browser(client).sign_in("bob").json()
    assert first["user"]["id"] == second["user"]["id"]
    assert first["access_token"] != second["access_token"]
    users = client.get("/api/v1/users", headers=sso.auth("admin")).json()
    assert [u["email"] for u in users] == ["bob@example.com"]
    assert users[0]["role"] == "admin"


def test_without_a_valid_role_claim_the_default_role_applies(client, runtime, sso):
    assert Browser(client).sign_in("carol").json()["user"]["role"] == "auditor"
    assert Browser(client).sign_in("dave").json()["user"]["role"] == "auditor"
    runtime.settings.oidc_default_role = "analyst"
    assert Browser(client).sign_in("carol").json()["user"]["role"] == "analyst"


def test_without_a_role_claim_and_no_default_the_login_is_refused(client, runtime, sso):
    runtime.settings.oidc_default_role = None
    r = Browser(client).sign_in("carol")
    assert r.status_code == 403
    assert r.json()["error"]["details"]["reason"] == "no role claim"
    assert "SEALTRAIL_OIDC_DEFAULT_ROLE" in r.json()["error"]["message"]
    assert client.get("/api/v1/users", headers=sso.auth("admin")).json() == []


def test_a_tampered_state_is_refused_and_a_used_state_cannot_be_replayed(client, sso, browser):
    callback = browser.authorize("alice")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    tampered = client.get(with_query(callback, state=state[:-2] + "xx"))
    assert tampered.status_code == 400
    assert tampered.json()["error"]["details"]["reason"] == "unknown state"
    assert client.get(callback).status_code == 200
    replayed = client.get(callback)
    assert replayed.status_code == 400
    assert replayed.json()["error"]["details"]["reason"] == "unknown state"
    assert client.get(with_query(callback, state="")).status_code == 400


def test_a_code_is_useless_with_another_logins_state(client, sso):
    first = Browser(client).authorize("alice")
    second = Browser(client).authorize("alice")
    their_state = parse_qs(urlsplit(second).query)["state"][0]
    # The code was bound to the first login's PKCE verifier: the provider refuses it.
    r = client.get(with_query(first, state=their_state))
    assert r.status_code == 401
    assert r.json()["error"]["details"]["reason"] == "token endpoint: invalid_grant"
    # The state that came with it is used up; the genuine pair still works.
    assert client.get(second).status_code == 400
    assert client.get(first).status_code == 200


def test_a_state_expires_after_ten_minutes(client, runtime, sso, browser):
    callback = browser.authorize("alice")
    with runtime.factory() as session, session.begin():
        session.execute(
            update(OidcState).values(created_at=utcnow() - timedelta(minutes=10, seconds=5))
        )
    r = client.get(callback)
    assert r.status_code == 400
    assert r.json()["error"]["details"]["reason"] == "expired state"


def test_an_id_token_with_another_nonce_is_refused(client, runtime, sso, browser):
    callback = browser.authorize("alice")
    with runtime.factory() as session, session.begin():
        session.execute(update(OidcState).values(nonce="not-the-nonce-sent"))
    r = client.get(callback)
    assert r.status_code == 401
    assert r.json()["error"]["details"]["reason"] == "invalid id token: invalid_claim"


def _forged(issuer: str, alg: str) -> str:
    """An ID token right in every claim, but not signed by the provider's key."""
    kid = httpx.get(f"{issuer}/jwks").json()["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": "alice",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "n",
        "email": "alice@example.com",
        "sealtrail_role": "admin",
    }
    if alg == "none":
        header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"%s"}' % kid.encode())
        body = base64.urlsafe_b64encode(json.dumps(claims).encode())
        return f"{header.decode().rstrip('=')}.{body.decode().rstrip('=')}."
    key = RSAKey.generate_key(2048, parameters={"kid": kid})
    return jwt.encode({"alg": alg, "kid": kid}, claims, key)


@pytest.mark.parametrize(
    ("alg", "error"), [("RS256", "bad_signature"), ("none", "unsupported_algorithm")]
)
def test_an_id_token_not_signed_by_the_provider_is_refused(provider, alg, error):
    with pytest.raises(oidc_provider.ProviderRefused) as refused:
        oidc_provider.provider_for(provider).validate_id_token(
            _forged(provider, alg), client_id=CLIENT_ID, nonce="n", access_token="a"
        )
    assert refused.value.reason == f"invalid id token: {error}"


def test_an_issuer_mix_up_is_refused(client, sso, browser):
    callback = browser.authorize("alice")
    r = client.get(with_query(callback, iss="http://127.0.0.1:1/other"))
    assert r.status_code == 400
    assert r.json()["error"]["details"]["reason"] == "wrong issuer"
    another = Browser(client).authorize("alice")
    r = client.get(with_query(another, iss=""))
    assert r.status_code == 400
    assert r.json()["error"]["details"]["reason"] == "missing issuer"


def test_a_disabled_user_is_refused(client, sso):
    pair = Browser(client).sign_in("alice").json()
    r = client.patch(
        f"/api/v1/users/{pair['user']['id']}", json={"disabled": True}, headers=sso.auth("admin")
    )
    assert r.status_code == 200, r.text
    refused = Browser(client).sign_in("alice")
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["reason"] == "user disabled"
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 401


def test_an_existing_user_is_linked_by_verified_email(client, runtime, sso):
    person = make_user(runtime, sso.name, "auditor", email="alice@example.com")
    pair = Browser(client).sign_in("alice").json()
    assert pair["user"]["id"] == person.id
    assert (pair["user"]["sso"], pair["user"]["role"]) == (True, "analyst")
    login(client, person)  # the password still works


def test_an_unverified_email_is_not_linked_to_an_existing_user(client, runtime, sso):
    victim = make_user(runtime, sso.name, "auditor", email="victim@example.com")
    r = Browser(client).sign_in("mallory")
    assert r.status_code == 403
    assert r.json()["error"]["details"]["reason"] == "email not verified"
    users = client.get("/api/v1/users", headers=sso.auth("admin")).json()
    assert [(u["id"], u["role"], u["sso"]) for u in users] == [(victim.id, "auditor", False)]


def test_redirect_to_receives_the_tokens_in_the_fragment(client, sso, browser):
    r = browser.sign_in("alice", start=f"{LOGIN}?redirect_to=/trail?view=recent")
    assert r.status_code == 302
    path, _, fragment = r.headers["location"].partition("#")
    assert path == "/trail?view=recent"
    tokens = {k: v[0] for k, v in parse_qs(fragment).items()}
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert client.get(ME, headers=bearer(tokens["access_token"])).json()["role"] == "analyst"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil", "x"])
def test_redirect_to_must_stay_on_this_site(client, sso, target):
    r = client.get(LOGIN, params={"redirect_to": target}, follow_redirects=False)
    assert r.status_code == 400


def logins_counted(client: TestClient) -> tuple[float, float]:
    """sealtrail_logins_total of single sign-on: (successes, failures)."""
    found = {"success": 0.0, "failure": 0.0}
    for line in client.get("/metrics").text.splitlines():
        for outcome in found:
            if line.startswith(f'sealtrail_logins_total{{method="oidc",outcome="{outcome}"}}'):
                found[outcome] = float(line.split()[-1])
    return found["success"], found["failure"]


def test_logins_are_in_the_tenants_trail_and_counted(client, runtime, sso):
    before = logins_counted(client)
    user = Browser(client).sign_in("alice").json()["user"]
    client.patch(f"/api/v1/users/{user['id']}", json={"disabled": True}, headers=sso.auth("admin"))
    assert Browser(client).sign_in("alice").status_code == 403
    assert logins_counted(client) == (before[0] + 1, before[1] + 1)
    drain(runtime)
    events = trail(client, sso)
    by_outcome = {e["outcome"]: e for e in events}
    assert set(by_outcome) == {"success", "failure"}
    success, failure = by_outcome["success"], by_outcome["failure"]
    assert success["action"] == "sealtrail.auth.login"
    assert success["source"]["app"] == "sealtrail"
    assert success["actor"]["id"] == str(user["id"])
    assert success["metadata"]["method"] == "oidc"
    assert success["metadata"]["provisioned"] is True
    assert failure["actor"]["id"] == str(user["id"])
    assert (failure["metadata"]["method"], failure["metadata"]["reason"]) == (
        "oidc",
        "user disabled",
    )


def test_no_default_role_can_be_set_from_the_environment(monkeypatch):
    for value in ("none", "", "None"):
        monkeypatch.setenv("SEALTRAIL_OIDC_DEFAULT_ROLE", value)
        assert Settings().oidc_default_role is None
    monkeypatch.setenv("SEALTRAIL_OIDC_DEFAULT_ROLE", "analyst")
    assert Settings().oidc_default_role == "analyst"
    monkeypatch.setenv("SEALTRAIL_OIDC_DEFAULT_ROLE", "root")
    with pytest.raises(ValueError, match="oidc_default_role"):
        Settings()
