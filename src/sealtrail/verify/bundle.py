"""Offline verification of a ledger export bundle; needs no server and no database.

A bundle is a tar file with, in this order:

- `keys.txt`: the instance's checkpoint verifier keys, one per line;
- `checkpoints.ndjson`: `{"tree_size", "note"}` per line, sizes increasing;
- `proofs.json`: `{"consistency": [{"first", "second", "hashes"}],
  "left": [[level, index, hash]], "right": [[level, index, hash]]}`: consistency proofs
  between consecutive checkpoints, and the complete subtrees before the first exported
  leaf and after the last one up to the last checkpoint;
- `events.ndjson`: `{"index", "leaf_hash", "event"}` per leaf of the exported slice, in
  index order (`event` left out for leaves outside the requested time window);
- `manifest.json`: what the bundle holds and the SHA-256 of each file above.

Verification recomputes every leaf hash from its event (RFC 8785 bytes), rebuilds the
tree and compares its root with every signed checkpoint inside the slice and with the
last one; checks every checkpoint signature and every consistency proof; and names the
first failing ledger index.
"""

from __future__ import annotations

import binascii
import hashlib
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from sealtrail.verify import merkle
from sealtrail.verify.canonical import event_leaf_hash
from sealtrail.verify.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from sealtrail.verify.note import NoteError, Verifier

FORMAT = "sealtrail-ledger-export/1"
MEMBERS = ("keys.txt", "checkpoints.ndjson", "proofs.json", "events.ndjson", "manifest.json")


class VerificationError(Exception):
    """The bundle does not verify; `index` is the first failing ledger index, if any."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


@dataclass
class Report:
    """What a successful verification covered."""

    origin: str = ""
    first_index: int = 0
    end_index: int = 0
    events: int = 0
    withheld: int = 0
    checkpoints: list[int] = field(default_factory=list)
    consistency_proofs: int = 0
    keys: list[str] = field(default_factory=list)
    keys_from_bundle: bool = False


class _Hashing:
    """Reads a tar member while hashing it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def lines(self) -> Iterator[bytes]:
        for line in self.raw:
            self.sha.update(line)
            yield line

    def read(self) -> bytes:
        data = self.raw.read()
        self.sha.update(data)
        return data


def _b64(value: Any, what: str) -> bytes:
    try:
        # What base64.b64decode(value, validate=True) does, without its Python layer.
        raw = binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, TypeError, ValueError):
        raise VerificationError(f"{what} is not base64") from None
    if len(raw) != merkle.HASH_SIZE:
        raise VerificationError(f"{what} is not a 32-byte hash")
    return raw


def _json(data: bytes, what: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise VerificationError(f"{what} is not valid JSON: {exc}") from None


def verify_bundle(path: Path, trusted_keys: list[str] | None = None) -> Report:
    """Verify the bundle at `path`; raise VerificationError naming what failed."""
    report = Report()
    digests: dict[str, str] = {}
    try:
        tar = tarfile.open(path, mode="r|*")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, OSError) as exc:
        raise VerificationError(f"cannot read the bundle: {exc}") from None
    with tar:
        seen: list[str] = []
        state = _State(report)
        for member in tar:
            if member.name not in MEMBERS or member.name in seen or not member.isfile():
                raise VerificationError(f"unexpected member {member.name!r} in the bundle")
            expected = MEMBERS[len(seen)]
            if member.name != expected:
                raise VerificationError(f"bundle member {expected!r} is missing or out of order")
            seen.append(member.name)
            raw = tar.extractfile(member)
            assert raw is not None
            reader = _Hashing(raw)
            if member.name == "keys.txt":
                state.keys(reader.read().decode(), trusted_keys)
            elif member.name == "checkpoints.ndjson":
                state.checkpoints(reader.lines())
            elif member.name == "proofs.json":
                state.proofs(_json(reader.read(), "proofs.json"))
            elif member.name == "events.ndjson":
                state.events(reader.lines())
            else:
                manifest = _json(reader.read(), "manifest.json")
                state.manifest(manifest, digests)
            digests[member.name] = reader.sha.hexdigest()
        if len(seen) != len(MEMBERS):
            raise VerificationError(f"bundle member {MEMBERS[len(seen)]!r} is missing")
    return report


