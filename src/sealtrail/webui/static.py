"""Serving the built web UI (`make web` builds it into `web/dist`).

The UI is the router's fallback, not a set of routes: it answers only GET and HEAD
requests no API route matched, outside the paths the API owns. So it never shadows an
API path, the API's own 404 and 405 answers stay as they were, and it is neither in
the OpenAPI document nor in the route table. It needs no credential (the files are
public; the data comes from the API with the caller's token) and, being a read, the
self-audit never records it.

- `/assets/*`: Vite's content-hashed files, cached for a year (`immutable`);
- any other file of the directory (`/favicon.svg`): the file, revalidated on each use;
- every other path: `index.html`, so that client-side routes survive a reload.

Every answer carries a Content-Security-Policy that allows only this origin (styles
inline too: the component library injects them), refuses framing and sends no referrer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

API_PATHS = ("/api", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sealtrail</title></head>
<body><h1>The Sealtrail web UI is not built</h1>
<p>Run <code>make web</code> in the source tree, or point <code>SEALTRAIL_WEB_DIR</code>
at a built UI, then reload. The API is up: see <a href="/docs">/docs</a>.</p>
</body></html>
"""


def is_api_path(path: str) -> bool:
    """Whether `path` belongs to the API (or its docs and probes), never to the UI."""
    # `/health…` whole: a probe's typo is a JSON 404, not the UI's page.
    return path.startswith("/health") or any(
        path == p or path.startswith(p + "/") for p in API_PATHS
    )


class WebUI:
    """The router's fallback: the UI's files and pages; anything else to `otherwise`."""

    def __init__(self, directory: Path, otherwise: ASGIApp) -> None:
        self.directory = directory
        self.otherwise = otherwise
        self.files = StaticFiles(directory=directory, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or is_api_path(scope["path"])
        ):
            await self.otherwise(scope, receive, send)
            return
        response = await run_in_threadpool(self._response, scope)
        response.headers.update(SECURITY_HEADERS)
        await response(scope, receive, send)

    def _response(self, scope: Scope) -> Response:
        index, index_stat = self._file("index.html")
        if index_stat is None:
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": REVALIDATE})
        path = scope["path"].lstrip("/")
        if path.startswith("assets/"):
            asset, asset_stat = self._file(path)
            if asset_stat is None:
                raise HTTPException(status_code=404, headers=SECURITY_HEADERS)
            response = self.files.file_response(asset, asset_stat, scope)
            response.headers["Cache-Control"] = IMMUTABLE
            return response
        found, found_stat = self._file(path) if path else ("", None)
        if found_stat is None:
            found, found_stat = index, index_stat
        response = self.files.file_response(found, found_stat, scope)
        response.headers["Cache-Control"] = REVALIDATE
        return response

    def _file(self, path: str) -> tuple[str, os.stat_result | None]:
        """A regular file under the directory (never outside it, never a dotfile)."""
        if "\x00" in path or any(part.startswith(".") for part in path.split("/")):
            return "", None
        full, found = self.files.lookup_path(path)
        if found is None or not stat.S_ISREG(found.st_mode):
            return "", None
        return full, found
