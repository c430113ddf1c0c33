"""Test vectors for the browser verifier (web/src/features/verify), made by the real ledger.

A temporary runtime (SQLite, a fixed signing key, a fixed clock) ingests a few events
through the HTTP API, stores them with the real worker and signs checkpoints; the
vectors are what the API then serves (stored events, inclusion proofs, checkpoints, the
public key) plus tampered copies the verifiers must reject, each with the reason.

    .venv/bin/python web/scripts/make_vectors.py   # writes web/src/features/verify/vectors.json

tests/verify/test_web_vectors.py regenerates them and compares with the committed file.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from fastapi.testclient import TestClient

from sealtrail.api.app import create_app
from sealtrail.config import Settings
from sealtrail.identity import service as identity
from sealtrail.identity.schemas import Scope
from sealtrail.observability.logging import configure_logging
from sealtrail.runtime import Runtime
from sealtrail.verify import merkle
from sealtrail.verify.canonical import canonical_bytes
from sealtrail.verify.checkpoint import Checkpoint
from sealtrail.verify.note import Signer

# (first, second) pairs of the served consistency proofs: the empty tree, one leaf, powers
# of two, equal sizes, one leaf apart, and checkpoint to checkpoint.
CONSISTENCY = [(0, 13), (1, 13), (2, 13), (4, 13), (8, 13), (1, 5), (5, 8), (5, 13), (7, 13)]
CONSISTENCY += [(12, 13), (13, 13), (1, 1), (3, 4), (6, 14)]
OUT = Path(__file__).resolve().parent.parent / "src" / "features" / "verify" / "vectors.json"
ORIGIN = "sealtrail.test/vectors"
TENANT = "acme"
IDS = uuid.UUID("5ea17a11-0000-4000-8000-000000000000")
START = datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC)


def _signer(label: str, name: str = ORIGIN) -> Signer:
    """A fixed Ed25519 key: the vectors must not change between runs."""
    seed = hashlib.sha256(f"sealtrail web vectors: {label}".encode()).digest()
    return Signer(name, Ed25519PrivateKey.from_private_bytes(seed))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _flip(b64: str, byte: int = 0) -> str:
    """The base64 of the same bytes with one bit of `byte` flipped."""
    raw = bytearray(base64.b64decode(b64))
    raw[byte] ^= 0x01
    return _b64(bytes(raw))


def _event(n: int, minute: int, action: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(IDS, f"event-{n}")),
        "time": f"2026-03-02T09:{minute:02d}:00Z",
        "action": action,
        "actor": {"type": "user", "id": f"u-{n}"},
        **fields,
    }


def producer_events() -> list[list[dict[str, Any]]]:
    """The events as producers send them, in ingest batches (a checkpoint after each but
    the last, so the last event is not yet covered by a checkpoint)."""
    login = _event(0, 0, "user.login", outcome="success", source={"app": "portal"})
    unicode = _event(
        1,
        1,
        "document.share",
        time="2026-03-02T11:01:30.5+02:00",  # stored in UTC
        actor={"id": "u-1", "name": "Zoë Ångström-Ñúñez", "email": "zoe@example.com"},
        targets=[{"type": "document", "id": "d-7", "name": "Straße №5 — “Q3 Bericht”"}],
        description="Shared with 日本チーム 🚀 (café, NFC é)",
    )
    numbers = _event(
        2,
        2,
        "trade.order.create",
        category="trading",
        metadata={
            "amount": 18250,
            "price": 18.25,
            "big": 1e21,
            "e20": 1e20,
            "tenth": 0.1,
            "third": 1 / 3,
            "neg_zero": -0.0,
            "one_point_zero": 1.0,
            "max_safe": 2**53 - 1,
            "min_safe": -(2**53 - 1),
            "small": 1e-7,
            "micro": 0.000001,
            "huge": 1.7976931348623157e308,
            "tiny": 5e-324,
            "negative": -123.456,
        },
    )
    ordering = _event(
        3,
        3,
        "settings.update",
        metadata={
            "b": 1,
            "a": 2,
            "B": 3,
            "_": 4,
            "10": 5,
            "2": 6,
            "1": 7,
            "é": 8,
            "e": 9,
            "\uff5e": "U+FF5E sorts after U+1F600 in UTF-16, before it by code point",
            "\U0001f600": "astral: a surrogate pair in UTF-16",
            "€": 12,
            "": "empty key",
            "__proto__": {"polluted": True},
            "toJSON": "a key, not a method",
        },
    )
    nested = _event(
        4,
        4,
        "role.grant",
        outcome="success",
        targets=[{"type": "user", "id": "u-9"}, {"type": "role", "id": "approver"}],
        changes={
            "before": {
                "roles": ["viewer"],
                "limits": {"daily": 1000, "currency": "EUR"},
                "x": None,
            },
            "after": {
                "roles": ["viewer", "approver"],
                "limits": {"daily": 2500.5, "currency": "EUR"},
                "flags": {"mfa": True, "sso": False},
                "empty_object": {},
                "empty_list": [],
            },
        },
        metadata={
            "l1": {"l2": {"l3": {"l4": "deep"}}},
            "mixed": [3, "two", [1, {"z": 0, "a": -1}], None],
        },
    )
    escapes = _event(
        5,
        5,
        "report.export",
        description='tab\there "quoted" back\\slash ctrl \u0001\u001f del \u007f '
        "line sep \u2028 para sep \u2029 </script> & /slash",
        context={"request_id": 'req-"1"', "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
    )
    plain = [
        _event(
            n,
            n,
            action,
            outcome=outcome,
            actor={"type": kind, "id": f"svc-{n}"},
            source={
                "app": "trading",
                "service": "order-api",
                "environment": "prod",
                "version": "4.2.0",
            },
            targets=[{"type": "order", "id": f"o-{1000 + n}"}],
        )
        for n, action, outcome, kind in [
            (6, "trade.order.cancel", "failure", "service"),
            (7, "trade.order.fill", "success", "api_key"),
            (8, "user.logout", "unknown", "user"),
            (9, "key.rotate", "success", "system"),
            (10, "trade.order.create", "success", "service"),
            (11, "user.password.reset", "failure", "user"),
            (12, "export.download", "success", "user"),
            (13, "user.login", "success", "user"),
        ]
    ]
    return [
        [login],
        [unicode, numbers, ordering, nested],
        [escapes, *plain[:2]],
        plain[2:7],
        plain[7:],
    ]


def _runtime(data: Path) -> Runtime:
    """A migrated runtime whose ledger signs with the fixed key."""
    signer = _signer("checkpoint key")
    keys = data / "ledger" / "keys"
    keys.mkdir(parents=True)
    key_id = f"{signer.verifier.key_id:08x}"
    pem = signer.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    (keys / f"{key_id}.pem").write_bytes(pem)
    (data / "ledger" / "active").write_text(key_id + "\n")
    settings = Settings(
        data_dir=data,
        database_url=None,
        broker_url=None,
        ledger_origin=ORIGIN,
        sqlite_synchronous="NORMAL",
        worker_retry_delay=0,
        log_level="warning",
    )
    runtime = Runtime.build(settings)
    runtime.migrate()
    return runtime


def _served(runtime: Runtime) -> dict[str, Any]:
    """Ingest the events with a fixed clock and read back what the API serves."""
    with runtime.factory() as session, session.begin():
        identity.create_tenant(session, TENANT)
        key = identity.create_api_key(
            session, identity.get_tenant(session, TENANT), "vectors", [Scope.admin]
        ).key
    auth = {"Authorization": f"Bearer {key}"}
    ids: list[str] = []
    worker = runtime.worker()
    with TestClient(create_app(runtime)) as client:
        batches = producer_events()
        for n, batch in enumerate(batches):
            received = START + timedelta(seconds=n, microseconds=n)
            with mock.patch("sealtrail.events.routes.utcnow", return_value=received):
                r = client.post("/api/v1/audit/events", json=batch, headers=auth)
            assert r.status_code == 202, r.text
            ids += r.json()["ids"]
            while worker.process_once():
                pass
            if n < len(batches) - 1:
                assert runtime.issue_checkpoints() == 1
        events = [client.get(f"/api/v1/audit/events/{i}", headers=auth).json() for i in ids]
        size = len(events)
        proofs = [
            client.get(
                "/api/v1/ledger/proofs/inclusion",
                params={"index": index, "tree_size": tree_size},
                headers=auth,
            ).json()
            for tree_size in range(1, size + 1)
            for index in range(tree_size)
        ]
        consistency = [
            client.get(
                "/api/v1/ledger/proofs/consistency",
                params={"first": first, "second": second},
                headers=auth,
            ).json()
            for first, second in CONSISTENCY
        ]
        checkpoints = client.get("/api/v1/ledger/checkpoints", headers=auth).json()["items"]
        return {
            "public_key": client.get("/api/v1/ledger/public-key", headers=auth).json(),
            "checkpoint": client.get("/api/v1/ledger/checkpoint", headers=auth).text,
            "checkpoints": [{"tree_size": c["tree_size"], "note": c["note"]} for c in checkpoints],
            "events": sorted(events, key=lambda e: e["ledger"]["index"]),
            "inclusion": proofs,
            "consistency": consistency,
        }


def _event_cases(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of stored events: altered ones (leaf_mismatch) and harmless rewrites
    (same_leaf) that must hash to the same leaf."""

    def case(name: str, index: int, expect: str, change: Any) -> dict[str, Any]:
        """A copy of event `index` that `change` alters in place."""
        event = copy.deepcopy(events[index])
        change(event)
        return {"name": name, "index": index, "expect": expect, "event": event}

    def reversed_keys(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: reversed_keys(node[k]) for k in reversed(list(node))}
        return [reversed_keys(v) for v in node] if isinstance(node, list) else node

    def reordered(event: dict[str, Any]) -> None:
        new = reversed_keys(event)
        event.clear()
        event.update(new)

    return [
        case("action changed", 0, "leaf_mismatch", lambda e: e.update(action="user.logout")),
        case("outcome changed", 6, "leaf_mismatch", lambda e: e.update(outcome="success")),
        case(
            "a float changed by one ulp",
            2,
            "leaf_mismatch",
            lambda e: e["metadata"].update(tenth=0.30000000000000004 - 0.2),
        ),
        case(
            "a nested value changed",
            4,
            "leaf_mismatch",
            lambda e: e["changes"]["after"]["limits"].update(daily=250.5),
        ),
        case("a field added", 1, "leaf_mismatch", lambda e: e.update(note="added later")),
        case("a field removed", 1, "leaf_mismatch", lambda e: e.pop("description")),
        case(
            "received_at changed",
            8,
            "leaf_mismatch",
            lambda e: e.update(received_at="2026-03-02T10:00:04.000004Z"),
        ),
        case("tenant changed", 8, "leaf_mismatch", lambda e: e.update(tenant="other")),
        case(
            "a string in NFD instead of NFC",
            1,
            "leaf_mismatch",
            lambda e: e.update(description=e["description"].replace("é", "e\u0301")),
        ),
        case(
            "a key renamed",
            3,
            "leaf_mismatch",
            lambda e: e["metadata"].update({"B ": e["metadata"].pop("B")}),
        ),
        case("keys reordered at every level", 3, "same_leaf", reordered),
        case("keys reordered, numbers", 2, "same_leaf", reordered),
        case("the ledger field removed", 5, "same_leaf", lambda e: e.pop("ledger")),
        case(
            "the ledger field's leaf hash forged",
            5,
            "same_leaf",
            lambda e: e["ledger"].update(leaf_hash=_flip(e["ledger"]["leaf_hash"])),
        ),
    ]


