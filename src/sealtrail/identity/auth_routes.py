"""HTTP routes of sessions: login, refresh, logout, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from sealtrail.api.deps import PUBLIC, RuntimeDep, SelfCaller, TenantSessionDep
from sealtrail.errors import RateLimited
from sealtrail.identity import sessions
from sealtrail.identity.models import Tenant, User
from sealtrail.identity.permissions import Permission, allowed
from sealtrail.identity.sessions import LoginRequest, RefreshRequest, TokenPair
from sealtrail.observability import metrics
from sealtrail.ratelimit import retry_after
from sealtrail.runtime import Runtime

router = APIRouter(prefix="/api/v1/auth", tags=["authentication"])


def login_actor(user: User | None, email: str | None) -> dict[str, str]:
    if user is not None:
        return {"type": "user", "id": str(user.id), "name": user.email}
    return {"type": "user", "id": (email or "unknown")[:256], "name": (email or "unknown")[:256]}


def audit_login(
    request: Request,
    action: str,
    outcome: str,
    tenant: Tenant | None,
    actor: dict[str, str],
    **metadata: Any,
) -> None:
    if tenant is None:
        return  # no tenant, no trail to write to (the request log keeps it)
    records = getattr(request.state, "audit", None) or []
    records.append(
        {
            "action": action,
            "outcome": outcome,
            "tenant": (tenant.id, tenant.name),
            "actor": actor,
            "targets": [{"type": "user", "id": actor["id"], "name": actor["name"]}],
            "metadata": metadata,
        }
    )
    request.state.audit = records


def limit_by_ip(request: Request, runtime: Runtime) -> str | None:
    ip = request.client.host if request.client else None
    s = runtime.settings
    wait = runtime.rate_limiter.take(
        f"login:{ip}", 1, rate=s.login_rate_per_ip, burst=s.login_burst_per_ip
    )
    if wait > 0:
        metrics.RATE_LIMITED.labels(limit="login_per_ip").inc()
        raise RateLimited(
            "too many login attempts from this address",
            {"retry_after_seconds": float(retry_after(wait))},
            headers={"Retry-After": retry_after(wait)},
        )
    return ip


@router.post(
    "/login",
    name="auth.login",
    response_model=TokenPair,
    dependencies=[Depends(PUBLIC)],
    summary="Log in with email and password",
    responses={
        401: {"description": "Invalid credentials"},
        423: {"description": "Locked after too many failures (Retry-After)"},
        429: {"description": "Too many attempts from this address (Retry-After)"},
    },
)
def login(body: LoginRequest, request: Request, runtime: RuntimeDep) -> Any:
    """An access token (JWT, 30 minutes) and a refresh token (rotated on each use)."""
    request.state.audit = []
    ip = limit_by_ip(request, runtime)
    policy = runtime.session_policy
    with runtime.factory() as session:
        try:
            pair, user, tenant = sessions.login(session, policy, body, ip=ip)
        except sessions.LoginLocked as locked:
            session.rollback()
            metrics.LOGINS.labels(method="password", outcome="locked").inc()
            audit_login(
                request,
                "auth.login",
                "failure",
                locked.tenant,
                login_actor(locked.user, body.email),
                reason="account locked",
            )
            raise
        except sessions.LoginRefused as refused:
            session.commit()  # the failure counts even though the login fails
            metrics.LOGINS.labels(method="password", outcome="failure").inc()
            actor = login_actor(refused.user, body.email)
            audit_login(
                request, "auth.login", "failure", refused.tenant, actor, reason=refused.reason
            )
            if refused.locked_now:
                audit_login(
                    request,
                    "auth.lockout",
                    "success",
                    refused.tenant,
                    actor,
                    reason=f"{policy.max_failures} failed logins within "
                    f"{int(policy.lockout.total_seconds())} s",
                    locked_for_seconds=int(policy.lockout.total_seconds()),
                )
            raise
        session.commit()
    metrics.LOGINS.labels(method="password", outcome="success").inc()
    audit_login(
        request, "auth.login", "success", tenant, login_actor(user, user.email), method="password"
    )
    return pair


@router.post(
    "/refresh",
    name="auth.refresh",
    response_model=TokenPair,
    dependencies=[Depends(PUBLIC)],
    summary="Exchange a refresh token for new tokens (the old one stops working)",
)
def refresh(body: RefreshRequest, request: Request, runtime: RuntimeDep) -> Any:
    """Rotation: presenting an already used refresh token ends the whole session."""
    request.state.audit = []
    with runtime.factory() as session:
        try:
            pair, user, tenant = sessions.refresh(
                session, runtime.session_policy, body.refresh_token
            )
        except sessions.RefreshRefused as refused:
            session.commit()  # a detected reuse revokes the family for good
            audit_login(
                request,
                "auth.refresh",
                "failure",
                refused.tenant,
                login_actor(refused.user, None),
                reason=refused.message,
                session_revoked=refused.reuse,
            )
            raise
        session.commit()
    audit_login(request, "auth.refresh", "success", tenant, login_actor(user, user.email))
    return pair


@router.post(
    "/logout",
    name="auth.logout",
    status_code=204,
    summary="End the current session (its refresh and access tokens stop working)",
)
def logout(caller: SelfCaller, session: TenantSessionDep) -> None:
    """Revokes the session's refresh-token family."""
    if caller.session_id:
        sessions.end_family(session, caller.session_id)


@router.get("/me", summary="Who the token belongs to, and what it may do")
def me(caller: SelfCaller) -> dict[str, Any]:
    """The authenticated person: tenant, role, email, and the permissions the role holds."""
    out = caller.model_dump(mode="json")
    out["permissions"] = sorted(p.value for p in Permission if allowed(caller, p))
    return out
