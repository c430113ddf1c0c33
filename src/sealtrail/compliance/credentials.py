"""Cloud credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key in the
data directory (`secrets/credentials.key`, mode 0600), generated on first use.

Whoever holds the database alone cannot read the secrets; the key must be backed up
with the data directory (see docs/operations.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken

from sealtrail.errors import ConfigurationError


class CredentialBox:
    """Encrypts and decrypts the secret part of cloud account credentials."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> CredentialBox:
        """The box whose key lives in `data_dir` (created on first use)."""
        path = data_dir / "secrets" / "credentials.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process created it first: use theirs
            finally:
                tmp.unlink(missing_ok=True)
        return cls(path.read_bytes().strip())

    def seal(self, secret: dict[str, str]) -> str:
        """The encrypted form of a secret mapping."""
        return self._fernet.encrypt(orjson.dumps(secret)).decode()

    def open(self, token: str) -> dict[str, str]:
        """The secret mapping back; a clear error when the key does not match."""
        try:
            value: dict[str, str] = orjson.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ConfigurationError(
                "cannot decrypt stored cloud credentials: the data directory's "
                "secrets/credentials.key is not the key they were stored with"
            ) from None
        return value