def _proof_cases(served: dict[str, Any], roots: dict[int, str]) -> list[dict[str, Any]]:
    """Inclusion proofs that must not verify, each with the reason."""
    by = {(p["index"], p["tree_size"]): p for p in served["inclusion"]}

    def case(name: str, expect: str, at: int, size: int, **over: Any) -> dict[str, Any]:
        """The proof of leaf `at` in the tree of `size` leaves, with fields replaced."""
        proof = by[(at, size)]
        return {
            "name": name,
            "expect": expect,
            "index": over.get("index", at),
            "tree_size": over.get("tree_size", size),
            "leaf_hash": over.get("leaf_hash", proof["leaf_hash"]),
            "hashes": over.get("hashes", proof["hashes"]),
            "root": over.get("root", roots.get(size, roots[1])),
        }

    p5 = by[(5, 13)]
    return [
        case(
            "a proof hash tampered",
            "root_mismatch",
            5,
            13,
            hashes=[p5["hashes"][0], _flip(p5["hashes"][1]), *p5["hashes"][2:]],
        ),
        case("the wrong root", "root_mismatch", 5, 13, root=roots[12]),
        case("another leaf", "root_mismatch", 5, 13, leaf_hash=by[(4, 13)]["leaf_hash"]),
        case("the wrong index", "root_mismatch", 5, 13, index=4),
        case(
            "the wrong tree size, same path length",
            "root_mismatch",
            5,
            13,
            tree_size=14,
            root=roots[14],
        ),
        case(
            "the wrong tree size, shorter path", "path_too_long", 5, 13, tree_size=6, root=roots[6]
        ),
        case(
            "the wrong tree size, longer path", "path_too_short", 0, 2, tree_size=3, root=roots[3]
        ),
        case(
            "a hash appended",
            "path_too_long",
            12,
            13,
            hashes=[*by[(12, 13)]["hashes"], p5["hashes"][0]],
        ),
        case("the last hash dropped", "path_too_short", 5, 13, hashes=p5["hashes"][:-1]),
        case("size 1 with a path", "path_too_long", 0, 1, hashes=[p5["hashes"][0]]),
        case("index equal to the size", "index_out_of_range", 12, 13, index=13),
        case("index beyond the size", "index_out_of_range", 12, 13, index=20),
        case("size 0", "index_out_of_range", 0, 1, tree_size=0),
        case(
            "a 31-byte hash",
            "bad_hash_length",
            5,
            13,
            hashes=[_b64(base64.b64decode(p5["hashes"][0])[:31]), *p5["hashes"][1:]],
        ),
    ]


