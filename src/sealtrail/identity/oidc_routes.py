"""HTTP routes of single sign-on (OIDC): whether it is offered, start, callback."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from sealtrail.api.deps import PUBLIC, RuntimeDep
from sealtrail.db.base import utcnow
from sealtrail.identity import oidc, oidc_provider, sessions
from sealtrail.identity.auth_routes import audit_login, limit_by_ip, login_actor
from sealtrail.identity.oidc import OidcPublicConfig
from sealtrail.identity.sessions import TokenPair
from sealtrail.observability import metrics

router = APIRouter(prefix="/api/v1/auth/oidc", tags=["authentication"])

# Token responses must not be cached (RFC 6749 §5.1); this one is a GET.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.get(
    "/config",
    name="auth.oidc_config",
    response_model=OidcPublicConfig,
    dependencies=[Depends(PUBLIC)],
    summary="Whether single sign-on is offered (for the login page)",
)
def public_config(runtime: RuntimeDep) -> OidcPublicConfig:
    """`enabled` is true when an OpenID provider is configured; `login_url` starts it."""
    return oidc.public_config(runtime.settings)


@router.get(
    "/login",
    name="auth.oidc_login",
    status_code=302,
    response_class=RedirectResponse,
    dependencies=[Depends(PUBLIC)],
    summary="Start single sign-on: redirects to the OpenID provider",
    responses={
        302: {"description": "To the provider's authorization endpoint"},
        400: {"description": "redirect_to is not a path on this site"},
        404: {"description": "Single sign-on is not configured"},
        429: {"description": "Too many attempts from this address (Retry-After)"},
        503: {"description": "The provider cannot be reached"},
    },
)
def login(
    request: Request,
    runtime: RuntimeDep,
    redirect_to: Annotated[
        str | None,
        Query(
            max_length=512,
            description="A path on this site ('/...') to return to, with the tokens "
            "in the URL fragment; without it the callback answers the tokens as JSON.",
        ),
    ] = None,
) -> RedirectResponse:
    """Authorization code flow with PKCE (S256), state and nonce; a state lasts 10 minutes."""
    limit_by_ip(request, runtime)
    config = oidc.require_config(runtime.settings)
    provider = oidc_provider.provider_for(config.issuer)
    with runtime.factory() as session, session.begin():
        oidc.configured_tenant(session, config)
        url = oidc.begin_login(session, config, provider, redirect_to=redirect_to, now=utcnow())
    return RedirectResponse(url, status_code=302, headers=NO_STORE)


@router.get(
    "/callback",
    name="auth.oidc_callback",
    response_model=TokenPair,
    dependencies=[Depends(PUBLIC)],
    summary="Where the OpenID provider sends the browser back: tokens, or a redirect",
    responses={
        302: {"description": "To the login's redirect_to, tokens in the URL fragment"},
        400: {"description": "Unknown, used or expired state; wrong issuer; no code"},
        401: {"description": "The provider refused, or its ID token is not valid"},
        403: {"description": "No role for this person, or the user is disabled"},
        404: {"description": "Single sign-on is not configured"},
        503: {"description": "The provider cannot be reached"},
    },
)
def callback(
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    state: Annotated[str | None, Query(max_length=256)] = None,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    iss: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
    error_description: Annotated[str | None, Query(max_length=1024)] = None,
) -> Any:
    """The user is matched by provider subject, else linked by email, else created."""
    request.state.audit = []
    limit_by_ip(request, runtime)
    config = oidc.require_config(runtime.settings)
    provider = oidc_provider.provider_for(config.issuer)
    now = utcnow()
    with runtime.factory() as session:
        tenant = oidc.configured_tenant(session, config)
        try:
            pending = oidc.consume_state(session, state, now=now)
            session.commit()  # the state is used up, whatever happens next
            identity = oidc.exchange_code(
                config,
                provider,
                pending,
                code=code,
                issuer=iss,
                error=error,
                error_description=error_description,
            )
            signed = oidc.sign_in(session, tenant, config, identity, now=now)
            pair = sessions.open_session(
                session, runtime.session_policy, signed.user, signed.tenant, now=now
            )
        except oidc_provider.OidcRefused as refused:
            session.commit()  # an expired state is deleted too; refusals write nothing else
            metrics.LOGINS.labels(method="oidc", outcome="failure").inc()
            actor = login_actor(refused.user, refused.email)
            audit_login(
                request,
                "auth.login",
                "failure",
                tenant,
                actor,
                method="oidc",
                reason=refused.reason,
            )
            raise
        session.commit()
    metrics.LOGINS.labels(method="oidc", outcome="success").inc()
    user = signed.user
    audit_login(
        request,
        "auth.login",
        "success",
        signed.tenant,
        login_actor(user, user.email),
        method="oidc",
        issuer=identity.issuer,
        provisioned=signed.created,
        linked=signed.linked,
    )
    if pending.redirect_to and oidc.is_local_path(pending.redirect_to):
        fragment = urlencode(
            {
                "access_token": pair.access_token,
                "refresh_token": pair.refresh_token,
                "token_type": pair.token_type,
                "expires_in": pair.expires_in,
            }
        )
        target = pending.redirect_to.split("#", 1)[0]
        return RedirectResponse(f"{target}#{fragment}", status_code=302, headers=NO_STORE)
    response.headers.update(NO_STORE)
    return pair
