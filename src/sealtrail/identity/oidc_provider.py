"""An OpenID provider as Sealtrail talks to it: discovery, signing keys, ID token checks.

OpenID Connect Discovery 1.0 and Core 1.0 §3.1.3.7. The discovery document and the
JWKS are fetched once an hour (the keys again at once when a token names a key id we
do not know: the provider rotated). Only asymmetric signatures are accepted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from pydantic import BaseModel, ConfigDict, ValidationError

from sealtrail.errors import (
    BadRequest,
    ConfigurationError,
    Forbidden,
    SealtrailError,
    Unauthorized,
    Unavailable,
)
from sealtrail.identity.models import User

METADATA_LIFETIME = 3600.0  # seconds a discovery document and its keys are trusted
HTTP_TIMEOUT = 10.0
CLOCK_LEEWAY = 60  # seconds of clock skew tolerated on exp/iat
# Asymmetric algorithms only: the JWKS holds the provider's public keys, and neither
# HS* (keyed with the client secret) nor "none" is accepted for an ID token.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class OidcRefused(SealtrailError):
    """A refused single sign-on; `reason` (also in the details) and who tried, when known."""

    def __init__(
        self, message: str, *, reason: str, user: User | None = None, email: str | None = None
    ) -> None:
        super().__init__(message, {"reason": reason})
        self.reason = reason
        self.user = user
        self.email = email


class InvalidCallback(OidcRefused, BadRequest):
    """The provider's answer cannot belong to a login we started (state, issuer)."""


class ProviderRefused(OidcRefused, Unauthorized):
    """The provider said no, or what it sent cannot be trusted (code, ID token)."""


class AccessDenied(OidcRefused, Forbidden):
    """The person is known to the provider but may not use Sealtrail (role, disabled)."""


class ProviderMetadata(BaseModel):
    """The parts of the discovery document Sealtrail uses (OIDC Discovery 1.0 §3)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    # Defaults when the provider does not say (OIDC Discovery 1.0 §3).
    token_endpoint_auth_methods_supported: list[str] = ["client_secret_basic"]
    id_token_signing_alg_values_supported: list[str] = ["RS256"]
    code_challenge_methods_supported: list[str] | None = None
    authorization_response_iss_parameter_supported: bool = False  # RFC 9207 §3


class TokenResponse(BaseModel):
    """A successful token endpoint answer (Core §3.1.3.3)."""

    model_config = ConfigDict(extra="ignore")

    access_token: str
    token_type: str
    id_token: str


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider vouches for, from a validated ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool | None
    name: str | None
    role: str | None


class OpenIdProvider:
    """An OpenID provider's discovery document and signing keys, fetched once an hour."""

    def __init__(self, issuer: str, *, lifetime: float = METADATA_LIFETIME) -> None:
        self.issuer = issuer
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def metadata(self) -> ProviderMetadata:
        """The discovery document, checked to name this issuer and to offer PKCE S256."""
        with self._lock:
            if self._metadata is None or self._metadata[0] < time.monotonic():
                self._metadata = (time.monotonic() + self.lifetime, self._discover())
            return self._metadata[1]

    def signing_keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's JWKS; `refresh` fetches it again (the provider rotated keys)."""
        jwks_uri = self.metadata().jwks_uri
        with self._lock:
            if refresh or self._keys is None or self._keys[0] < time.monotonic():
                document = _get_json(jwks_uri, what="signing keys (JWKS)")
                try:
                    keys = KeySet.import_key_set(document)
                except (JoseError, ValueError, TypeError, KeyError) as exc:
                    raise Unavailable(
                        f"the OpenID provider's JWKS at {jwks_uri} is invalid: {exc}"
                    ) from exc
                self._keys = (time.monotonic() + self.lifetime, keys)
            return self._keys[1]

    def _discover(self) -> ProviderMetadata:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            metadata = ProviderMetadata.model_validate(_get_json(url, what="discovery document"))
        except ValidationError as exc:
            raise Unavailable(
                f"the OpenID provider's discovery document at {url} is invalid: {exc}"
            ) from exc
        if metadata.issuer != self.issuer:  # OIDC Discovery 1.0 §4.3
            raise ConfigurationError(
                f"the provider at {url} says its issuer is {metadata.issuer!r}, not "
                f"{self.issuer!r}; set SEALTRAIL_OIDC_ISSUER to exactly the issuer it names"
            )
        methods = metadata.code_challenge_methods_supported
        if methods is not None and "S256" not in methods:
            raise ConfigurationError(
                f"the OpenID provider {self.issuer} does not offer PKCE with S256 ({methods})"
            )
        return metadata

    def validate_id_token(
        self, id_token: str, *, client_id: str, nonce: str, access_token: str
    ) -> dict[str, Any]:
        """The claims of an ID token whose signature, iss, aud, exp and nonce are right."""
        metadata = self.metadata()
        allowed = [
            a for a in metadata.id_token_signing_alg_values_supported if a in SIGNING_ALGORITHMS
        ]
        # Providers add header parameters of their own; only the signature matters here.
        registry = JWSRegistry(algorithms=allowed, strict_check_header=False)
        try:
            try:
                token = jwt.decode(id_token, self.signing_keys(), registry=registry)
            except InvalidKeyIdError:
                token = jwt.decode(id_token, self.signing_keys(refresh=True), registry=registry)
            claims = CodeIDToken(  # Core §3.1.3.7
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": metadata.issuer},
                    "aud": {"essential": True, "value": client_id},
                    "nonce": {"essential": True},
                },
                {"nonce": nonce, "client_id": client_id, "access_token": access_token},
            )
            claims.validate(leeway=CLOCK_LEEWAY)
        except JoseError as exc:
            why = f"{exc.error}: {exc.description}" if exc.description else exc.error
            raise ProviderRefused(
                f"the ID token from the OpenID provider is not valid ({why})",
                reason=f"invalid id token: {exc.error}",
            ) from exc
        return dict(claims)


@lru_cache(maxsize=8)
def provider_for(issuer: str) -> OpenIdProvider:
    """The (process-wide, cached) provider of `issuer`."""
    return OpenIdProvider(issuer)


def _get_json(url: str, *, what: str) -> Any:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise Unavailable(
            f"cannot read the OpenID provider's {what} at {url}: {exc}", {"url": url}
        ) from exc