def _consistency_cases(served: dict[str, Any], roots: dict[int, str]) -> list[dict[str, Any]]:
    """Consistency proofs that must not verify, each with the reason."""
    by = {(p["first"], p["second"]): p["hashes"] for p in served["consistency"]}

    def case(name: str, expect: str, old: int, new: int, **over: Any) -> dict[str, Any]:
        """The proof from `old` to `new` leaves, with fields replaced."""
        return {
            "name": name,
            "expect": expect,
            "first": over.get("first", old),
            "second": over.get("second", new),
            "first_root": over.get("first_root", roots[old]),
            "second_root": over.get("second_root", roots[new]),
            "hashes": over.get("hashes", by[(old, new)]),
        }

    p5 = by[(5, 13)]
    return [
        case(
            "a proof hash tampered", "root_mismatch", 5, 13, hashes=[p5[0], _flip(p5[1]), *p5[2:]]
        ),
        case("the first hash tampered", "root_mismatch", 5, 13, hashes=[_flip(p5[0]), *p5[1:]]),
        case("a rewritten first root", "root_mismatch", 5, 13, first_root=roots[6]),
        case("a rewritten second root", "root_mismatch", 8, 13, second_root=roots[12]),
        case("a proof for a different first", "root_mismatch", 5, 13, first=7, first_root=roots[7]),
        case("a power of two, other root", "root_mismatch", 4, 13, first_root=roots[5]),
        case("a hash appended", "path_too_long", 12, 13, hashes=[*by[(12, 13)], p5[0]]),
        case("the last hash dropped", "path_too_short", 5, 13, hashes=p5[:-1]),
        case("an empty proof", "path_too_short", 5, 13, hashes=[]),
        case("equal sizes with a proof", "path_too_long", 13, 13, hashes=[p5[0]]),
        case("equal sizes, different roots", "root_mismatch", 13, 13, first_root=roots[12]),
        case("from the empty tree with a proof", "path_too_long", 0, 13, hashes=[p5[0]]),
        case("first after second", "index_out_of_range", 5, 13, first=14, first_root=roots[14]),
        case(
            "a 31-byte hash",
            "bad_hash_length",
            5,
            13,
            hashes=[_b64(base64.b64decode(p5[0])[:31]), *p5[1:]],
        ),
    ]


