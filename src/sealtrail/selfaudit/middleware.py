"""A reusable ASGI middleware that turns HTTP calls into audit records.

It knows nothing of Sealtrail: give it a `principal` function that reads who called
from the request state (whatever the app's authentication put there) and a `sink`
that stores a record. What it records:

- every call whose method changes state (POST, PUT, PATCH, DELETE), successful or not;
- any call where the route asked for it by putting a dict (or a list of dicts) under
  `request.state.audit` — for reads worth recording (a search, an export) and for calls
  made before anyone is authenticated (a login), where the dict names the tenant and the
  actor itself. Keys: `action`, `outcome`, `tenant`, `actor`, `targets`, `metadata`;
- nothing when the route set `request.state.audit_skip = True`.

The action is the route's `name` when it is dotted (`api_key.create`), prefixed by
`app_name`; targets default to the path parameters. The record is handed to the sink
after the response has been sent, in a worker thread; a failing sink is logged, never
turned into an error of the call that was already answered.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("sealtrail.selfaudit")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class AuditRecord:
    """One audited call, ready for a sink."""

    tenant: Any
    action: str
    outcome: str
    actor: dict[str, Any]
    time: datetime
    targets: list[dict[str, str]] = field(default_factory=list)
    request_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


Principal = Callable[[dict[str, Any]], "tuple[Any, dict[str, Any]] | None"]
Sink = Callable[[AuditRecord], None]


class AuditMiddleware:
    """Record state-changing and explicitly audited calls (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sink: Sink,
        principal: Principal,
        app_name: str,
        write_methods: frozenset[str] = WRITE_METHODS,
    ) -> None:
        self.app = app
        self.sink = sink
        self.principal = principal
        self.app_name = app_name
        self.write_methods = write_methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        request_id: str | None = None

        async def capture(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for key, value in message.get("headers", ()):
                    if key.lower() == b"x-request-id":
                        request_id = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            records = self._records(scope, status, request_id)
            if records:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._deliver, records)

    def _deliver(self, records: list[AuditRecord]) -> None:
        for record in records:
            try:
                self.sink(record)
            except Exception:  # the call was answered already; keep the record in the log
                log.exception("selfaudit.sink_failed", action=record.action, outcome=record.outcome)

    def _records(self, scope: Scope, status: int, request_id: str | None) -> list[AuditRecord]:
        state: dict[str, Any] = scope.get("state") or {}
        if state.get("audit_skip"):
            return []
        explicit = state.get("audit")
        asked = [explicit] if isinstance(explicit, dict) else list(explicit or [])
        if not asked and scope["method"] in self.write_methods:
            asked = [{}]
        records = []
        for spec in asked:
            record = self._record(scope, state, spec, status, request_id)
            if record is not None:
                records.append(record)
        return records

    def _record(
        self,
        scope: Scope,
        state: dict[str, Any],
        spec: dict[str, Any],
        status: int,
        request_id: str | None,
    ) -> AuditRecord | None:
        tenant, actor = spec.get("tenant"), spec.get("actor")
        if tenant is None or actor is None:
            who = self.principal(state)
            if who is None:
                # Nobody authenticated and the route named no tenant: no trail to write to.
                log.info("selfaudit.unattributed", method=scope["method"], path=scope["path"])
                return None
            tenant = tenant if tenant is not None else who[0]
            actor = actor if actor is not None else who[1]
        actor = dict(actor)
        ip = _client_ip(scope)
        if ip:
            actor.setdefault("ip", ip)
        agent = _header(scope, b"user-agent")
        if agent:
            actor.setdefault("user_agent", agent[:1024])
        route = scope.get("route")
        name = getattr(route, "name", None) or ""
        action = spec.get("action") or (name if "." in name else f"http.{scope['method'].lower()}")
        targets = spec.get("targets")
        if targets is None:
            targets = [
                {"type": key, "id": str(value)[:256]}
                for key, value in (scope.get("path_params") or {}).items()
            ]
        metadata = {
            "http": {
                "method": scope["method"],
                "path": scope["path"][:512],
                "status": status,
            },
            **spec.get("metadata", {}),
        }
        return AuditRecord(
            tenant=tenant,
            action=f"{self.app_name}.{action}",
            outcome=spec.get("outcome") or ("success" if status < 400 else "failure"),
            actor=actor,
            time=datetime.now(UTC),
            targets=targets,
            request_id=request_id,
            metadata=metadata,
        )


def _client_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    if not client:
        return None
    try:
        return str(ipaddress.ip_address(client[0]))
    except ValueError:
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
