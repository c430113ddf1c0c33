"""An account's `endpoint_url` cannot make the server call into its own network (SSRF),
and what an endpoint answers is never echoed to readers of findings beyond a status."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from sealtrail.compliance import service
from sealtrail.compliance.inventory.aws import collect
from sealtrail.compliance.schemas import AccountCreate
from sealtrail.db.tenancy import bind_tenant
from tests.compliance.conftest import LOOPBACK_ALLOWLIST, Moto
from tests.compliance.test_api import BASE, account_body

NOT_PUBLIC = [
    "http://127.0.0.1:4566",
    "http://localhost:4566",  # a name that resolves to loopback
    "http://169.254.169.254/latest/meta-data",  # the cloud metadata service
    "http://10.0.0.5",
    "http://172.16.0.1",
    "http://192.168.1.1:8080",
    "http://100.64.0.1",  # carrier-grade NAT
    "http://0.0.0.0:4566",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://[::1]:4566",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[fd00::1]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
]
SECRET = "INTERNAL-SECRET-7f3a"


@pytest.fixture
def strict(runtime):
    """The operator allowlists nothing."""
    runtime.settings.endpoint_allowlist = ""
    return runtime


def refused_field(response) -> str:
    assert response.status_code == 422, response.text
    return response.json()["error"]["details"][0]["field"]


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_an_endpoint_that_is_not_public_is_refused_naming_endpoint_url(client, tenant, strict, url):
    r = client.post(f"{BASE}/accounts", json=account_body(endpoint_url=url), headers=tenant.auth())
    assert refused_field(r) == "endpoint_url"
    assert client.get(f"{BASE}/accounts", headers=tenant.auth()).json() == []


def test_changing_an_endpoint_to_a_private_address_is_refused(client, tenant, strict):
    assert (
        client.post(f"{BASE}/accounts", json=account_body(), headers=tenant.auth()).status_code
        == 201
    )
    r = client.patch(
        f"{BASE}/accounts/prod",
        json={"endpoint_url": "http://169.254.169.254/"},
        headers=tenant.auth(),
    )
    assert refused_field(r) == "endpoint_url"
    assert client.get(f"{BASE}/accounts/prod", headers=tenant.auth()).json()["endpoint_url"] is None


@pytest.mark.parametrize(
    "url", ["http://user:secret@52.94.236.248", "https://key@52.94.236.248", "ftp://52.94.236.248"]
)
def test_credentials_in_the_endpoint_and_other_schemes_are_refused(client, tenant, strict, url):
    r = client.post(f"{BASE}/accounts", json=account_body(endpoint_url=url), headers=tenant.auth())
    assert refused_field(r) == "endpoint_url"
    assert "secret" not in r.text


def test_a_public_endpoint_is_accepted(client, tenant, strict):
    r = client.post(
        f"{BASE}/accounts",
        json=account_body(endpoint_url="https://52.94.236.248"),
        headers=tenant.auth(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["endpoint_url"] == "https://52.94.236.248"


def test_an_allowlisted_local_endpoint_is_accepted(client, runtime, tenant):
    """The operator allows a local moto or LocalStack with SEALTRAIL_ENDPOINT_ALLOWLIST."""
    assert runtime.settings.endpoint_allowlist == LOOPBACK_ALLOWLIST
    r = client.post(
        f"{BASE}/accounts",
        json=account_body(endpoint_url="http://127.0.0.1:4566"),
        headers=tenant.auth(),
    )
    assert r.status_code == 201, r.text


def test_a_scan_checks_the_endpoint_again_and_fails_naming_it(client, runtime, tenant):
    """Saved while allowed; by the time of the scan the operator no longer allows it."""
    with runtime.factory() as session, session.begin():
        bind_tenant(session, tenant.id)
        body = AccountCreate(**account_body(endpoint_url="http://127.0.0.1:4566"))
        service.create_account(
            session, tenant.id, body, runtime.credential_box, endpoint_allowlist="127.0.0.1"
        )
    runtime.settings.endpoint_allowlist = ""
    r = client.post(f"{BASE}/scans", json={"account": "prod"}, headers=tenant.auth())
    assert r.status_code == 202, r.text
    assert runtime.scan_worker().run_once() == 1
    done = client.get(f"{BASE}/scans/{r.json()['id']}", headers=tenant.auth()).json()
    assert done["status"] == "failed"
    assert done["error"].startswith("endpoint_url refused")
    assert "127.0.0.1" in done["error"]


class _Leaky(http.server.BaseHTTPRequestHandler):
    """An internal service that answers every request with a page full of secrets."""

    status = 403

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = f"<html><body>{SECRET}\nroot:x:0:0</body></html>".encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def leaky() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Leaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_endpoints_error_body_is_never_echoed_in_collection_errors(
    moto: Moto, leaky: str
) -> None:
    inventory = collect(
        moto.spec(regions=("eu-west-1",), endpoint_url=leaky),
        resource_types={"aws.kms.key", "aws.iam.user", "aws.s3.bucket"},
    )
    assert inventory.errors
    for error in inventory.errors:
        assert SECRET not in error.reason, error
        assert "root:x" not in error.reason, error
        assert "\n" not in error.reason
        assert len(error.reason) <= 300
    kms = next(e for e in inventory.errors if e.resource_type == "aws.kms.key")
    assert kms.reason == "403: HTTP 403 answer that is not an AWS error"


def test_credentials_in_an_endpoint_saved_before_are_masked(client, runtime, tenant):
    with runtime.factory() as session, session.begin():
        bind_tenant(session, tenant.id)
        body = AccountCreate(**account_body())
        account = service.create_account(session, tenant.id, body, runtime.credential_box)
        account.endpoint_url = "https://user:hunter2@52.94.236.248"
    shown = client.get(f"{BASE}/accounts/prod", headers=tenant.auth("read")).json()
    assert shown["endpoint_url"] == "https://***@52.94.236.248"
