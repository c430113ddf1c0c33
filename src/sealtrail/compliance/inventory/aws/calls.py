"""Calling AWS: the one place where a failed call becomes a `CallFailed`.

Every list, describe and get in the collectors goes through `call`, `call_or_absent`
or `pages`, so a failure always carries the operation ("s3:GetBucketPolicy") and the
reason ("AccessDenied: Access Denied"), whatever went wrong: an error answer after the
retries (throttling included), a timeout, a refused connection, missing credentials,
or an answer that is not shaped as the API documents (`reading_answers`).

A reason is shown to everyone who reads findings, and the endpoint may not be AWS: it
is one line of bounded length (`model.short_reason`), and an error body that is markup
rather than an AWS error gives only its HTTP status.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import unquote

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from sealtrail.compliance.inventory.model import short_reason

T = TypeVar("T")
_XML_ERROR = re.compile(
    r"<Code>(?P<code>[^<]*)</Code>\s*<Message>(?P<message>[^<]*)</Message>", re.DOTALL
)
MALFORMED = "MalformedResponse"
# What reading an answer of an unexpected shape raises: a key missing, a value of
# another type, a document that does not parse.
SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)
_last_call = threading.local()  # the operation a thread called last


class CallFailed(Exception):
    """An AWS call that gave no usable answer."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        code, message = short_reason(code), short_reason(message)
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation  # "service:Operation", e.g. "iam:ListUsers"
        self.code = code  # "AccessDenied", "EndpointConnectionError" ...
        self.message = message
        self.reason = f"{code}: {message}"


@contextmanager
def reading_answers() -> Iterator[None]:
    """Within, an answer of an unexpected shape (a key missing, a wrong type) raises the
    `CallFailed` of the last call this thread made, like any failed call."""
    _last_call.operation = None
    try:
        yield
    except SHAPE_ERRORS as exc:
        operation = getattr(_last_call, "operation", None) or "no call yet"
        raise CallFailed(operation, MALFORMED, _shape_error(exc)) from exc


def _shape_error(exc: Exception) -> str:
    return f"the answer is not shaped as documented ({type(exc).__name__}: {exc})"


def call(client: Any, operation: str, /, **params: Any) -> dict[str, Any]:
    """Call `operation` (its API name, e.g. "ListBuckets"); a failure raises `CallFailed`."""
    with _named_failures(client, operation):
        return cast(dict[str, Any], getattr(client, xform_name(operation))(**params))


def call_or_absent(
    client: Any, operation: str, absent: Iterable[str], /, **params: Any
) -> dict[str, Any] | None:
    """Like `call`, but None when AWS answers with one of the `absent` error codes."""
    try:
        return call(client, operation, **params)
    except CallFailed as failure:
        if failure.code in set(absent):
            return None
        raise


def pages(client: Any, operation: str, items: str, /, **params: Any) -> list[Any]:
    """Every item that the JMESPath `items` selects across all pages of `operation`."""
    paginator = client.get_paginator(xform_name(operation))
    with _named_failures(client, operation):
        return [item for item in paginator.paginate(**params).search(items) if item is not None]


def field_value(unavailable: dict[str, str], field: str, read: Callable[[], T]) -> T | None:
    """`read()`, or None with the failure recorded as `unavailable[field]`."""
    try:
        return read()
    except CallFailed as failure:
        unavailable[field] = str(failure)
        return None


def rfc3339(moment: datetime | None) -> str | None:
    """A timestamp as RFC 3339 in UTC ("2024-05-01T12:00:00Z")."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def policy_document(document: Any) -> Any:
    """A policy document as JSON: IAM may hand it over URL-encoded, S3 as a string."""
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        return json.loads(text)
    return document


@contextmanager
def _named_failures(client: Any, operation: str) -> Iterator[None]:
    # The signing name is the IAM action prefix ("s3" for s3control, "logs", "config").
    label = f"{client.meta.service_model.signing_name}:{operation}"
    _last_call.operation = label
    try:
        yield
    except ClientError as exc:
        raise CallFailed(label, *_error_fields(exc)) from exc
    except BotoCoreError as exc:
        raise CallFailed(label, type(exc).__name__, str(exc)) from exc
    except SHAPE_ERRORS as exc:  # botocore could not parse the answer into its shape
        raise CallFailed(label, MALFORMED, _shape_error(exc)) from exc


def _error_fields(exc: ClientError) -> tuple[str, str]:
    """The error code and message, wherever the endpoint put them.

    AWS answers in the service's protocol; moto answers some JSON services and
    s3control with a query-style XML `<ErrorResponse>`, which botocore leaves as the
    raw body or under "Errors": fish the code out rather than report "403".
    """
    response: dict[str, Any] = dict(exc.response)
    error: dict[str, Any] = response.get("Error") or {}
    if not error.get("Code"):
        error = response.get("Errors", {}).get("Error") or error
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or error.get("message") or "")
    raw = _XML_ERROR.search(message)
    if raw:
        code, message = raw["code"], raw["message"]
    status = str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Unknown"))
    if not code:
        code = status
    if "<" in message:
        # Markup that is no AWS error (an HTML page, say): never echo the target's body.
        message = f"HTTP {status} answer that is not an AWS error"
    return code, message or str(exc)
