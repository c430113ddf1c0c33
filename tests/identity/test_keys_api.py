"""API keys over HTTP: created shown once, listed without secrets, revoked, tenant-scoped."""

from __future__ import annotations

from tests.conftest import event, make_tenant

URL = "/api/v1/keys"


def test_admin_creates_a_key_that_works_and_is_listed_without_secret(client, tenant):
    r = client.post(URL, json={"name": "ci", "scopes": ["ingest"]}, headers=tenant.auth("admin"))
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    assert r.json()["scopes"] == ["ingest"]
    ok = client.post(
        "/api/v1/audit/events", json=event(), headers={"Authorization": f"Bearer {key}"}
    )
    assert ok.status_code == 202
    listed = client.get(URL, headers=tenant.auth("admin")).json()
    assert any(k["name"] == "ci" for k in listed)
    assert key.split("_", 2)[2] not in client.get(URL, headers=tenant.auth("admin")).text


def test_key_creation_validates_its_body(client, tenant):
    r = client.post(URL, json={"name": "x", "scopes": ["root"]}, headers=tenant.auth("admin"))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"].startswith("scopes")
    assert (
        client.post(URL, json={"name": "x", "scopes": []}, headers=tenant.auth("admin")).status_code
        == 422
    )


def test_only_admin_keys_manage_keys(client, tenant):
    for scope in ("ingest", "read"):
        assert client.get(URL, headers=tenant.auth(scope)).status_code == 403
        r = client.post(URL, json={"name": "x", "scopes": ["admin"]}, headers=tenant.auth(scope))
        assert r.status_code == 403


def test_a_tenant_cannot_see_or_revoke_another_tenants_keys(client, runtime, tenant):
    other = make_tenant(runtime)
    theirs = client.get(URL, headers=other.auth("admin")).json()
    ours = client.get(URL, headers=tenant.auth("admin")).json()
    assert {k["prefix"] for k in theirs}.isdisjoint({k["prefix"] for k in ours})
    victim = theirs[0]
    assert (
        client.delete(f"{URL}/{victim['prefix']}", headers=tenant.auth("admin")).status_code == 404
    )
    assert client.delete(f"{URL}/{victim['id']}", headers=tenant.auth("admin")).status_code == 404
    # Still works for its owner.
    assert client.get(URL, headers=other.auth("admin")).status_code == 200


def test_keys_are_revoked_by_an_all_digit_prefix_and_huge_ids_are_404(client, runtime, tenant):
    from sealtrail.identity.models import ApiKey

    created = client.post(
        URL, json={"name": "digits", "scopes": ["read"]}, headers=tenant.auth("admin")
    ).json()
    with runtime.factory() as session, session.begin():
        key = session.get(ApiKey, created["id"])
        key.prefix = "904893991943"  # a prefix is hex: sometimes only decimal digits
    r = client.delete(f"{URL}/904893991943", headers=tenant.auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == created["id"]
    for ref in ("99999999999999999999", "2147483648"):
        assert client.delete(f"{URL}/{ref}", headers=tenant.auth("admin")).status_code == 404
        assert client.get(f"/api/v1/users/{ref}", headers=tenant.auth("admin")).status_code == 404
        assert (
            client.get(
                f"/api/v1/compliance/accounts/{ref}", headers=tenant.auth("admin")
            ).status_code
            == 404
        )
