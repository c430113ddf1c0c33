"""The HTTP edge, for every route alike: body limits, NUL characters, response headers,
the API docs pages, and the methods a path has."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from sealtrail.api.app import create_app
from sealtrail.api.guard import DISCARD_SECONDS
from sealtrail.config import Settings
from sealtrail.runtime import Runtime
from tests.conftest import bearer, event, make_user

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
LOGIN = "/api/v1/auth/login"
INGEST = "/api/v1/audit/events"
NUL_REASON = "NUL characters (\\u0000) are not accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(runtime: Runtime) -> Iterator[str]:
    """The API over `runtime` in a real uvicorn server (in a thread); yields its base URL."""
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=_free_port(), log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start in 30 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def urllib_post(url: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST with Python's urllib, which sends the whole body before it reads the answer."""
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _chunks(total: int, size: int = 65536) -> Iterator[bytes]:
    """A body without Content-Length (sent chunked), of `total` bytes of JSON whitespace."""
    yield b"["
    for _ in range(total // size):
        yield b" " * size
    yield b"]"


# --- body limits ----------------------------------------------------------------------


def test_a_login_body_over_the_limit_is_413_before_it_is_read(client, runtime):
    limit = runtime.settings.max_body_bytes
    body = b'{"tenant": "' + b"a" * limit + b'", "email": "a@b.c", "password": "x"}'
    r = client.post(LOGIN, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "payload_too_large",
        "message": f"body is larger than {limit} bytes",
        "details": {"limit": limit},
    }


def test_a_chunked_body_over_the_limit_is_413(client, runtime, tenant):
    limit = runtime.settings.max_body_bytes
    r = client.post(
        "/api/v1/keys",
        content=_chunks(2 * limit),
        headers={**tenant.auth(), "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["details"] == {"limit": limit}


def test_a_body_within_the_limit_reaches_the_route(client, tenant):
    r = client.post("/api/v1/keys", json={"name": "ci", "scopes": ["read"]}, headers=tenant.auth())
    assert r.status_code == 201, r.text


def test_ingest_keeps_its_own_larger_limit(client, runtime, tenant):
    assert runtime.settings.ingest_max_body_bytes > 2 * runtime.settings.max_body_bytes
    batch = [event(description="x" * 1900) for _ in range(1000)]  # about 2.3 MB
    body = json.dumps(batch).encode()
    assert runtime.settings.max_body_bytes < len(body) < runtime.settings.ingest_max_body_bytes
    r = client.post(
        INGEST, content=body, headers={**tenant.auth("ingest"), "content-type": "application/json"}
    )
    assert r.status_code == 202, r.text


@SQLITE
@pytest.mark.parametrize("sent", ["content-length", "chunked"])
def test_urllib_reads_the_413_of_an_oversized_body_instead_of_a_reset(runtime, tenant, sent):
    """urllib sends `Connection: close` and the whole body before reading: the server reads
    and discards the rest before it closes, or the client sees "connection reset by peer"."""
    size = 24 * 1024 * 1024  # far beyond the kernel's socket buffers
    cases = [
        (LOGIN, {}, runtime.settings.max_body_bytes),
        (INGEST, tenant.auth("ingest"), runtime.settings.ingest_max_body_bytes),
        # Refused before the body is read at all (no credential): still readable.
        (INGEST, {}, None),
    ]
    with served(runtime) as url:
        for path, headers, limit in cases:
            body: Any = b"[" + b" " * size + b"]" if sent == "content-length" else _chunks(size)
            status, answer = urllib_post(url + path, body, headers)
            if limit is None:
                assert status == 401, answer
            else:
                assert status == 413, answer
                assert answer["error"]["code"] == "payload_too_large"
                assert answer["error"]["details"] == {"limit": limit}


@SQLITE
def test_a_client_awaiting_100_continue_gets_the_413_and_sends_nothing(runtime):
    with served(runtime) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(
                b"POST /api/v1/auth/login HTTP/1.1\r\nHost: sealtrail\r\n"
                b"Content-Type: application/json\r\nContent-Length: 50000000\r\n"
                b"Expect: 100-continue\r\n\r\n"
            )
            started = time.monotonic()
            answer = b""
            while chunk := conn.recv(65536):  # the server closes after its answer
                answer += chunk
            # It does not wait for a body that will never come.
            assert time.monotonic() - started < DISCARD_SECONDS / 2
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert b"100 Continue" not in answer
    assert b'"code":"payload_too_large"' in answer


# --- NUL characters ---------------------------------------------------------------------


def _nul_problem(r: Any, field: str, where: str) -> None:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert {"field": field, "in": where, "reason": NUL_REASON} in error["details"], error


def test_a_nul_in_the_login_tenant_is_422_naming_the_field(client):
    r = client.post(LOGIN, json={"tenant": "a\x00b", "email": "a@b.c", "password": "secret"})
    _nul_problem(r, "tenant", "body")


def test_a_nul_in_a_json_body_is_422_naming_the_field_at_any_depth(client, tenant):
    r = client.post(
        "/api/v1/keys", json={"name": "ci\x00", "scopes": ["read"]}, headers=tenant.auth()
    )
    _nul_problem(r, "name", "body")
    r = client.post(
        "/api/v1/users",
        json={"email": "a@b.c", "name": "x\x00", "role": "auditor"},
        headers=tenant.auth(),
    )
    _nul_problem(r, "name", "body")
    r = client.post(
        "/api/v1/keys", json={"name": "ci", "scopes": ["read\x00"]}, headers=tenant.auth()
    )
    _nul_problem(r, "scopes.0", "body")


def test_a_nul_in_a_query_parameter_is_422_naming_it(client, tenant):
    r = client.get("/api/v1/audit/events?actor=al%00ice", headers=tenant.auth("read"))
    _nul_problem(r, "actor", "query")
    r = client.get("/api/v1/audit/stats?source=%00", headers=tenant.auth("read"))
    _nul_problem(r, "source", "query")


def test_the_live_tail_refuses_a_nul_before_it_starts(client, tenant):
    r = client.get("/api/v1/audit/stream?q=x%00", headers=tenant.auth("read"))
    _nul_problem(r, "q", "query")


def test_a_nul_in_a_path_parameter_is_422_naming_it(client, tenant):
    r = client.get("/api/v1/users/a%00b", headers=tenant.auth())
    _nul_problem(r, "user_ref", "path")
    r = client.delete("/api/v1/keys/%00", headers=tenant.auth())
    _nul_problem(r, "key_ref", "path")


def test_an_escaped_backslash_before_u0000_is_no_nul(client, tenant):
    r = client.post(
        "/api/v1/keys",
        content=b'{"name": "ci\\\\u0000", "scopes": ["read"]}',
        headers={**tenant.auth(), "content-type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "ci\\u0000"


def test_ingest_keeps_its_own_nul_answer_with_the_index(client, tenant):
    r = client.post(INGEST, json=[event(), event(action="a\x00")], headers=tenant.auth("ingest"))
    assert r.status_code == 422
    assert [d["index"] for d in r.json()["error"]["details"]] == [1]


# --- response headers ---------------------------------------------------------------


def _no_store(r: Any) -> None:
    assert r.headers["cache-control"] == "no-store", (r.request.url, r.headers)
    assert r.headers["x-content-type-options"] == "nosniff", (r.request.url, r.headers)


def test_every_api_answer_is_no_store_and_nosniff(client, runtime, tenant):
    admin = make_user(runtime, tenant.name, "admin")
    r = client.post(
        LOGIN, json={"tenant": admin.tenant, "email": admin.email, "password": admin.password}
    )
    assert r.status_code == 200
    _no_store(r)
    token = r.json()["access_token"]
    r = client.post("/api/v1/keys", json={"name": "k", "scopes": ["read"]}, headers=bearer(token))
    assert r.status_code == 201
    _no_store(r)
    r = client.post(
        "/api/v1/users", json={"email": "n@b.c", "role": "auditor"}, headers=bearer(token)
    )
    assert r.status_code == 201
    _no_store(r)
    for r in (
        client.get("/api/v1/audit/events", headers=tenant.auth("read")),
        client.get("/api/v1/audit/events"),  # 401
        client.get("/api/v1/nothing"),  # 404
        client.get("/api/v1/audit/events?limit=x", headers=tenant.auth("read")),  # 422
        client.post(LOGIN, content=b" " * (runtime.settings.max_body_bytes + 1)),  # 413
        client.options(INGEST),
        client.get("/healthz"),
        client.get("/openapi.json"),
    ):
        _no_store(r)


def test_a_crash_answer_is_no_store_and_nosniff_and_names_its_request(runtime):
    app = create_app(runtime)

    @app.get("/api/v1/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/crash", headers={"X-Request-ID": "crash-1"})
    assert r.status_code == 500
    _no_store(r)
    assert r.headers["x-request-id"] == "crash-1"


@SQLITE
def test_web_ui_assets_keep_their_caching_and_get_nosniff(tmp_path: Path, runtime):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>x</title>")
    (dist / "assets" / "app-1.js").write_text("1")
    ui = Runtime.build(Settings(data_dir=tmp_path / "ui", web_dir=dist))
    ui.migrate()
    try:
        with TestClient(create_app(ui)) as client:
            asset = client.get("/assets/app-1.js")
            page = client.get("/audit")
    finally:
        ui.close()
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert page.headers["cache-control"] == "no-cache"
    for r in (asset, page):
        assert r.headers["x-content-type-options"] == "nosniff"


# --- the API docs pages -----------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_this_origin_under_a_csp(client, page):
    r = client.get(page)
    assert r.status_code == 200
    html = r.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html
    assert "http://" not in html, html
    assert "https://" not in html, html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    # An inline script runs only when the policy names its hash.
    for script in re.findall(r"<script>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]
    assert client.get("/openapi.json").status_code == 200


# --- methods of a path -------------------------------------------------------------


def _allow(r: Any) -> list[str]:
    return [m.strip() for m in r.headers["allow"].split(",")]


def test_options_lists_every_method_of_the_path(client):
    r = client.options(INGEST)
    assert r.status_code == 204
    assert _allow(r) == ["GET", "OPTIONS", "POST"]
    assert _allow(client.options("/api/v1/keys")) == ["GET", "OPTIONS", "POST"]
    assert _allow(client.options("/api/v1/users/7")) == ["GET", "OPTIONS", "PATCH"]
    assert _allow(client.options("/docs")) == ["GET", "HEAD", "OPTIONS"]


def test_options_on_an_unknown_path_is_404(client):
    r = client.options("/api/v1/nothing")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_a_405_names_every_method_of_the_path(client, tenant):
    r = client.put("/api/v1/keys", headers=tenant.auth())
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
    assert _allow(r) == ["GET", "OPTIONS", "POST"]


def test_a_preflight_gets_no_cors_grant(client):
    """No CORS is configured: a browser's preflight learns the methods, never a grant."""
    r = client.options(
        INGEST,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 204
    assert not any(h.lower().startswith("access-control-") for h in r.headers)
