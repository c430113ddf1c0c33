"""API shapes for tenants and API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Scope(StrEnum):
    """What an API key may do; `admin` implies the others."""

    ingest = "ingest"
    read = "read"
    admin = "admin"


class TenantOut(BaseModel):
    id: int
    name: str
    created_at: datetime


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    scopes: list[Scope] = Field(min_length=1)


class ApiKeyOut(BaseModel):
    id: int
    tenant: str
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret key; shown once, never again.")


class Role(StrEnum):
    """What a person may do in their tenant (see `identity.permissions`)."""

    admin = "admin"
    analyst = "analyst"
    auditor = "auditor"


class Caller(BaseModel):
    """Who is calling: resolved once per request from the credentials.

    An API key carries scopes, a person a role; `identity.permissions.allowed` decides
    from either. `system` is Sealtrail itself (self-audit events).
    """

    model_config = ConfigDict(frozen=True)

    tenant_id: int
    tenant: str
    kind: Literal["api_key", "user", "system"] = "api_key"
    scopes: frozenset[Scope] = frozenset()
    role: Role | None = None
    superadmin: bool = False
    key_id: int | None = None
    key_prefix: str | None = None
    user_id: int | None = None
    email: str | None = None
    token_id: str | None = None
    session_id: str | None = None

    def has(self, scope: Scope) -> bool:
        """Whether an API key caller holds `scope` (admin holds all)."""
        return scope in self.scopes or Scope.admin in self.scopes

    @property
    def is_person(self) -> bool:
        """Whether a person (not a key or Sealtrail itself) is calling."""
        return self.kind == "user"

    @property
    def actor(self) -> dict[str, str]:
        """The audit-event actor this caller stands for."""
        if self.kind == "user":
            return {"type": "user", "id": str(self.user_id), "name": self.email or ""}
        if self.kind == "api_key":
            return {"type": "api_key", "id": self.key_prefix or "", "name": f"key {self.key_id}"}
        return {"type": "system", "id": "sealtrail", "name": "Sealtrail"}
