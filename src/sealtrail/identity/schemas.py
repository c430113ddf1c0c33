"""API shapes for tenants and API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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


class Caller(BaseModel):
    """Who is calling: resolved once per request from the credentials."""

    tenant_id: int
    tenant: str
    key_id: int
    key_prefix: str
    scopes: frozenset[Scope]

    def has(self, scope: Scope) -> bool:
        """Whether the caller holds `scope` (admin holds all)."""
        return scope in self.scopes or Scope.admin in self.scopes
