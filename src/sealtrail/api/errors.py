"""Error handlers: every error leaves as `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sealtrail.api.headers import API_HEADERS
from sealtrail.api.responses import JSON
from sealtrail.errors import SealtrailError

log = structlog.get_logger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}

# Where a parameter came from: reported in `in`, left out of `field`.
_LOCATIONS = ("query", "body", "path", "header", "cookie")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"error": {"code": code, "message": message, "details": details}}


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors, HTTP errors and crashes to the error shape."""

    @app.exception_handler(SealtrailError)
    async def _domain(request: Request, exc: SealtrailError) -> JSON:
        headers = dict(exc.headers)
        if exc.status_code == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        return JSON(exc.to_dict(), status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSON:
        details = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p not in _LOCATIONS),
                "in": err["loc"][0] if err["loc"] else None,
                "reason": str(err["msg"]).removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        return JSON(
            error_body("validation_failed", "request parameters are invalid", details),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSON:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSON(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSON:
        log.exception("request.crashed", path=request.url.path)
        return JSON(
            error_body(
                "internal_error",
                "internal error; the request id in the X-Request-ID header identifies it in logs",
            ),
            status_code=500,
            headers=_crash_headers(),
        )


def _crash_headers() -> dict[str, str]:
    # A crash is answered by Starlette's outermost layer, outside every middleware: the
    # headers they add, the request id above all, are added here.
    headers = dict(API_HEADERS)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if isinstance(request_id, str):
        headers["X-Request-ID"] = request_id
    return headers
