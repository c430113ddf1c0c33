"""First start: the `default` tenant, its first admin key and its first admin user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.identity import service, users
from sealtrail.identity.models import Tenant
from sealtrail.identity.schemas import Role, Scope
from sealtrail.identity.sessions import count_users

DEFAULT_TENANT = "default"
DEFAULT_ADMIN_EMAIL = "admin@example.com"


@dataclass(frozen=True)
class FirstStart:
    """What first start created; the key and the password are shown once."""

    tenant: str
    admin_key: str | None
    admin_email: str | None
    admin_password: str | None


def bootstrap(
    factory: sessionmaker[Session], admin_email: str = DEFAULT_ADMIN_EMAIL
) -> FirstStart | None:
    """Create the default tenant and an admin key when no tenant exists yet, and a first
    admin user when no user exists yet (also on an instance that predates users)."""
    with factory() as session, session.begin():
        key: str | None = None
        if service.count_tenants(session) == 0:
            service.create_tenant(session, DEFAULT_TENANT)
            first = service.get_tenant(session, DEFAULT_TENANT)
            key = service.create_api_key(session, first, "first admin key", [Scope.admin]).key
        if count_users(session) > 0:
            return None if key is None else FirstStart(DEFAULT_TENANT, key, None, None)
        home = session.scalar(select(Tenant).where(Tenant.name == DEFAULT_TENANT)) or (
            session.scalars(select(Tenant).order_by(Tenant.id)).first()
        )
        assert home is not None
        admin = users.create_user(session, home, admin_email, Role.admin, name="Administrator")
        return FirstStart(home.name, key, admin.email, admin.password)
