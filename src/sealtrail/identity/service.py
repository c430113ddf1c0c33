"""Tenants and API keys: creation, listing, revocation and authentication."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sealtrail.db.base import as_row_id, utcnow
from sealtrail.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from sealtrail.identity.models import ApiKey, Tenant
from sealtrail.identity.schemas import ApiKeyCreated, ApiKeyOut, Caller, Scope, TenantOut

TENANT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
KEY_PREFIX = "st"
PREFIX_LENGTH = 12


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_tenant(session: Session, name: str) -> TenantOut:
    """Create a tenant; names are lowercase letters, digits and dashes."""
    if not TENANT_NAME.fullmatch(name):
        raise ValidationFailed(
            f"invalid tenant name {name!r}",
            [{"field": "name", "reason": "lowercase letters, digits and '-', at most 63"}],
        )
    tenant = Tenant(name=name)
    try:
        with session.begin_nested():
            session.add(tenant)
    except IntegrityError:
        raise Conflict(f"tenant {name!r} already exists", {"name": name}) from None
    return _tenant_out(tenant)


def list_tenants(session: Session) -> list[TenantOut]:
    """Every tenant, by name."""
    return [_tenant_out(t) for t in session.scalars(select(Tenant).order_by(Tenant.name))]


def get_tenant(session: Session, name: str) -> Tenant:
    """The tenant called `name`, or NotFound."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        raise NotFound(f"no tenant named {name!r}", {"tenant": name})
    return tenant


def count_tenants(session: Session) -> int:
    """How many tenants exist (a small table)."""
    return len(session.scalars(select(Tenant.id)).all())


def create_api_key(
    session: Session, tenant: Tenant, name: str, scopes: Sequence[Scope]
) -> ApiKeyCreated:
    """Create a key; the secret is returned once and only its hash is kept."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        tenant_id=tenant.id,
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=",".join(sorted({s.value for s in scopes})),
    )
    session.add(key)
    session.flush()
    out = _key_out(key, tenant.name)
    return ApiKeyCreated(**out.model_dump(), key=f"{KEY_PREFIX}_{prefix}_{secret}")


def list_api_keys(session: Session, tenant: Tenant) -> list[ApiKeyOut]:
    """The tenant's keys, newest first (secrets are never shown)."""
    rows = session.scalars(
        select(ApiKey).where(ApiKey.tenant_id == tenant.id).order_by(ApiKey.id.desc())
    )
    return [_key_out(k, tenant.name) for k in rows]


def revoke_api_key(session: Session, tenant: Tenant, key_ref: str) -> ApiKeyOut:
    """Revoke a key by id or prefix; revoking twice keeps the first time."""
    query = select(ApiKey).where(ApiKey.tenant_id == tenant.id)
    # A prefix is 12 hex digits and may be all decimal digits: try it as a prefix first.
    row_id = as_row_id(key_ref) if len(key_ref) != PREFIX_LENGTH else None
    query = (
        query.where(ApiKey.id == row_id)
        if row_id is not None
        else query.where(ApiKey.prefix == key_ref)
    )
    key = session.scalar(query)
    if key is None:
        raise NotFound(f"no API key {key_ref!r} in tenant {tenant.name!r}", {"key": key_ref})
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    session.flush()
    return _key_out(key, tenant.name)


def authenticate_api_key(session: Session, presented: str) -> Caller:
    """Resolve a presented key to its caller, or raise Unauthorized."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise Unauthorized("malformed API key")
    row = session.execute(
        select(ApiKey, Tenant.name)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .where(ApiKey.prefix == parts[1])
    ).first()
    if row is None:
        raise Unauthorized("unknown API key")
    key, tenant_name = row
    if not hmac.compare_digest(key.secret_hash, _hash_secret(parts[2])):
        raise Unauthorized("unknown API key")
    if key.revoked_at is not None:
        raise Unauthorized("API key has been revoked")
    return Caller(
        kind="api_key",
        tenant_id=key.tenant_id,
        tenant=tenant_name,
        key_id=key.id,
        key_prefix=key.prefix,
        scopes=frozenset(Scope(s) for s in key.scopes.split(",")),
    )


def _tenant_out(tenant: Tenant) -> TenantOut:
    return TenantOut(id=tenant.id, name=tenant.name, created_at=tenant.created_at)


def _key_out(key: ApiKey, tenant_name: str) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        tenant=tenant_name,
        name=key.name,
        prefix=key.prefix,
        scopes=[Scope(s) for s in key.scopes.split(",")],
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )
