"""Users of a tenant: create, list, change role, disable, reset password."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sealtrail.db.base import as_row_id, utcnow
from sealtrail.errors import Conflict, NotFound, ValidationFailed
from sealtrail.identity import passwords
from sealtrail.identity.models import RefreshToken, Tenant, User
from sealtrail.identity.schemas import Role


class UserOut(BaseModel):
    id: int
    tenant: str
    email: str
    name: str | None
    role: Role
    superadmin: bool
    sso: bool = Field(description="Signs in through the OpenID provider.")
    created_at: datetime
    disabled_at: datetime | None
    last_login_at: datetime | None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str | None = Field(default=None, max_length=128)
    role: Role
    password: str | None = Field(
        default=None, description="Omit to have one generated and returned once."
    )

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class UserCreated(UserOut):
    password: str | None = Field(description="The generated password, shown once; else null.")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    name: str | None = Field(default=None, max_length=128)
    disabled: bool | None = None


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, description="Omit to generate one.")


class PasswordResetDone(BaseModel):
    password: str | None = Field(description="The generated password, shown once; else null.")


def user_out(user: User, tenant_name: str) -> UserOut:
    """The API view of a user (never the hash)."""
    return UserOut(
        id=user.id,
        tenant=tenant_name,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        superadmin=user.superadmin,
        sso=user.oidc_subject is not None,
        created_at=user.created_at,
        disabled_at=user.disabled_at,
        last_login_at=user.last_login_at,
    )


def create_user(
    session: Session,
    tenant: Tenant,
    email: str,
    role: Role,
    *,
    name: str | None = None,
    password: str | None = None,
    superadmin: bool = False,
) -> UserCreated:
    """A new user; a password is generated (and returned once) when none is given."""
    email = email.strip().lower()
    generated = password is None
    secret = passwords.generate_password() if password is None else password
    if not generated:
        passwords.check_policy(secret, hints=(email, email.split("@")[0], tenant.name))
    user = User(
        tenant_id=tenant.id,
        email=email,
        name=name,
        role=role.value,
        superadmin=superadmin,
        password_hash=passwords.hash_password(secret),
        password_changed_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise Conflict(
            f"a user {email!r} already exists in tenant {tenant.name!r}", {"email": email}
        ) from None
    out = user_out(user, tenant.name)
    return UserCreated(**out.model_dump(), password=secret if generated else None)


def list_users(session: Session, tenant: Tenant) -> list[UserOut]:
    """The tenant's users by email."""
    rows = session.scalars(select(User).where(User.tenant_id == tenant.id).order_by(User.email))
    return [user_out(u, tenant.name) for u in rows]


def find_user(session: Session, tenant: Tenant, ref: str) -> User:
    """A user of `tenant` by id or email; NotFound otherwise (other tenants' users too)."""
    query = select(User).where(User.tenant_id == tenant.id)
    row_id = as_row_id(ref)
    query = (
        query.where(User.id == row_id)
        if row_id is not None
        else query.where(User.email == ref.strip().lower())
    )
    user = session.scalar(query)
    if user is None:
        raise NotFound(f"no user {ref!r} in tenant {tenant.name!r}", {"user": ref})
    return user


def update_user(
    session: Session, tenant: Tenant, ref: str, change: UserUpdate, *, acting_user: int | None
) -> UserOut:
    """Change role, name or disabled state; an admin cannot lock themselves out."""
    user = find_user(session, tenant, ref)
    if acting_user == user.id and (
        change.disabled or (change.role is not None and change.role != Role.admin)
    ):
        raise ValidationFailed(
            "you cannot disable yourself or drop your own admin role",
            [{"field": "role" if change.role else "disabled", "reason": "would lock you out"}],
        )
    if change.role is not None:
        user.role = change.role.value
    if change.name is not None:
        user.name = change.name
    if change.disabled is True and user.disabled_at is None:
        disable(session, user)
    elif change.disabled is False:
        user.disabled_at = None
    session.flush()
    return user_out(user, tenant.name)


def disable(session: Session, user: User) -> None:
    """Disable a user and end every session they hold."""
    user.disabled_at = user.disabled_at or utcnow()
    revoke_all_sessions(session, user.id)


def revoke_all_sessions(session: Session, user_id: int) -> None:
    """Revoke every refresh-token family of the user (their access tokens stop too)."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def reset_password(session: Session, user: User, password: str | None) -> str | None:
    """Set a new password (generated when None, then returned); ends every session."""
    generated = password is None
    secret = passwords.generate_password() if password is None else password
    if not generated:
        passwords.check_policy(secret, hints=(user.email, user.email.split("@")[0]))
    user.password_hash = passwords.hash_password(secret)
    user.password_changed_at = utcnow()
    revoke_all_sessions(session, user.id)
    session.flush()
    return secret if generated else None