def _note_cases(served: dict[str, Any], roots: dict[int, str]) -> list[dict[str, Any]]:
    """Checkpoints that must not open under the instance key (and tenant origin)."""
    note = served["checkpoint"]
    key = served["public_key"]["verifier_key"]
    body, _, sig_line = note.rpartition("\n\n")
    body += "\n"
    sig = sig_line.rstrip("\n").split(" ")[2]
    signer = _signer("checkpoint key")
    other = _signer("another key")
    renamed = _signer("checkpoint key", "sealtrail.test/impostor")
    root13 = roots[13]

    def case(name: str, expect: str, text: str, verifier_key: str = key) -> dict[str, Any]:
        return {"name": name, "expect": expect, "note": text, "verifier_key": verifier_key}

    def sign(s: Signer, cp: Checkpoint) -> str:
        return s.sign(cp.body())

    cp13 = Checkpoint(origin=f"{ORIGIN}/{TENANT}", size=13, root=base64.b64decode(root13))
    return [
        case("the root changed", "bad_signature", note.replace(root13, roots[12])),
        case("the tree size changed", "bad_signature", note.replace("\n13\n", "\n12\n", 1)),
        case("a signature bit flipped", "bad_signature", note.replace(sig, _flip(sig, 10))),
        case("the key id bytes changed", "unknown_key", note.replace(sig, _flip(sig, 0))),
        case("signed by another key of the same name", "unknown_key", sign(other, cp13)),
        case("signed under another name", "unknown_key", sign(renamed, cp13)),
        case("checked with another key", "unknown_key", note, other.verifier.encode()),
        case(
            "the checkpoint of another tenant",
            "origin_mismatch",
            sign(signer, Checkpoint(origin=f"{ORIGIN}/other", size=13, root=cp13.root)),
        ),
        case(
            "a size with a leading zero",
            "malformed_checkpoint",
            signer.sign(f"{ORIGIN}/{TENANT}\n013\n{root13}\n"),
        ),
        case(
            "a root of 31 bytes",
            "malformed_checkpoint",
            signer.sign(f"{ORIGIN}/{TENANT}\n13\n{_b64(base64.b64decode(root13)[:31])}\n"),
        ),
        case("no blank line", "malformed_note", note.replace("\n\n", "\n")),
        case(
            "a signature line without the em dash", "malformed_note", note.replace("\u2014 ", "- ")
        ),
        case(
            "a control character", "malformed_note", note.replace(f"/{TENANT}\n", f"/{TENANT}\t\n")
        ),
        case(
            "a signature that is not base64", "malformed_note", note.replace(sig, sig[:-2] + "!!")
        ),
    ]


