"""The browser verifier's vectors: made by today's ledger, and rejected by the Python verifier.

web/src/features/verify/vectors.json is what the TypeScript verifier is tested against;
if a change of the Python ledger (canonical form, tree, note format) alters what the API
serves, the committed vectors no longer match and the browser verifier must be checked
again: regenerate with `.venv/bin/python web/scripts/make_vectors.py`.
"""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sealtrail.verify import merkle
from sealtrail.verify.canonical import canonical_bytes, event_leaf_hash
from sealtrail.verify.checkpoint import CheckpointError, open_checkpoint
from sealtrail.verify.note import NoteError, Verifier

WEB = Path(__file__).resolve().parents[2] / "web"
SCRIPT = WEB / "scripts" / "make_vectors.py"
VECTORS = WEB / "src" / "features" / "verify" / "vectors.json"

# What each reason the browser verifier gives means in the Python verifier's words.
PROOF_REASONS = {
    "root_mismatch": "does not lead to the root",
    "path_too_long": "inclusion proof is too long",
    "path_too_short": "inclusion proof is too short",
    "index_out_of_range": "is outside a tree of size",
    "bad_hash_length": "bytes, not 32",
}
CONSISTENCY_REASONS = {
    "root_mismatch": "does not lead to the (first|second) root|different roots",
    "path_too_long": "too long|must be empty",
    "path_too_short": "too short|proof is empty",
    "index_out_of_range": "must be between",
    "bad_hash_length": "bytes, not 32",
}
NOTE_REASONS = {
    "bad_signature": "does not verify",
    "unknown_key": "not signed by a trusted key",
    "origin_mismatch": "checkpoint is for",
    "malformed_checkpoint": "a checkpoint's",
    "malformed_note": "a note|malformed signature line|a signature",
}
KEY_REASONS = {
    "key_id_mismatch": "id does not match",
    "malformed_key": "a verifier key|invalid key name",
}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_vectors", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return dict(json.loads(VECTORS.read_text(encoding="utf-8")))


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def test_the_committed_vectors_are_what_the_ledger_makes_today():
    script = _script()
    fresh = script.dumps(script.build_vectors())
    assert fresh == VECTORS.read_text(encoding="utf-8"), (
        "the Python ledger no longer produces web/src/features/verify/vectors.json: check the "
        "browser verifier against the change, then run .venv/bin/python web/scripts/make_vectors.py"
    )


def test_the_vectors_stay_small_enough_to_commit():
    assert VECTORS.stat().st_size < 120_000


def test_every_served_event_hashes_to_its_leaf_and_is_in_every_later_tree(vectors):
    events = vectors["events"]
    for event, canonical in zip(events, vectors["canonical"], strict=True):
        assert canonical_bytes(event).decode() == canonical
        assert event_leaf_hash(event) == b64d(event["ledger"]["leaf_hash"])
    for proof in vectors["inclusion"]:
        leaf = event_leaf_hash(events[proof["index"]])
        root = b64d(vectors["roots"][str(proof["tree_size"])])
        merkle.verify_inclusion(
            proof["index"], proof["tree_size"], leaf, [b64d(h) for h in proof["hashes"]], root
        )
    sizes = {p["tree_size"] for p in vectors["inclusion"]}
    assert sizes == set(range(1, len(events) + 1))


def test_every_checkpoint_opens_under_the_published_key(vectors):
    key = Verifier.parse(vectors["public_key"]["verifier_key"])
    origin = f"{vectors['origin']}/{vectors['tenant']}"
    for item in vectors["checkpoints"]:
        cp, _ = open_checkpoint(item["note"], [key], origin)
        assert cp.size == item["tree_size"]
        assert base64.b64encode(cp.root).decode() == vectors["roots"][str(cp.size)]
    # The last event came after the last checkpoint: the "not yet covered" case.
    latest, _ = open_checkpoint(vectors["checkpoint"], [key], origin)
    assert latest.size == len(vectors["events"]) - 1


def test_altered_events_no_longer_match_their_leaf_and_harmless_rewrites_do(vectors):
    for case in vectors["negative"]["events"]:
        original = b64d(vectors["events"][case["index"]]["ledger"]["leaf_hash"])
        same = event_leaf_hash(case["event"]) == original
        assert same == (case["expect"] == "same_leaf"), case["name"]


@pytest.mark.parametrize("reason", sorted(PROOF_REASONS))
def test_bad_inclusion_proofs_are_rejected_for_the_stated_reason(vectors, reason):
    cases = [c for c in vectors["negative"]["inclusion"] if c["expect"] == reason]
    assert cases
    for case in cases:
        with pytest.raises(merkle.ProofError, match=PROOF_REASONS[reason]):
            merkle.verify_inclusion(
                case["index"],
                case["tree_size"],
                b64d(case["leaf_hash"]),
                [b64d(h) for h in case["hashes"]],
                b64d(case["root"]),
            )


def test_every_served_consistency_proof_links_its_two_roots(vectors):
    roots = vectors["roots"]
    pairs = set()
    for proof in vectors["consistency"]:
        first, second = proof["first"], proof["second"]
        hashes = [b64d(h) for h in proof["hashes"]]
        merkle.verify_consistency(
            first, second, b64d(roots[str(first)]), b64d(roots[str(second)]), hashes
        )
        pairs.add((first, second))
    # The edge cases: from the empty tree, from one leaf, a power of two, equal sizes, N-1 to N.
    assert {(0, 13), (1, 13), (4, 13), (8, 13), (13, 13), (12, 13)} <= pairs


@pytest.mark.parametrize("reason", sorted(CONSISTENCY_REASONS))
def test_bad_consistency_proofs_are_rejected_for_the_stated_reason(vectors, reason):
    cases = [c for c in vectors["negative"]["consistency"] if c["expect"] == reason]
    assert cases
    for case in cases:
        with pytest.raises(merkle.ProofError, match=CONSISTENCY_REASONS[reason]):
            merkle.verify_consistency(
                case["first"],
                case["second"],
                b64d(case["first_root"]),
                b64d(case["second_root"]),
                [b64d(h) for h in case["hashes"]],
            )


@pytest.mark.parametrize("reason", sorted(NOTE_REASONS))
def test_bad_checkpoints_are_rejected_for_the_stated_reason(vectors, reason):
    origin = f"{vectors['origin']}/{vectors['tenant']}"
    cases = [c for c in vectors["negative"]["notes"] if c["expect"] == reason]
    assert cases
    for case in cases:
        key = Verifier.parse(case["verifier_key"])
        with pytest.raises(CheckpointError, match=NOTE_REASONS[reason]):
            open_checkpoint(case["note"], [key], origin)


@pytest.mark.parametrize("reason", sorted(KEY_REASONS))
def test_bad_verifier_keys_are_rejected_for_the_stated_reason(vectors, reason):
    cases = [c for c in vectors["negative"]["verifier_keys"] if c["expect"] == reason]
    assert cases
    for case in cases:
        with pytest.raises(NoteError, match=KEY_REASONS[reason]):
            Verifier.parse(case["key"])
