"""The built web UI served by the API process, from a temporary `dist` directory: files,
client-side routes, caching, security headers, and the API left exactly as it was."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sealtrail.api.app import create_app
from sealtrail.config import Settings
from sealtrail.runtime import Runtime
from sealtrail.webui.static import CONTENT_SECURITY_POLICY
from tests.conftest import bearer, drain, login, make_user

INDEX = '<!doctype html><html><body><div id="root"></div></body></html>'
ASSET = "console.log('sealtrail')"
SECRET = "this file is outside the UI"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """What `make web` builds: index.html, hashed assets, a favicon, and a secret beside it."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-AbC123.js").write_text(ASSET)
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / ".env").write_text(SECRET)
    (tmp_path / "secret.txt").write_text(SECRET)
    os.symlink(tmp_path / "secret.txt", root / "assets" / "link.js")
    return root


def _client(tmp_path: Path, web_dir: Path) -> Iterator[TestClient]:
    runtime = Runtime.build(Settings(data_dir=tmp_path / "data", web_dir=web_dir))
    runtime.migrate()
    with TestClient(create_app(runtime)) as client:
        yield client
    runtime.close()


@pytest.fixture
def ui(tmp_path: Path, dist: Path) -> Iterator[TestClient]:
    """The API serving the temporary UI (SQLite: serving files needs no database)."""
    yield from _client(tmp_path, dist)


def assert_secured(r) -> None:
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_the_content_security_policy_allows_only_this_origin():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
    }


@pytest.mark.parametrize(
    "path", ["/", "/audit", "/audit?actor=alice&q=x%20y", "/compliance/findings/12", "/a/b/c/"]
)
def test_client_side_routes_get_index_html_revalidated(ui, path):
    r = ui.get(path)
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"
    assert_secured(r)


def test_assets_are_files_cached_for_a_year(ui):
    r = ui.get("/assets/index-AbC123.js")
    assert r.status_code == 200
    assert r.text == ASSET
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_secured(r)
    again = ui.get("/assets/index-AbC123.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_a_missing_asset_is_404_not_the_page(ui):
    r = ui.get("/assets/index-gone.js")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert_secured(r)


def test_files_at_the_root_are_served_as_files(ui):
    r = ui.get("/favicon.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg")
    assert r.headers["cache-control"] == "no-cache"
    assert_secured(r)


@pytest.mark.parametrize(
    "path",
    [
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/link.js",  # a symlink out of the directory
        "/.env",
        "/assets/%00.js",
    ],
)
def test_nothing_outside_the_ui_or_hidden_in_it_is_served(ui, path):
    r = ui.get(path)
    assert SECRET not in r.text
    assert r.status_code in (200, 404, 422)  # 422: a NUL, refused for every path
    if r.status_code == 200:
        assert r.text == INDEX


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/nothing", 404),
        ("GET", "/api/", 404),
        ("GET", "/api", 404),
        ("POST", "/api/v1/nothing", 404),
        ("GET", "/api/v1/audit/events/x/y", 404),
        ("DELETE", "/api/v1/audit/events", 405),
        ("GET", "/docs/anything", 404),
        ("GET", "/metrics/x", 404),
        ("GET", "/healthcheck", 404),
        ("GET", "/health/live", 404),
        ("GET", "/readyz/x", 404),
        ("GET", "/redoc/x", 404),
        ("GET", "/openapi.json/x", 404),
        ("POST", "/audit", 404),
        ("PUT", "/", 404),
    ],
)
def test_the_api_keeps_its_own_answers(ui, method, path, status):
    r = ui.request(method, path, headers={"Accept": "text/html"})
    assert r.status_code == status
    assert r.json()["error"]["code"] in ("not_found", "method_not_allowed")
    assert INDEX not in r.text


def test_health_is_the_liveness_probe_under_the_path_load_balancers_use(ui):
    r = ui.get("/health", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_the_api_and_its_docs_still_answer(ui):
    assert ui.get("/healthz").json() == {"status": "ok"}
    assert ui.get("/openapi.json").json()["info"]["title"] == "Sealtrail"
    assert "swagger" in ui.get("/docs").text.lower()
    assert ui.get("/api/v1/audit/events").status_code == 401
    assert "content-security-policy" not in ui.get("/healthz").headers


def test_without_a_build_the_page_says_how_to_build_it(tmp_path):
    for client in _client(tmp_path, tmp_path / "not-built"):
        r = client.get("/")
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("text/html")
        assert "make web" in r.text
        assert_secured(r)
        assert client.get("/audit").status_code == 503
        assert client.get("/api/v1/nothing").status_code == 404
        assert client.get("/healthz").status_code == 200


def test_the_default_directory_is_web_dist_of_the_source_tree(tmp_path, monkeypatch):
    monkeypatch.delenv("SEALTRAIL_WEB_DIR", raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert Settings(data_dir=tmp_path).resolved_web_dir == repo / "web" / "dist"
    monkeypatch.setenv("SEALTRAIL_WEB_DIR", str(tmp_path / "ui"))
    assert Settings(data_dir=tmp_path).resolved_web_dir == tmp_path / "ui"


def test_loading_the_ui_is_not_recorded_by_the_self_audit(runtime, tenant, dist):
    runtime.settings = runtime.settings.model_copy(update={"web_dir": dist})
    with TestClient(create_app(runtime)) as client:
        person = make_user(runtime, tenant.name, "admin")
        token = login(client, person)["access_token"]
        drain(runtime)
        before = _sealtrail_events(client, tenant)
        for path in ("/", "/audit", "/assets/index-AbC123.js", "/favicon.svg", "/nope"):
            assert client.get(path, headers=bearer(token)).status_code in (200, 404)
        drain(runtime)
        assert _sealtrail_events(client, tenant) == before


def _sealtrail_events(client, tenant) -> list[str]:
    r = client.get(
        "/api/v1/audit/events",
        params={"source": "sealtrail", "limit": 500},
        headers=tenant.auth("admin"),
    )
    return [e["id"] for e in r.json()["items"]]
