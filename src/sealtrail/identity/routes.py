"""HTTP routes for API keys of the caller's tenant (admin scope)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sealtrail.api.deps import KeyManager, KeyReader, SessionDep
from sealtrail.identity import service
from sealtrail.identity.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut

router = APIRouter(prefix="/api/v1/keys", tags=["identity"])


@router.get("", response_model=list[ApiKeyOut], summary="List the tenant's API keys")
def list_keys(caller: KeyReader, session: SessionDep) -> Any:
    """Keys of the caller's tenant; secrets are never returned."""
    return service.list_api_keys(session, service.get_tenant(session, caller.tenant))


@router.post(
    "",
    name="api_key.create",
    status_code=201,
    response_model=ApiKeyCreated,
    summary="Create an API key (shown once)",
)
def create_key(body: ApiKeyCreate, caller: KeyManager, session: SessionDep) -> Any:
    """A new key in the caller's tenant; the `key` field is the only copy of the secret."""
    tenant = service.get_tenant(session, caller.tenant)
    return service.create_api_key(session, tenant, body.name, body.scopes)


@router.delete(
    "/{key_ref}", name="api_key.revoke", response_model=ApiKeyOut, summary="Revoke an API key"
)
def revoke_key(key_ref: str, caller: KeyManager, session: SessionDep) -> Any:
    """Revoke by id or prefix; effective on the next request."""
    return service.revoke_api_key(session, service.get_tenant(session, caller.tenant), key_ref)