class _State:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.verifiers: list[Verifier] = []
        self.checkpoint_list: list[Checkpoint] = []
        self.by_size: dict[int, Checkpoint] = {}
        self.left: list[tuple[int, int, bytes]] = []
        self.right: list[tuple[int, int, bytes]] = []

    def keys(self, text: str, trusted: list[str] | None) -> None:
        lines = trusted if trusted else [k for k in text.splitlines() if k.strip()]
        self.report.keys_from_bundle = not trusted
        try:
            self.verifiers = [Verifier.parse(k) for k in lines]
        except NoteError as exc:
            raise VerificationError(f"bad verifier key: {exc}") from None
        if not self.verifiers:
            raise VerificationError("no verifier key to check checkpoints with")
        self.report.keys = [v.encode() for v in self.verifiers]

    def checkpoints(self, lines: Iterator[bytes]) -> None:
        origin: str | None = None
        for line in lines:
            item = _json(line, "a checkpoint line")
            try:
                cp, _ = open_checkpoint(str(item["note"]), self.verifiers, origin)
            except (CheckpointError, KeyError, TypeError) as exc:
                size = item.get("tree_size") if isinstance(item, dict) else None
                raise VerificationError(f"checkpoint at tree size {size}: {exc}") from None
            origin = cp.origin
            if self.checkpoint_list and cp.size <= self.checkpoint_list[-1].size:
                raise VerificationError(f"checkpoint at tree size {cp.size} is out of order")
            self.checkpoint_list.append(cp)
            self.by_size[cp.size] = cp
        if not self.checkpoint_list:
            raise VerificationError("the bundle holds no checkpoint")
        self.report.origin = origin or ""
        self.report.checkpoints = [c.size for c in self.checkpoint_list]

    def proofs(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            raise VerificationError("proofs.json is not an object")
        proofs = {(p["first"], p["second"]): p["hashes"] for p in doc.get("consistency", [])}
        for a, b in zip(self.checkpoint_list, self.checkpoint_list[1:], strict=False):
            hashes = proofs.get((a.size, b.size))
            if hashes is None:
                raise VerificationError(
                    f"no consistency proof between tree sizes {a.size} and {b.size}"
                )
            path = [_b64(h, "a consistency proof hash") for h in hashes]
            try:
                merkle.verify_consistency(a.size, b.size, a.root, b.root, path)
            except merkle.ProofError as exc:
                raise VerificationError(
                    f"checkpoints at tree sizes {a.size} and {b.size} are not consistent: {exc}"
                ) from None
            self.report.consistency_proofs += 1
        self.left = [(int(lv), int(ix), _b64(h, "an edge hash")) for lv, ix, h in doc["left"]]
        self.right = [(int(lv), int(ix), _b64(h, "an edge hash")) for lv, ix, h in doc["right"]]

    def events(self, lines: Iterator[bytes]) -> None:
        tree = merkle.Appender()
        for level, pos, node in self.left:
            if pos << level != tree.size:
                raise VerificationError("the left edge of the slice is malformed")
            tree.push(level, node)
        first = tree.size
        verified_to = first  # leaves below this index are covered by a matching checkpoint
        expected = first
        for line in lines:
            item = _json(line, f"the event line after index {expected - 1}")
            raw_index = item.get("index") if isinstance(item, dict) else None
            if not isinstance(raw_index, int) or isinstance(raw_index, bool):
                raise VerificationError(f"the line after index {expected - 1} has no index")
            index: int = raw_index
            if index > expected:
                raise VerificationError(f"index {expected} is missing", expected)
            if index < expected:
                raise VerificationError(f"index {index} appears again or out of order", index)
            claimed = _b64(item.get("leaf_hash"), f"the leaf hash of index {index}")
            event = item.get("event")
            if event is None:
                leaf = claimed
                self.report.withheld += 1
            elif not isinstance(event, dict):
                raise VerificationError(f"index {index}: the event is not a JSON object", index)
            else:
                leaf = event_leaf_hash(event)
                if leaf != claimed:
                    raise VerificationError(
                        f"index {index}: the event does not match its leaf hash (altered)", index
                    )
                self.report.events += 1
            tree.push(0, leaf)
            expected += 1
            cp = self.by_size.get(tree.size)
            if cp is not None:
                if tree.root() != cp.root:
                    raise VerificationError(
                        f"index {verified_to}: the events from index {verified_to} to "
                        f"{tree.size - 1} do not match the checkpoint at tree size {cp.size}",
                        verified_to,
                    )
                verified_to = tree.size
        end = tree.size
        last = self.checkpoint_list[-1]
        signed_end = self.right[0][1] << self.right[0][0] if self.right else last.size
        if end < signed_end:
            raise VerificationError(f"index {end} is missing: the events end early", end)
        if end > signed_end:
            raise VerificationError(
                f"index {signed_end}: more events than the signed tree holds", signed_end
            )
        for level, pos, node in self.right:
            if pos << level != tree.size:
                raise VerificationError("the right edge of the slice is malformed")
            tree.push(level, node)
        if tree.size != last.size or tree.root() != last.root:
            raise VerificationError(
                f"index {verified_to}: the events from index {verified_to} to {end - 1} do not "
                f"match the checkpoint at tree size {last.size}",
                verified_to,
            )
        self.report.first_index, self.report.end_index = first, end

    def manifest(self, doc: Any, digests: dict[str, str]) -> None:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise VerificationError(f"manifest.json is not a {FORMAT} manifest")
        files = doc.get("files", {})
        for name, digest in digests.items():
            if files.get(name) != digest:
                raise VerificationError(f"{name} does not match its SHA-256 in manifest.json")
        if doc.get("origin") != self.report.origin:
            raise VerificationError("manifest.json names another log than the checkpoints")
