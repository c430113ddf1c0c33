"""Sessions of people: password login with lockout, refresh-token rotation, logout.

A session is a refresh-token family. Each refresh rotates the token; presenting a
rotated token again means it was stolen (or replayed), and the whole family is revoked.
Access tokens name their family (`sid`), so revoking it ends them at once.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import CursorResult, delete, exists, func, select, update
from sqlalchemy.orm import Session

from sealtrail.db.base import utcnow
from sealtrail.errors import Locked, Unauthorized
from sealtrail.identity import passwords, tokens
from sealtrail.identity.models import LoginFailure, RefreshToken, Tenant, User
from sealtrail.identity.schemas import Caller, Role
from sealtrail.identity.users import UserOut, user_out

REFRESH_PREFIX = "rt_"


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(default="default", max_length=63)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    refresh_expires_at: datetime
    user: UserOut


@dataclass(frozen=True)
class Policy:
    """Lifetimes and lockout, from settings."""

    secret: bytes
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    max_failures: int
    lockout: timedelta


class LoginRefused(Unauthorized):
    """A refused login, with what the self-audit record needs.

    The answer is the same whatever the reason (unknown tenant or user, wrong password,
    disabled user): the reason goes to the tenant's trail only, never to the caller.
    """

    def __init__(self, *, reason: str, user: User | None, tenant: Tenant | None) -> None:
        super().__init__("invalid credentials")
        self.reason = reason
        self.user = user
        self.tenant = tenant
        self.locked_now = False


class LoginLocked(Locked):
    """Too many failures in the window: refused without looking at the password."""

    def __init__(self, retry_after: int, *, tenant: Tenant | None, user: User | None) -> None:
        super().__init__(
            "too many failed logins; try again later",
            {"retry_after_seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
        self.tenant = tenant
        self.user = user


class FailureWindows:
    """Recent login failures in this process's memory, per key; the least recently
    failed keys are forgotten first."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._failures: OrderedDict[tuple[str, str], list[datetime]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def recent(self, key: tuple[str, str], since: datetime) -> list[datetime]:
        """The failures of `key` after `since`, oldest first."""
        with self._lock:
            return [at for at in self._failures.get(key, []) if at > since]

    def add(self, key: tuple[str, str], at: datetime, *, since: datetime) -> None:
        """Count a failure of `key`, forgetting those before `since`."""
        with self._lock:
            kept = [t for t in self._failures.pop(key, []) if t > since]
            self._failures[key] = [*kept, at]
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)


# Failures for tenants that do not exist have no tenant row to be stored with; they are
# counted here so that an unknown tenant is locked out like a real one and the lockout
# does not reveal which tenants exist (per process, like the login rate limit).
_UNKNOWN_TENANT_FAILURES = FailureWindows()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failures(session: Session, tenant: Tenant, email: str, since: datetime) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginFailure.at)
            .where(
                LoginFailure.tenant_id == tenant.id,
                LoginFailure.email == email,
                LoginFailure.at > since,
            )
            .order_by(LoginFailure.at)
        )
    )


def _refusal(tenant: Tenant | None, user: User | None, password_matches: bool) -> str:
    """Why a login was refused, for the tenant's trail."""
    if tenant is None:
        return "unknown tenant"
    if user is None:
        return "unknown user"
    return "wrong password" if not password_matches else "user disabled"


def login(
    session: Session, policy: Policy, request: LoginRequest, *, ip: str | None
) -> tuple[TokenPair, User, Tenant]:
    """Check the password and open a session; LoginRefused or LoginLocked otherwise.

    Every refusal looks the same from outside: the same answer, one password hash
    verification (against a dummy hash when there is no user), and a failure counted
    per tenant and email, so that neither the answer, its timing nor the lockout tells
    who has an account. Failures are committed even when the login fails: the caller
    commits the session before raising.
    """
    now = utcnow()
    since = now - policy.lockout
    email = request.email.strip().lower()
    tenant = session.scalar(select(Tenant).where(Tenant.name == request.tenant))
    user = None
    if tenant is None:
        recent = _UNKNOWN_TENANT_FAILURES.recent((request.tenant, email), since)
    else:
        user = session.scalar(select(User).where(User.tenant_id == tenant.id, User.email == email))
        recent = _failures(session, tenant, email, since)
    if len(recent) >= policy.max_failures:
        unlock = recent[-policy.max_failures] + policy.lockout
        raise LoginLocked(
            max(1, math.ceil((unlock - now).total_seconds())), tenant=tenant, user=user
        )
    matches = passwords.verify_password(user.password_hash if user else None, request.password)
    if tenant is None or user is None or not matches or user.disabled_at is not None:
        if tenant is None:
            _UNKNOWN_TENANT_FAILURES.add((request.tenant, email), now, since=since)
        else:
            session.add(LoginFailure(tenant_id=tenant.id, email=email, at=now, ip=ip))
        refused = LoginRefused(reason=_refusal(tenant, user, matches), user=user, tenant=tenant)
        refused.locked_now = len(recent) + 1 >= policy.max_failures
        raise refused
    session.execute(
        delete(LoginFailure).where(LoginFailure.tenant_id == tenant.id, LoginFailure.email == email)
    )
    user.last_login_at = now
    return open_session(session, policy, user, tenant, now=now), user, tenant


