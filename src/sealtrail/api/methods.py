"""The methods a path has: the answer to `OPTIONS`, and the `Allow` header of every 405.

Routes are declared one per method, so a route alone knows only its own method (Starlette's
405 names just that one). The route table knows them all. No CORS is configured: a
browser's preflight gets the methods and no `Access-Control-*` grant, so cross-origin
calls stay refused. A CORS middleware, if one is ever added, goes outside this one.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sealtrail.api.paths import RouteTable


class AllowedMethods:
    """Answer `OPTIONS` with `Allow: <every method of the path>`, and correct 405's `Allow`."""

    def __init__(self, app: ASGIApp, *, routes: RouteTable) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            allow = self._allow(scope["path"])
            if allow is not None:
                await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
                return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = self._allow(scope["path"])
                if allow is not None:
                    MutableHeaders(scope=message)["Allow"] = allow
            await send(message)

        await self.app(scope, receive, send_with_allow)

    def _allow(self, path: str) -> str | None:
        """The `Allow` value of `path`; None when no route, a mount, or a route that
        answers `OPTIONS` itself serves it."""
        methods = self.routes.methods(path)
        if methods is None or "OPTIONS" in methods:
            return None
        return ", ".join(sorted(methods | {"OPTIONS"}))
