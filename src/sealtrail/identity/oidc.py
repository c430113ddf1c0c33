"""Single sign-on: OpenID Connect authorization code flow with PKCE (S256).

OpenID Connect Core 1.0 §3.1. `begin_login` stores a fresh state, nonce and PKCE
verifier and returns the provider's authorization URL. The provider sends the browser
back to the callback with `code` and `state`: `consume_state` takes the pending login
(once, within ten minutes), `exchange_code` trades the code for tokens and validates the
ID token against the provider's published keys, and `sign_in` maps its claims to a user
of the configured tenant, whom the caller then opens a Sealtrail session for.

Every refusal is an `OidcRefused` (a BadRequest, Unauthorized or Forbidden) whose
details carry the reason, and which knows who tried when that is known, for the
self-audit record.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sealtrail.config import Settings
from sealtrail.db.tenancy import bind_tenant
from sealtrail.errors import (
    BadRequest,
    ConfigurationError,
    Conflict,
    NotFound,
    Unavailable,
)
from sealtrail.identity.models import OidcState, Tenant, User
from sealtrail.identity.oidc_provider import (
    HTTP_TIMEOUT,
    AccessDenied,
    InvalidCallback,
    OpenIdProvider,
    ProviderIdentity,
    ProviderMetadata,
    ProviderRefused,
    TokenResponse,
)
from sealtrail.identity.schemas import Role

CALLBACK_PATH = "/api/v1/auth/oidc/callback"
LOGIN_PATH = "/api/v1/auth/oidc/login"
STATE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class OidcConfig:
    """The single sign-on settings, complete."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_url: str
    scopes: str
    tenant: str
    role_claim: str
    default_role: Role | None


class OidcPublicConfig(BaseModel):
    """What the UI needs to offer single sign-on."""

    enabled: bool
    issuer: str | None
    login_url: str | None


def oidc_config(settings: Settings) -> OidcConfig | None:
    """The single sign-on settings, or None when issuer, client id or secret is missing."""
    if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
        return None
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    return OidcConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        redirect_url=settings.oidc_redirect_url or base.rstrip("/") + CALLBACK_PATH,
        scopes=settings.oidc_scopes,
        tenant=settings.oidc_tenant,
        role_claim=settings.oidc_role_claim,
        default_role=Role(settings.oidc_default_role) if settings.oidc_default_role else None,
    )


def require_config(settings: Settings) -> OidcConfig:
    """The single sign-on settings; NotFound, naming what is missing, when not configured."""
    config = oidc_config(settings)
    if config is None:
        missing = [
            f"SEALTRAIL_{name.upper()}"
            for name in ("oidc_issuer", "oidc_client_id", "oidc_client_secret")
            if not getattr(settings, name)
        ]
        raise NotFound(
            "single sign-on (OIDC) is not configured on this instance; set " + ", ".join(missing),
            {"missing_settings": missing},
        )
    return config


def public_config(settings: Settings) -> OidcPublicConfig:
    """Whether single sign-on is offered, and where it starts."""
    config = oidc_config(settings)
    if config is None:
        return OidcPublicConfig(enabled=False, issuer=None, login_url=None)
    return OidcPublicConfig(enabled=True, issuer=config.issuer, login_url=LOGIN_PATH)


def is_local_path(target: str) -> bool:
    """Whether `target` is a path on this site ("/..."), never another origin ("//x", "/\\x")."""
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isprintable()
        and not any(c.isspace() for c in target)
    )


def configured_tenant(session: Session, config: OidcConfig) -> Tenant:
    """The tenant single sign-on users belong to; a ConfigurationError if it does not exist."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == config.tenant))
    if tenant is None:
        raise ConfigurationError(
            f"SEALTRAIL_OIDC_TENANT names tenant {config.tenant!r}, which does not exist",
            {"tenant": config.tenant},
        )
    return tenant


def begin_login(
    session: Session,
    config: OidcConfig,
    provider: OpenIdProvider,
    *,
    redirect_to: str | None,
    now: datetime,
) -> str:
    """Store a pending login and return the provider's authorization URL (Core §3.1.2.1)."""
    if redirect_to is not None and not is_local_path(redirect_to):
        raise BadRequest(
            "redirect_to must be a path on this site, starting with a single '/'",
            {"redirect_to": redirect_to},
        )
    metadata = provider.metadata()
    session.execute(delete(OidcState).where(OidcState.created_at < now - STATE_LIFETIME))
    pending = OidcState(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),  # RFC 7636 §4.1: 43 to 128 characters
        redirect_to=redirect_to,
        created_at=now,
    )
    session.add(pending)
    url: str = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id=config.client_id,
        response_type="code",
        redirect_uri=config.redirect_url,
        scope=config.scopes,
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.code_verifier),  # RFC 7636 §4.2
        code_challenge_method="S256",
    )
    return url