def open_session(
    session: Session, policy: Policy, user: User, tenant: Tenant, *, now: datetime
) -> TokenPair:
    """A new refresh-token family and its first access token."""
    return _issue(session, policy, user, tenant, family=secrets.token_hex(16), now=now)


def _issue(
    session: Session, policy: Policy, user: User, tenant: Tenant, *, family: str, now: datetime
) -> TokenPair:
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    expires = now + policy.refresh_lifetime
    session.add(
        RefreshToken(
            tenant_id=tenant.id,
            user_id=user.id,
            family=family,
            token_hash=_hash(refresh),
            created_at=now,
            expires_at=expires,
        )
    )
    access, access_expires = tokens.issue(
        policy.secret,
        user_id=user.id,
        tenant_id=tenant.id,
        tenant=tenant.name,
        role=user.role,
        session=family,
        now=now,
        lifetime=policy.access_lifetime,
    )
    session.flush()
    return TokenPair(
        access_token=access,
        expires_in=int((access_expires - now).total_seconds()),
        refresh_token=refresh,
        refresh_expires_at=expires,
        user=user_out(user, tenant.name),
    )


class RefreshRefused(Unauthorized):
    """A refused refresh, with the user when known (for the self-audit record)."""

    def __init__(self, message: str, *, user: User | None, tenant: Tenant | None) -> None:
        super().__init__(message)
        self.user = user
        self.tenant = tenant
        self.reuse = False


def refresh(session: Session, policy: Policy, presented: str) -> tuple[TokenPair, User, Tenant]:
    """Rotate a refresh token. Reuse of a rotated token revokes its whole family.

    On reuse the caller must commit the revocation before answering 401.
    """
    now = utcnow()
    row = session.execute(
        select(RefreshToken, User, Tenant)
        .join(User, User.id == RefreshToken.user_id)
        .join(Tenant, Tenant.id == RefreshToken.tenant_id)
        .where(RefreshToken.token_hash == _hash(presented))
    ).first()
    if row is None:
        raise RefreshRefused("unknown refresh token", user=None, tenant=None)
    token, user, tenant = row
    if token.revoked_at is not None:
        raise RefreshRefused("this session has ended", user=user, tenant=tenant)
    # Claim the token atomically: two concurrent refreshes cannot both rotate it.
    claimed = _rowcount(
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token.id, RefreshToken.rotated_at.is_(None))
            .values(rotated_at=now)
        )
    )
    if not claimed:
        end_family(session, token.family)
        refused = RefreshRefused(
            "refresh token was already used; the session is revoked", user=user, tenant=tenant
        )
        refused.reuse = True
        raise refused
    if token.expires_at <= now:
        raise RefreshRefused("refresh token has expired", user=user, tenant=tenant)
    if user.disabled_at is not None:
        raise RefreshRefused("user is disabled", user=user, tenant=tenant)
    return _issue(session, policy, user, tenant, family=token.family, now=now), user, tenant


def end_family(session: Session, family: str) -> None:
    """Revoke every token of a session."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def authenticate_access_token(session: Session, secret: bytes, token: str) -> Caller:
    """The person an access token stands for, checked against the database now."""
    claims = tokens.decode(secret, token)
    row = session.execute(
        select(User, Tenant.name)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(User.id == claims.user_id)
    ).first()
    if row is None or row[0].tenant_id != claims.tenant_id:
        raise Unauthorized("access token names an unknown user")
    user, tenant_name = row
    if user.disabled_at is not None:
        raise Unauthorized("user is disabled")
    if not _session_is_live(session, claims.session, user_id=user.id, tenant_id=user.tenant_id):
        raise Unauthorized("this session has ended; log in again")
    return Caller(
        kind="user",
        tenant_id=user.tenant_id,
        tenant=tenant_name,
        role=Role(user.role),
        superadmin=user.superadmin,
        user_id=user.id,
        email=user.email,
        token_id=claims.token_id,
        session_id=claims.session,
    )


def _session_is_live(session: Session, family: str, *, user_id: int, tenant_id: int) -> bool:
    """Whether `family` was issued to this user in this tenant and has neither been
    revoked nor expired: a token is accepted only for a session on this allow-list."""
    ours = (
        RefreshToken.family == family,
        RefreshToken.user_id == user_id,
        RefreshToken.tenant_id == tenant_id,
    )
    live = exists().where(
        *ours, RefreshToken.revoked_at.is_(None), RefreshToken.expires_at > utcnow()
    )
    revoked = exists().where(RefreshToken.family == family, RefreshToken.revoked_at.is_not(None))
    return bool(session.scalar(select(live & ~revoked)))


def prune(session: Session, *, now: datetime, lockout: timedelta) -> int:
    """Drop login failures older than the window and refresh tokens long expired."""
    gone = _rowcount(session.execute(delete(LoginFailure).where(LoginFailure.at < now - lockout)))
    return gone + _rowcount(
        session.execute(
            delete(RefreshToken).where(RefreshToken.expires_at < now - timedelta(days=1))
        )
    )


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


def count_users(session: Session) -> int:
    """How many users exist (a small table)."""
    return int(session.scalar(select(func.count()).select_from(User)) or 0)