def _key_cases(key: str) -> list[dict[str, Any]]:
    """Verifier keys that must not parse."""
    name, key_id, b64 = key.split("+", 2)
    raw = base64.b64decode(b64)
    bad_id = f"{(int(key_id, 16) ^ 1):08x}"
    cases = [
        ("a wrong key hash", "key_id_mismatch", f"{name}+{bad_id}+{b64}"),
        ("another name, same key", "key_id_mismatch", f"{name}x+{key_id}+{b64}"),
        ("a short key id", "malformed_key", f"{name}+{key_id[:7]}+{b64}"),
        ("a key id that is not hex", "malformed_key", f"{name}+{key_id[:7]}g+{b64}"),
        ("not base64", "malformed_key", f"{name}+{key_id}+{b64[:-4]}!!!!"),
        ("no type byte", "malformed_key", f"{name}+{key_id}+{_b64(raw[1:])}"),
        ("type byte 2", "malformed_key", f"{name}+{key_id}+{_b64(bytes([2]) + raw[1:])}"),
        ("a space in the name", "malformed_key", f"a b+{key_id}+{b64}"),
        ("an empty name", "malformed_key", f"+{key_id}+{b64}"),
        ("two parts", "malformed_key", f"{name}+{key_id}"),
    ]
    return [{"name": n, "expect": expect, "key": key} for n, expect, key in cases]


def build_vectors() -> dict[str, Any]:
    """Run the ledger on a temporary data directory and collect the vectors."""
    with tempfile.TemporaryDirectory(prefix="sealtrail-vectors-") as tmp:
        runtime = _runtime(Path(tmp) / "data")
        try:
            served = _served(runtime)
        finally:
            runtime.close()
    leaves = [base64.b64decode(e["ledger"]["leaf_hash"]) for e in served["events"]]
    roots = {n: _b64(merkle.root_from_leaves(leaves[:n])) for n in range(len(leaves) + 1)}
    return {
        "about": "Made by web/scripts/make_vectors.py from the Python ledger; do not edit.",
        "origin": ORIGIN,
        "tenant": TENANT,
        **served,
        "canonical": [canonical_bytes(e).decode() for e in served["events"]],
        "roots": {str(n): r for n, r in roots.items()},
        "negative": {
            "events": _event_cases(served["events"]),
            "inclusion": _proof_cases(served, roots),
            "consistency": _consistency_cases(served, roots),
            "notes": _note_cases(served, roots),
            "verifier_keys": _key_cases(served["public_key"]["verifier_key"]),
        },
        "other_verifier_key": _signer("another key").verifier.encode(),
    }


def _json(value: Any, indent: str = "") -> str:
    """Objects one member a line and lists one item a line, down to list items, which
    stay on one line each: small, and a change shows as a readable diff."""
    compact = {"ensure_ascii": False, "separators": (", ", ": ")}
    inner = indent + " "
    if isinstance(value, dict) and value:
        members = [f"{inner}{json.dumps(k)}: {_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list) and value:
        items = [inner + json.dumps(v, **compact) for v in value]  # type: ignore[arg-type]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return json.dumps(value, **compact)  # type: ignore[arg-type]


def dumps(vectors: dict[str, Any]) -> str:
    """The file's text: stable, non-ASCII kept as is."""
    return _json(vectors) + "\n"


def main() -> None:
    configure_logging("warning")
    OUT.write_text(dumps(build_vectors()), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
