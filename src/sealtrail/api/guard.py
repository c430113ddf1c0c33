"""What every request satisfies before a route sees it, and how an early answer is sent.

- **No NUL character** in the path, the query string or a JSON body. PostgreSQL's text
  columns cannot hold one (a 500 there, a stored value on SQLite), so it is refused on
  every engine alike: `422` naming the parameter or field, before any route runs.
- **A body within its limit**: `max_body_bytes` for every route, or the limit of a path
  whose route reads and checks its raw body itself (ingest: its own limit, and its own
  NUL answer with the event's index). Checked on `Content-Length` before anything is
  read, and on the bytes while they arrive (chunked bodies): `413`.
- **An answer sent before the body was read whole** (a 413 here, a 401 of a route that
  did not read it) is readable by every client: the rest of the body is read and
  discarded (at most `DISCARD_BYTES`, for at most `DISCARD_SECONDS`) before the answer
  completes and the connection closes. A client that sends its whole body before it
  reads (Python's urllib, with `Connection: close`) would otherwise see "connection reset
  by peer" instead of the answer, and retry forever.

Why not Starlette's or FastAPI's `max_body_size`: their limiter sits outside our
middleware and refuses every further read, so the remainder cannot be discarded, and
its early answer is plain text outside the error envelope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sealtrail.api.paths import RouteTable
from sealtrail.api.responses import JSON
from sealtrail.errors import PayloadTooLarge, SealtrailError, ValidationFailed

DISCARD_BYTES = 256 * 1024 * 1024
DISCARD_SECONDS = 10.0
NUL_REASON = "NUL characters (\\u0000) are not accepted"


class RequestGuard:
    """Refuse NUL characters and bodies over their limit; make early answers readable."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteTable,
        max_body_bytes: int,
        own_bodies: Mapping[str, int],
    ) -> None:
        self.app = app
        self.routes = routes
        self.max_body_bytes = max_body_bytes
        self.own_bodies = own_bodies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        own_limit = self.own_bodies.get(scope["path"])
        limit = self.max_body_bytes if own_limit is None else own_limit
        exchange = _Exchange(scope, receive, send, limit)
        try:
            _refuse_nul_in_url(scope, self.routes)
            if own_limit is None and exchange.has_body:
                body = await exchange.read_body()
                if body is not None:
                    exchange.replay(_refuse_nul_in_json(body))
        except SealtrailError as exc:
            answer = JSON(exc.to_dict(), status_code=exc.status_code, headers=exc.headers)
            await answer(scope, exchange.receive, exchange.send)
            return
        # A route reading its own body past the limit gets PayloadTooLarge from `receive`,
        # which the app's error handlers answer like any other error.
        await self.app(scope, exchange.receive, exchange.send)


class _Exchange:
    """One request's body, counted against its limit, and its answer, completed only once
    the body has been read whole or given up on."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self._receive = receive
        self._send = send
        self.limit = limit
        headers = Headers(scope=scope)
        self.declared = _content_length(headers)
        self.has_body = bool(self.declared) or "transfer-encoding" in headers
        self.finished = not self.has_body
        # A client awaiting "100 Continue" sends no body once an answer has started (and
        # the server sends no "100 Continue" then): there is nothing to wait for.
        self.awaits_continue = headers.get("expect", "").lower() == "100-continue"
        self.read = 0
        self.replayed: Message | None = None

    async def receive(self) -> Message:
        """The next message of the request, refused once the body passes its limit."""
        if self.replayed is not None:
            message, self.replayed = self.replayed, None
            return message
        if not self.finished and self.declared is not None and self.declared > self.limit:
            raise _too_large(self.limit)
        message = await self._next()
        if self.read > self.limit:
            raise _too_large(self.limit)
        return message

    async def _next(self) -> Message:
        message = await self._receive()
        self.awaits_continue = False
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            self.finished = self.finished or not message.get("more_body", False)
        else:
            self.finished = True  # the client has gone
        return message

    async def read_body(self) -> bytes | None:
        """The whole body (within the limit, else PayloadTooLarge); None if the client left."""
        chunks = []
        while not self.finished:
            message = await self.receive()
            if message["type"] != "http.request":
                # The route sees the client leave, as it would have without us.
                self.replayed = message
                return None
            chunks.append(message.get("body", b""))
        return b"".join(chunks)

    def replay(self, body: bytes) -> None:
        """Hand `body`, already read, to the route as the request's one message."""
        self.replayed = {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: Message) -> None:
        """Send `message`; an answer that completes before the body was read whole waits
        until the rest is discarded, and closes the connection."""
        if self.finished:
            await self._send(message)
        elif message["type"] == "http.response.start":
            MutableHeaders(scope=message)["Connection"] = "close"
            await self._send(message)
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            await self._send({**message, "more_body": True})
            await self._discard_rest()
            await self._send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await self._send(message)

    async def _discard_rest(self) -> None:
        if self.awaits_continue:
            return
        start = self.read
        with anyio.move_on_after(DISCARD_SECONDS):
            while not self.finished and self.read - start < DISCARD_BYTES:
                await self._next()


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"body is larger than {limit} bytes", {"limit": limit})


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _nul_refused(problems: list[dict[str, str]]) -> ValidationFailed:
    return ValidationFailed("request parameters are invalid", problems)


def _shown(name: str) -> str:
    return name.replace("\x00", "\\u0000")


def _refuse_nul_in_url(scope: Scope, routes: RouteTable) -> None:
    problems = []
    path: str = scope["path"]
    if "\x00" in path:
        named = [name for name, value in routes.params(path).items() if "\x00" in value]
        problems += [{"field": name, "in": "path", "reason": NUL_REASON} for name in named]
        if not named:
            problems.append({"field": "", "in": "path", "reason": NUL_REASON})
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        # Decoded as Starlette decodes it for the routes.
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        names = dict.fromkeys(_shown(k) for k, v in pairs if "\x00" in k or "\x00" in v)
        problems += [{"field": name, "in": "query", "reason": NUL_REASON} for name in names]
    if problems:
        raise _nul_refused(problems)


def _refuse_nul_in_json(body: bytes) -> bytes:
    # JSON can carry a NUL only escaped (a raw one is invalid JSON, refused by the parser).
    if b"\\u0000" not in body:
        return body
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return body  # not JSON: the route's parser says what is wrong with it
    fields = list(_nul_fields(document))
    if fields:
        raise _nul_refused([{"field": f, "in": "body", "reason": NUL_REASON} for f in fields])
    return body


def _nul_fields(document: Any) -> Iterator[str]:
    """The dotted path of every string (value or key) holding a NUL, in document order."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                yield path
            continue
        if isinstance(node, dict):
            items = [(str(k), v) for k, v in node.items()]
        elif isinstance(node, list):
            items = [(str(i), v) for i, v in enumerate(node)]
        else:
            continue
        children = []
        for key, value in items:
            child = f"{path}.{_shown(key)}" if path else _shown(key)
            if "\x00" in key:
                yield child
            children.append((child, value))
        stack.extend(reversed(children))
