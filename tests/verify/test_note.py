"""Signed notes and checkpoints: the Go sumdb/note known-answer vector, and forgeries."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sealtrail.verify import merkle
from sealtrail.verify.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from sealtrail.verify.note import NoteError, Signer, Verifier, open_note, parse

# The published example of golang.org/x/mod/sumdb/note: interoperability, not just
# agreement with ourselves.
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_and_verifying_match_the_go_reference():
    signer = Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(GO_SEED))
    assert signer.verifier.encode() == GO_VERIFIER
    assert signer.sign(GO_TEXT) == GO_NOTE
    text, by = open_note(GO_NOTE, [Verifier.parse(GO_VERIFIER)])
    assert text == GO_TEXT
    assert by.encode() == GO_VERIFIER


def test_a_changed_text_or_signature_is_rejected():
    trusted = [Verifier.parse(GO_VERIFIER)]
    with pytest.raises(NoteError):
        open_note(GO_NOTE.replace("answer", "Answer"), trusted)
    text, sigs = parse(GO_NOTE)
    forged = bytearray(sigs[0].signature)
    forged[0] ^= 1
    blob = base64.b64encode(bytes.fromhex("c74f20a3") + bytes(forged)).decode()
    with pytest.raises(NoteError):
        open_note(f"{text}\n\u2014 PeterNeumann {blob}\n", trusted)


def test_a_note_signed_by_another_key_is_rejected_even_under_the_same_name():
    impostor = Signer.generate("PeterNeumann")
    with pytest.raises(NoteError, match="not signed by a trusted key"):
        open_note(impostor.sign(GO_TEXT), [Verifier.parse(GO_VERIFIER)])


def test_unknown_signatures_are_ignored_when_a_trusted_one_verifies():
    other = Signer.generate("witness.example/w1")
    cosigned = other.sign(GO_TEXT).split("\n\n")[1]
    text, by = open_note(GO_NOTE + cosigned, [Verifier.parse(GO_VERIFIER)])
    assert text == GO_TEXT
    assert by.name == "PeterNeumann"


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong name
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong type
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a3+!!!",
    ],
)
def test_malformed_verifier_keys_are_refused(key):
    with pytest.raises(NoteError):
        Verifier.parse(key)


def test_checkpoints_round_trip_and_refuse_forgeries():
    signer = Signer.generate("sealtrail.example/log")
    root = merkle.root_from_leaves([merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")])
    cp = Checkpoint(origin="sealtrail.example/log/acme", size=2, root=root)
    note = signer.sign(cp.body())
    assert note.startswith(f"sealtrail.example/log/acme\n2\n{base64.b64encode(root).decode()}\n\n")
    got, _ = open_checkpoint(note, [signer.verifier], origin="sealtrail.example/log/acme")
    assert got == cp
    with pytest.raises(CheckpointError):
        open_checkpoint(note.replace("\n2\n", "\n3\n", 1), [signer.verifier])
    with pytest.raises(CheckpointError, match=r"not 'sealtrail\.example/log/other'"):
        open_checkpoint(note, [signer.verifier], origin="sealtrail.example/log/other")
    with pytest.raises(CheckpointError):
        open_checkpoint(note, [Signer.generate("sealtrail.example/log").verifier])
    for body in [
        "o\n-1\nAAAA\n",
        "o\n01\n" + base64.b64encode(root).decode() + "\n",
        "o\n1\nAAAA\n",
    ]:
        with pytest.raises(CheckpointError):
            open_checkpoint(signer.sign(body), [signer.verifier])


def test_a_verifier_key_whose_base64_holds_a_plus_parses():
    # transparency-dev/formats test key: its base64 contains '+'
    key = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
    assert Verifier.parse(key).encode() == key


def test_the_verifier_imports_no_server_code():
    import subprocess
    import sys

    probe = (
        "import sys, sealtrail.verify.bundle; "
        "mods = sorted(m for m in sys.modules if m.startswith('sealtrail') "
        "and not m.startswith('sealtrail.verify') and m != 'sealtrail'); "
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'pydantic') if m in sys.modules]; "
        "print(mods, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []"
