"""The app's routes by path: which methods a path has, and its path parameters.

The table is flattened from the router (included routers and mounts alike) on first
use, when every route is in place, and serves the middleware that answers before a
route is chosen (`OPTIONS`, `Allow`, the path parameter a refused value belongs to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts
from starlette.routing import Mount, Router, compile_path


@dataclass(frozen=True)
class _Path:
    regex: re.Pattern[str]
    # None for a mount: the mounted app answers for its own methods.
    methods: frozenset[str] | None


class RouteTable:
    """The paths of `router`'s routes, looked up by a request path."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self._paths: list[_Path] | None = None

    def _table(self) -> list[_Path]:
        if self._paths is None:
            paths = []
            for context in iter_route_contexts(self.router.routes):
                path = context.path
                if path is None:
                    continue
                methods = context.methods
                if isinstance(context.original_route, Mount):
                    path, methods = path.rstrip("/") + "/{path:path}", None
                regex, _, _ = compile_path(path)
                paths.append(_Path(regex, frozenset(methods) if methods is not None else None))
            self._paths = paths
        return self._paths

    def methods(self, path: str) -> frozenset[str] | None:
        """Every method of the routes at `path`; None if no route or a mount serves it."""
        found: set[str] = set()
        for entry in self._table():
            if entry.regex.match(path):
                if entry.methods is None:
                    return None
                found |= entry.methods
        return frozenset(found) if found else None

    def params(self, path: str) -> dict[str, str]:
        """The path parameters of the first route whose path matches `path`."""
        for entry in self._table():
            matched = entry.regex.match(path)
            if matched:
                return matched.groupdict()
        return {}
