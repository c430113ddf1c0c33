"""First start: the `default` tenant and its first admin key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from sealtrail.identity import service
from sealtrail.identity.schemas import Scope

DEFAULT_TENANT = "default"


@dataclass(frozen=True)
class FirstStart:
    """What first start created; the key is shown once."""

    tenant: str
    admin_key: str


def bootstrap(factory: sessionmaker[Session]) -> FirstStart | None:
    """Create the default tenant and an admin key when no tenant exists yet."""
    with factory() as session, session.begin():
        if service.count_tenants(session) > 0:
            return None
        service.create_tenant(session, DEFAULT_TENANT)
        tenant = service.get_tenant(session, DEFAULT_TENANT)
        key = service.create_api_key(session, tenant, "first admin key", [Scope.admin])
        return FirstStart(tenant=DEFAULT_TENANT, admin_key=key.key)
