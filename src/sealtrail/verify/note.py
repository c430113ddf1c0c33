"""C2SP signed notes with Ed25519 (https://c2sp.org/signed-note) and the verifier key
format `<name>+<key id hex>+<base64(0x01 || public key)>`.

A note is text ending in a newline, a blank line, then signature lines
`— <key name> base64(4-byte key id || signature)`. The signature covers the text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
EM_DASH = "\u2014"
MAX_SIGNATURES = 16


class NoteError(ValueError):
    """A note is malformed or carries no valid signature of a trusted key."""


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()
    return int(struct.unpack(">I", digest[:4])[0])


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")


@dataclass(frozen=True)
class Verifier:
    """A public key a note may be signed with."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        """The verifier key string: `<name>+<key id hex>+<base64(0x01 || key)>`."""
        raw = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{raw}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Parse a verifier key string; NoteError when it is malformed or inconsistent."""
        # The base64 key may itself contain '+': split on the first two only.
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<key id hex>+<base64 key>")
        name, id_hex, b64 = parts
        _check_name(name)
        try:
            raw = base64.b64decode(b64, validate=True)
            claimed = int(id_hex, 16)
        except (binascii.Error, ValueError):
            raise NoteError("a verifier key has a bad key id or base64 key") from None
        if len(id_hex) != 8 or len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("a verifier key must hold an Ed25519 key (type 0x01, 32 bytes)")
        verifier = cls(name=name, public_key=raw[1:])
        if verifier.key_id != claimed:
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private key that signs notes under a name."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name=name, private_key=Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(name=self.name, public_key=public)

    def sign(self, text: str) -> str:
        """The signed note: `text` (which must end in a newline) with this key's signature."""
        _check_text(text)
        signature = self.private_key.sign(text.encode())
        blob = struct.pack(">I", self.verifier.key_id) + signature
        return f"{text}\n{EM_DASH} {self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    signature: bytes


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text must not contain control characters")


def parse(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines (nothing verified yet)."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("a note must not contain control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("a note is text, a blank line and signature lines")
    text, block = note[: split + 1], note[split + 2 :]
    signatures: list[Signature] = []
    for line in block.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH:
            raise NoteError(f"malformed signature line {line!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise NoteError("a signature is not base64") from None
        if len(blob) < 5:
            raise NoteError("a signature is too short")
        signatures.append(Signature(parts[1], struct.unpack(">I", blob[:4])[0], blob[4:]))
    if not signatures:
        raise NoteError("a note carries no signature")
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"a note carries more than {MAX_SIGNATURES} signatures")
    return text, signatures


def open_note(note: str, trusted: list[Verifier]) -> tuple[str, Verifier]:
    """The note's text and the trusted key that signed it.

    Signatures of unknown keys are ignored; a signature of a known key that does not
    verify rejects the note, and so does a note no known key signed.
    """
    text, signatures = parse(note)
    known = {(v.name, v.key_id): v for v in trusted}
    signed_by: Verifier | None = None
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), sig.signature):
            raise NoteError(f"the signature of {verifier.encode()} does not verify")
        signed_by = signed_by or verifier
    if signed_by is None:
        raise NoteError("the note is not signed by a trusted key")
    return text, signed_by
