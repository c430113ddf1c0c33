"""The exception hierarchy; the API maps each to `{"error": {code, message, details}}`."""

from __future__ import annotations

from typing import Any


class SealtrailError(Exception):
    """Base of every error Sealtrail raises on purpose."""

    status_code = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        details: Any = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        """The error body shared by every API error."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(SealtrailError):
    status_code = 400
    code = "bad_request"


class Unauthorized(SealtrailError):
    status_code = 401
    code = "unauthorized"


class Forbidden(SealtrailError):
    status_code = 403
    code = "forbidden"


class NotFound(SealtrailError):
    status_code = 404
    code = "not_found"


class Conflict(SealtrailError):
    status_code = 409
    code = "conflict"


class Locked(SealtrailError):
    status_code = 423
    code = "locked"


class RateLimited(SealtrailError):
    status_code = 429
    code = "rate_limited"


class PayloadTooLarge(SealtrailError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(SealtrailError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(SealtrailError):
    status_code = 422
    code = "validation_failed"


class Unavailable(SealtrailError):
    status_code = 503
    code = "unavailable"


class QueryTimeout(Unavailable):
    """A read ran past its time budget (`SEALTRAIL_READ_TIMEOUT_SECONDS`)."""

    code = "query_timeout"


class ConfigurationError(SealtrailError):
    code = "configuration_error"
