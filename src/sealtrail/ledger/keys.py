"""The instance's checkpoint signing keys, kept in the data directory.

`<data dir>/ledger/origin` holds the instance origin (the key name, and the first part
of every checkpoint's origin line); `<data dir>/ledger/keys/<key id>.pem` holds each
Ed25519 private key (mode 0600); `<data dir>/ledger/active` names the key that signs.
Rotating adds a key and makes it active; old keys stay, so old checkpoints still verify.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from sealtrail.errors import ConfigurationError
from sealtrail.verify.note import Signer, Verifier


@dataclass(frozen=True)
class KeyRing:
    """The active signer and every verifier the instance has used."""

    origin: str
    active: Signer
    verifiers: tuple[Verifier, ...]

    def verifier(self, key_id: str) -> Verifier | None:
        return next((v for v in self.verifiers if f"{v.key_id:08x}" == key_id), None)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _new_key(keys_dir: Path, origin: str) -> Signer:
    signer = Signer(origin, Ed25519PrivateKey.generate())
    pem = signer.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    _write_private(keys_dir / f"{signer.verifier.key_id:08x}.pem", pem)
    return signer


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def load_keyring(data_dir: Path, origin: str | None = None) -> KeyRing:
    """Load the keys, creating the origin and a first key on first start."""
    root = data_dir / "ledger"
    keys_dir = root / "keys"
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    origin_file = root / "origin"
    if origin is None:
        if not origin_file.exists():
            _atomic_write(origin_file, f"sealtrail.local/{secrets.token_hex(6)}\n")
        origin = origin_file.read_text().strip()
    elif not origin_file.exists():
        _atomic_write(origin_file, origin + "\n")
    elif origin_file.read_text().strip() != origin:
        # Key ids are derived from the name: changing it would orphan every checkpoint.
        raise ConfigurationError(
            f"the ledger origin is {origin_file.read_text().strip()!r} since the first start; "
            f"it cannot become {origin!r}"
        )
    active_file = root / "active"
    if not active_file.exists():
        signer = _new_key(keys_dir, origin)
        _atomic_write(active_file, f"{signer.verifier.key_id:08x}\n")
    signers: dict[str, Signer] = {}
    for pem in sorted(keys_dir.glob("*.pem")):
        key = load_pem_private_key(pem.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError(f"{pem} is not an Ed25519 key")
        signer = Signer(origin, key)
        signers[f"{signer.verifier.key_id:08x}"] = signer
    active_id = active_file.read_text().strip()
    if active_id not in signers:
        raise ConfigurationError(f"active ledger key {active_id} is missing from {keys_dir}")
    return KeyRing(
        origin=origin,
        active=signers[active_id],
        verifiers=tuple(s.verifier for s in signers.values()),
    )


def rotate(data_dir: Path, origin: str | None = None) -> KeyRing:
    """Create a new signing key and make it the active one."""
    ring = load_keyring(data_dir, origin)
    signer = _new_key(data_dir / "ledger" / "keys", ring.origin)
    _atomic_write(data_dir / "ledger" / "active", f"{signer.verifier.key_id:08x}\n")
    return load_keyring(data_dir, origin)
