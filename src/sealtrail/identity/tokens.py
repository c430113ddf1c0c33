"""Access tokens (JWT HS256) and the secret that signs them.

Only HS256 is accepted, with every time claim required: a token with `alg: none`,
another algorithm, another secret, or outside its validity window is refused before
any claim is read. Who the token names is then looked up in the database on every
request (`identity.sessions.authenticate_access_token`), so a disabled user or a
logged-out session stops working at once, not when the token expires.
"""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from sealtrail.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "sealtrail"
AUDIENCE = "sealtrail-api"
_REQUIRED = ["exp", "iat", "nbf", "sub", "jti", "iss", "aud"]


def load_secret(configured: str | None, data_dir: Path) -> bytes:
    """The configured secret, or one generated on first use into the data directory (0600)."""
    if configured:
        return configured.encode()
    path = data_dir / "secrets" / "jwt-secret"
    if path.exists():
        return path.read_text().strip().encode()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_hex(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    try:
        # Two processes starting together: the first file to land wins, both use it.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says."""

    user_id: int
    tenant_id: int
    tenant: str
    role: str
    session: str
    token_id: str
    issued_at: datetime


def issue(
    secret: bytes,
    *,
    user_id: int,
    tenant_id: int,
    tenant: str,
    role: str,
    session: str,
    now: datetime,
    lifetime: timedelta,
) -> tuple[str, datetime]:
    """A signed access token and its expiry."""
    expires = now + lifetime
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "tid": tenant_id,
        "tenant": tenant,
        "role": role,
        "sid": session,
        "jti": uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


def decode(secret: bytes, token: str) -> AccessClaims:
    """Verify signature, algorithm and validity window; Unauthorized with the reason if not."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized("malformed access token") from None
    if header.get("alg") != ALGORITHM:
        raise Unauthorized(f"access tokens must be signed with {ALGORITHM}")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": _REQUIRED},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("access token has expired") from None
    except jwt.ImmatureSignatureError:
        raise Unauthorized("access token is not valid yet") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("access token signature does not verify") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid access token: {exc}") from None
    try:
        return AccessClaims(
            user_id=int(claims["sub"]),
            tenant_id=int(claims["tid"]),
            tenant=str(claims["tenant"]),
            role=str(claims["role"]),
            session=str(claims["sid"]),
            token_id=str(claims["jti"]),
            issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
        )
    except (KeyError, TypeError, ValueError):
        raise Unauthorized("access token lacks required claims") from None