@dataclass(frozen=True)
class PendingLogin:
    """A login started here, taken from the store by its state."""

    nonce: str
    code_verifier: str
    redirect_to: str | None
    created_at: datetime


def consume_state(session: Session, state: str | None, *, now: datetime) -> PendingLogin:
    """Take the pending login of `state` out of the store; InvalidCallback if there is none.

    The row is deleted in the same statement that reads it, so a state works once even
    under concurrent callbacks; the caller commits, also when the login then fails.
    """
    if not state:
        raise InvalidCallback(
            "the callback has no state; start the login again", reason="missing state"
        )
    row = session.execute(
        delete(OidcState)
        .where(OidcState.state == state)
        .returning(
            OidcState.nonce, OidcState.code_verifier, OidcState.redirect_to, OidcState.created_at
        )
    ).first()
    if row is None:
        raise InvalidCallback(
            "unknown or already used login state; start the login again", reason="unknown state"
        )
    pending = PendingLogin(*row)
    if pending.created_at < now - STATE_LIFETIME:
        raise InvalidCallback(
            "the login took longer than 10 minutes; start it again", reason="expired state"
        )
    return pending


def exchange_code(
    config: OidcConfig,
    provider: OpenIdProvider,
    pending: PendingLogin,
    *,
    code: str | None,
    issuer: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> ProviderIdentity:
    """Trade the authorization code for tokens and return who the ID token names."""
    metadata = provider.metadata()
    # RFC 9207 §2.4: a response from another provider (mix-up attack) is refused.
    if not issuer and metadata.authorization_response_iss_parameter_supported:
        raise InvalidCallback(
            "the callback has no iss parameter, which this provider always sends",
            reason="missing issuer",
        )
    if issuer and issuer != metadata.issuer:
        raise InvalidCallback(
            f"the callback comes from issuer {issuer!r}, not {metadata.issuer!r}",
            reason="wrong issuer",
        )
    if error:  # Core §3.1.2.6
        described = f"{error}: {error_description}" if error_description else error
        raise ProviderRefused(
            f"the OpenID provider refused the login ({described})", reason=f"provider: {error}"
        )
    if not code:
        raise InvalidCallback("the callback has no code", reason="missing code")
    tokens = _token_request(config, metadata, pending, code)
    claims = provider.validate_id_token(
        tokens.id_token,
        client_id=config.client_id,
        nonce=pending.nonce,
        access_token=tokens.access_token,
    )
    email = claims.get("email")
    name = claims.get("name")
    role = claims.get(config.role_claim)
    verified = claims.get("email_verified")
    return ProviderIdentity(
        issuer=metadata.issuer,
        subject=str(claims["sub"]),
        email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
        email_verified=verified if isinstance(verified, bool) else None,
        name=name[:128] if isinstance(name, str) and name else None,
        role=role if isinstance(role, str) else None,
    )


def _token_request(
    config: OidcConfig, metadata: ProviderMetadata, pending: PendingLogin, code: str
) -> TokenResponse:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": config.redirect_url,
        "code_verifier": pending.code_verifier,  # RFC 7636 §4.5
    }
    headers = {"Accept": "application/json"}
    methods = metadata.token_endpoint_auth_methods_supported
    if "client_secret_basic" in methods:
        # RFC 6749 §2.3.1: each part form-encoded before the Basic encoding.
        pair = f"{quote(config.client_id, safe='')}:{quote(config.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    elif "client_secret_post" in methods:
        form |= {"client_id": config.client_id, "client_secret": config.client_secret}
    else:
        raise ConfigurationError(
            "the OpenID provider supports neither client_secret_basic nor client_secret_post "
            f"at its token endpoint ({methods})"
        )
    try:
        response = httpx.post(
            metadata.token_endpoint, data=form, headers=headers, timeout=HTTP_TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise Unavailable(f"cannot reach the OpenID provider's token endpoint: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Unavailable(
            f"the OpenID provider's token endpoint answered {response.status_code} without JSON"
        )
    if response.status_code != 200 or "error" in body:  # RFC 6749 §5.2
        error = str(body.get("error") or f"HTTP {response.status_code}")
        described = body.get("error_description")
        raise ProviderRefused(
            f"the OpenID provider refused the code ({error}"
            + (f": {described})" if described else ")"),
            reason=f"token endpoint: {error}",
        )
    try:
        return TokenResponse.model_validate(body)
    except ValidationError as exc:
        raise ProviderRefused(
            "the OpenID provider's token response has no id_token or access_token "
            "(is 'openid' in SEALTRAIL_OIDC_SCOPES?)",
            reason="token endpoint: no id token",
        ) from exc


@dataclass(frozen=True)
class SignIn:
    """The user a single sign-on resolved to, and whether it was linked or created now."""

    user: User
    tenant: Tenant
    created: bool
    linked: bool


def sign_in(
    session: Session,
    tenant: Tenant,
    config: OidcConfig,
    identity: ProviderIdentity,
    *,
    now: datetime,
) -> SignIn:
    """The user of `tenant` for `identity`: matched, linked by email, or created.

    The user is found by (issuer, subject), else by email (linked when the provider says
    the email is verified), else created without a password. Their role is set from the
    role claim at every login, or from the default role when the claim is absent or not
    a Sealtrail role: the provider stays the source of truth for people who sign in
    through it. Every refusal happens before anything is written.
    """
    bind_tenant(session, tenant.id)
    user = session.scalar(
        select(User).where(
            User.tenant_id == tenant.id,
            User.oidc_issuer == identity.issuer,
            User.oidc_subject == identity.subject,
        )
    )
    linked = False
    if user is None:
        if identity.email is None:
            raise AccessDenied(
                "the OpenID provider sent no email claim; Sealtrail needs one "
                "(is 'email' in SEALTRAIL_OIDC_SCOPES?)",
                reason="no email claim",
            )
        email = identity.email
        user = session.scalar(select(User).where(User.tenant_id == tenant.id, User.email == email))
        if user is None:
            role = _role(config, identity, user=None, email=email)
            created = _create(session, tenant, identity, email, role, now)
            return SignIn(created, tenant, created=True, linked=False)
        _check_link(user, identity)
        linked = True
    if user.disabled_at is not None:
        raise AccessDenied(
            "this user is disabled", reason="user disabled", user=user, email=user.email
        )
    role = _role(config, identity, user=user, email=user.email)
    if linked:
        user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
    user.role = role.value
    user.name = identity.name or user.name
    user.last_login_at = now
    session.flush()
    return SignIn(user, tenant, created=False, linked=linked)


def _check_link(user: User, identity: ProviderIdentity) -> None:
    if user.oidc_subject is not None:
        raise AccessDenied(
            f"{user.email} is already linked to another identity of the OpenID provider",
            reason="email linked to another subject",
            user=user,
            email=user.email,
        )
    if identity.email_verified is not True:
        # Linking on an unverified address would hand over an existing account.
        raise AccessDenied(
            f"the OpenID provider has not verified {user.email}; it cannot be linked to the "
            "existing user of that email",
            reason="email not verified",
            user=user,
            email=user.email,
        )


def _role(
    config: OidcConfig, identity: ProviderIdentity, *, user: User | None, email: str | None
) -> Role:
    if identity.role in {role.value for role in Role}:
        return Role(identity.role)
    if config.default_role is not None:
        return config.default_role
    claim = config.role_claim
    raise AccessDenied(
        f"the OpenID provider's {claim!r} claim names no Sealtrail role "
        "(admin, analyst or auditor) and SEALTRAIL_OIDC_DEFAULT_ROLE is unset",
        reason="no role claim" if identity.role is None else "unknown role claim",
        user=user,
        email=email,
    )


def _create(
    session: Session,
    tenant: Tenant,
    identity: ProviderIdentity,
    email: str,
    role: Role,
    now: datetime,
) -> User:
    user = User(
        tenant_id=tenant.id,
        email=email,
        name=identity.name,
        role=role.value,
        superadmin=False,
        password_hash=None,
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
        created_at=now,
        last_login_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Two first logins of one person at once: the other created the user.
        raise Conflict(
            f"a user {email!r} was created at the same moment; sign in again", {"email": email}
        ) from None
    return user
