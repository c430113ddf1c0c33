"""Forged, expired, premature and confused tokens are refused (401), never trusted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sealtrail.identity import tokens
from tests.conftest import bearer, login, make_user

ME = "/api/v1/auth/me"
KEYS = "/api/v1/keys"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(client, token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def session(client, runtime, tenant):
    """An analyst's valid token and its claims: the raw material of the forgeries."""
    person = make_user(runtime, tenant.name, "analyst")
    pair = login(client, person)
    return person, pair, claims_of(client, pair["access_token"])


def refused(client, token: str, path: str = ME) -> str:
    r = client.get(path, headers=bearer(token))
    assert r.status_code == 401, (r.status_code, r.text)
    return r.json()["error"]["message"]


def test_a_genuine_token_is_accepted(client, session):
    _, pair, _ = session
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 200


def test_alg_none_is_refused(client, session):
    _, _, claims = session
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({**claims, "role": "admin"}).encode())
    assert "HS256" in refused(client, f"{header}.{payload}.")
    refused(client, f"{header}.{payload}")  # without the empty signature part: malformed


def test_hs256_signed_with_another_secret_is_refused(client, session):
    _, _, claims = session
    forged = jwt.encode({**claims, "role": "admin"}, "another-secret-" * 4, algorithm="HS256")
    assert "signature" in refused(client, forged)


def test_changing_a_claim_breaks_the_signature(client, session):
    _, pair, claims = session
    header, _, signature = pair["access_token"].split(".")
    payload = b64url(json.dumps({**claims, "role": "admin"}).encode())
    assert "signature" in refused(client, f"{header}.{payload}.{signature}")


def test_rs256_and_the_rs256_hs256_confusion_are_refused(client, session):
    _, _, claims = session
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # A token signed with an RSA key the attacker owns.
    assert "HS256" in refused(client, jwt.encode(claims, key, algorithm="RS256"))
    # The classic confusion: HMAC keyed with a public key, as a verifier that trusts the
    # header's algorithm and holds a PEM would check it.
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({**claims, "role": "admin"}).encode())
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert "signature" in refused(client, f"{header}.{payload}.{b64url(mac)}")


def _signed(runtime, claims: dict) -> str:
    return jwt.encode(claims, runtime.jwt_secret, algorithm="HS256")


def test_expired_token_is_refused(client, runtime, session):
    _, _, claims = session
    past = datetime.now(UTC) - timedelta(minutes=31)
    old = {**claims, "iat": int(past.timestamp()), "nbf": int(past.timestamp())}
    old["exp"] = int((past + timedelta(minutes=30)).timestamp())
    assert "expired" in refused(client, _signed(runtime, old))


def test_not_yet_valid_token_is_refused(client, runtime, session):
    _, _, claims = session
    future = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    assert "not valid yet" in refused(client, _signed(runtime, {**claims, "nbf": future}))


def test_token_missing_a_required_claim_is_refused(client, runtime, session):
    _, _, claims = session
    for claim in ("exp", "jti", "sub"):
        partial = {k: v for k, v in claims.items() if k != claim}
        refused(client, _signed(runtime, partial))


def test_token_for_another_audience_or_issuer_is_refused(client, runtime, session):
    _, _, claims = session
    refused(client, _signed(runtime, {**claims, "aud": "someone-else"}))
    refused(client, _signed(runtime, {**claims, "iss": "someone-else"}))


def test_token_of_a_disabled_user_is_refused(client, runtime, tenant, session):
    person, pair, _ = session
    assert (
        client.patch(
            f"/api/v1/users/{person.id}", json={"disabled": True}, headers=tenant.auth("admin")
        ).status_code
        == 200
    )
    assert "disabled" in refused(client, pair["access_token"])


def test_a_signed_token_cannot_move_a_user_into_another_tenant(client, runtime, session):
    """Even with the real secret, the claims must match the user's row."""
    _, _, claims = session
    refused(client, _signed(runtime, {**claims, "tid": claims["tid"] + 1000}))
    refused(client, _signed(runtime, {**claims, "sub": "999999"}))


def test_a_signed_token_naming_a_session_never_issued_is_refused(client, runtime, session):
    """With the real secret, a token is still only as good as the session it names."""
    _, _, claims = session
    refused(client, _signed(runtime, {**claims, "sid": "0" * 32}))
    refused(client, _signed(runtime, {**claims, "sid": ""}))


def test_a_signed_token_naming_another_users_session_is_refused(client, runtime, tenant, session):
    _, _, claims = session
    other = claims_of(
        client, login(client, make_user(runtime, tenant.name, "admin"))["access_token"]
    )
    refused(client, _signed(runtime, {**claims, "sid": other["sid"]}))
    refused(client, _signed(runtime, {**other, "sub": claims["sub"]}))


def test_a_signed_token_naming_an_expired_session_is_refused(client, runtime, session):
    """A session whose refresh token has expired has ended, even if not logged out."""
    _, pair, claims = session
    runtime.settings.refresh_token_days = 1e-9
    fresh = login(client, make_user(runtime, claims["tenant"], "analyst"))
    refused(client, fresh["access_token"])
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 200


def test_the_role_comes_from_the_database_not_from_the_token(client, runtime, session):
    """A token minted for an analyst does not grant admin, whatever its `role` claim says."""
    _, _, claims = session
    promoted = _signed(runtime, {**claims, "role": "admin"})
    assert client.get(KEYS, headers=bearer(promoted)).status_code == 403


def test_the_secret_is_generated_once_with_mode_0600(runtime):
    path = runtime.settings.data_dir / "secrets" / "jwt-secret"
    secret = runtime.jwt_secret
    assert path.exists()
    assert (path.stat().st_mode & 0o777) == 0o600
    assert tokens.load_secret(None, runtime.settings.data_dir) == secret
    assert len(secret) >= 32
