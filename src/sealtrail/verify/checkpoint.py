"""Checkpoints in the C2SP tlog-checkpoint format (https://c2sp.org/tlog-checkpoint).

The body is three lines and optional extension lines:

    <origin>
    <tree size, decimal>
    <root hash, standard base64>
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from sealtrail.verify.note import NoteError, Verifier, open_note

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class CheckpointError(ValueError):
    """A checkpoint is malformed, unsigned or for another log."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text to sign."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse_body(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise CheckpointError("a checkpoint is origin, size and root hash lines")
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin:
            raise CheckpointError("a checkpoint's origin line is empty")
        if not _SIZE.fullmatch(size):
            raise CheckpointError(f"a checkpoint's tree size {size!r} is not a decimal number")
        try:
            raw = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise CheckpointError("a checkpoint's root hash is not base64") from None
        if len(raw) != 32:
            raise CheckpointError("a checkpoint's root hash is not 32 bytes")
        extensions = tuple(lines[3:-1])
        if any(not e for e in extensions):
            raise CheckpointError("a checkpoint has an empty extension line")
        return cls(origin=origin, size=int(size), root=raw, extensions=extensions)


def open_checkpoint(
    note: str, trusted: list[Verifier], origin: str | None = None
) -> tuple[Checkpoint, Verifier]:
    """Verify a signed checkpoint and parse it; CheckpointError on any failure."""
    try:
        text, signer = open_note(note, trusted)
    except NoteError as exc:
        raise CheckpointError(str(exc)) from None
    checkpoint = Checkpoint.parse_body(text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return checkpoint, signer
