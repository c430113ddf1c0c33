"""Headers every answer carries: never cached (answers hold secrets: tokens, new keys,
generated passwords, audit data), never MIME-sniffed."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class ResponseHeaders:
    """Add `API_HEADERS` to every answer that does not set them itself (the web UI's files
    keep their own caching)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in API_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
