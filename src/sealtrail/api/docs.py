"""The interactive API documentation (`/docs`: Swagger UI, `/redoc`: ReDoc), served whole
by this process: the scripts and styles come from the `fastapi-offline` package, never a
CDN, and each page carries a Content-Security-Policy that lets it load only from this
origin and run only its own inline script (by hash)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = "/docs/assets"
Endpoint = Callable[[Request], Awaitable[HTMLResponse]]
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def content_security_policy(page: str) -> str:
    """The policy of a docs page: this origin only, plus the page's own inline scripts."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    ]
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *hashes]),
            # ReDoc and Swagger UI style their elements inline.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            # ReDoc's search index runs in a worker it makes from a blob.
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def _page(html: HTMLResponse) -> Endpoint:
    """An endpoint answering with `html` under its policy (a new response each time: the
    middleware adds headers to a response's own list)."""
    text = bytes(html.body).decode()
    headers = {
        "Content-Security-Policy": content_security_policy(text),
        "Referrer-Policy": "no-referrer",
    }

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(text, headers=headers)

    return page


def install_docs(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their assets (create `app` with `docs_url=None`,
    `redoc_url=None`: FastAPI's own pages load from a CDN)."""
    openapi_url = app.openapi_url or "/openapi.json"
    swagger = _page(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            # The default validator badge is an image from a third-party host.
            swagger_ui_parameters={"validatorUrl": None},
        )
    )
    redoc = _page(
        get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
    )

    app.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs.assets")
    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
