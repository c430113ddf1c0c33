"""Marking reads of the trail by people for the self-audit record."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from sealtrail.identity.schemas import Caller


def audit_read(request: Request, caller: Caller, action: str, query: dict[str, Any]) -> None:
    """Record this read when a person (not an API key) makes it: searches and exports."""
    if not caller.is_person:
        return
    asked = {k: str(v) for k, v in query.items() if v is not None}
    request.state.audit = {"action": action, "metadata": {"query": asked}}
