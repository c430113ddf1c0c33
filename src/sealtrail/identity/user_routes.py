"""HTTP routes of users (tenant admins) and tenants (platform superadmin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from sealtrail.api.deps import (
    Superadmin,
    TenantSessionDep,
    UnscopedSessionDep,
    UserManager,
    UserReader,
)
from sealtrail.identity import service, users
from sealtrail.identity.schemas import Role, TenantOut
from sealtrail.identity.users import (
    PasswordReset,
    PasswordResetDone,
    UserCreate,
    UserCreated,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1/users", tags=["identity"])
tenants_router = APIRouter(prefix="/api/v1/tenants", tags=["platform"])


@router.get("", response_model=list[UserOut], summary="List the tenant's users")
def list_users(caller: UserReader, session: TenantSessionDep) -> Any:
    """Users of the caller's tenant, by email; password hashes are never returned."""
    return users.list_users(session, service.get_tenant(session, caller.tenant))


@router.post(
    "",
    name="user.create",
    status_code=201,
    response_model=UserCreated,
    summary="Create (invite) a user; a generated password is shown once",
)
def create_user(body: UserCreate, caller: UserManager, session: TenantSessionDep) -> Any:
    """A user of the caller's tenant with a role; the password follows the policy."""
    tenant = service.get_tenant(session, caller.tenant)
    return users.create_user(
        session, tenant, body.email, body.role, name=body.name, password=body.password
    )


@router.get("/{user_ref}", response_model=UserOut, summary="One user by id or email")
def get_user(user_ref: str, caller: UserReader, session: TenantSessionDep) -> Any:
    """404 for users of other tenants, as for users that do not exist."""
    tenant = service.get_tenant(session, caller.tenant)
    return users.user_out(users.find_user(session, tenant, user_ref), tenant.name)


@router.patch(
    "/{user_ref}", name="user.update", response_model=UserOut, summary="Change role, name, disable"
)
def update_user(
    user_ref: str, body: UserUpdate, caller: UserManager, session: TenantSessionDep
) -> Any:
    """Disabling a user ends their sessions at once."""
    tenant = service.get_tenant(session, caller.tenant)
    return users.update_user(session, tenant, user_ref, body, acting_user=caller.user_id)


@router.post(
    "/{user_ref}/reset-password",
    name="user.password_reset",
    response_model=PasswordResetDone,
    summary="Set a new password (generated when none is given); ends their sessions",
)
def reset_password(
    user_ref: str, body: PasswordReset, caller: UserManager, session: TenantSessionDep
) -> Any:
    tenant = service.get_tenant(session, caller.tenant)
    user = users.find_user(session, tenant, user_ref)
    return PasswordResetDone(password=users.reset_password(session, user, body.password))


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=63)
    admin_email: EmailStr | None = Field(
        default=None, description="Create the tenant's first admin user (password shown once)."
    )


class TenantCreated(TenantOut):
    admin: UserCreated | None = Field(description="The first admin user, with its password.")


@tenants_router.get("", response_model=list[TenantOut], summary="List tenants (superadmin)")
def list_tenants(caller: Superadmin, session: UnscopedSessionDep) -> Any:
    return service.list_tenants(session)


@tenants_router.post(
    "",
    name="tenant.create",
    status_code=201,
    response_model=TenantCreated,
    summary="Create a tenant (superadmin), optionally with its first admin user",
)
def create_tenant(body: TenantCreate, caller: Superadmin, session: UnscopedSessionDep) -> Any:
    """A new tenant; with `admin_email`, its first admin user too (the only way in)."""
    created = service.create_tenant(session, body.name)
    admin = None
    if body.admin_email:
        tenant = service.get_tenant(session, created.name)
        admin = users.create_user(session, tenant, str(body.admin_email), Role.admin)
    return TenantCreated(**created.model_dump(), admin=admin)
