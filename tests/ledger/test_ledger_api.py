"""The ledger through the HTTP API, on SQLite and PostgreSQL: what an auditor checks."""

from __future__ import annotations

import base64

import pytest

from sealtrail.ledger import keys
from sealtrail.verify import merkle
from sealtrail.verify.canonical import event_leaf_hash
from sealtrail.verify.checkpoint import CheckpointError, open_checkpoint
from sealtrail.verify.note import Verifier
from tests.conftest import drain, event, make_tenant

EVENTS = "/api/v1/audit/events"
LEDGER = "/api/v1/ledger"


def b64d(s: str) -> bytes:
    return base64.b64decode(s)


def send(client, tenant, n: int) -> list[str]:
    evs = [event(description=f"event {i}") for i in range(n)]
    r = client.post(EVENTS, json=evs, headers=tenant.auth("ingest"))
    assert r.status_code == 202, r.text
    return [e["id"] for e in evs]


def stored(client, tenant) -> list[dict]:
    """Every stored event of the tenant, by ledger index."""
    items, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = client.get(EVENTS, params=params, headers=tenant.auth("read")).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return sorted(items, key=lambda e: e["ledger"]["index"])


def checkpoint(client, tenant):
    """The latest checkpoint, verified against the published key."""
    key = client.get(f"{LEDGER}/public-key", headers=tenant.auth("read")).json()
    verifier = Verifier.parse(key["verifier_key"])
    note = client.get(f"{LEDGER}/checkpoint", headers=tenant.auth("read"))
    assert note.status_code == 200
    assert note.headers["content-type"].startswith("text/plain")
    cp, _ = open_checkpoint(note.text, [verifier], origin=f"{key['origin']}/{tenant.name}")
    return cp


@pytest.fixture
def trail(client, runtime, tenant):
    ids = send(client, tenant, 13)
    drain(runtime)
    assert runtime.issue_checkpoints() >= 1  # on PostgreSQL other tests' tenants too
    return ids


def test_each_event_has_a_gap_free_index_and_a_leaf_hash_anyone_can_recompute(
    client, tenant, trail
):
    events = stored(client, tenant)
    assert [e["ledger"]["index"] for e in events] == list(range(13))
    for e in events:
        assert b64d(e["ledger"]["leaf_hash"]) == event_leaf_hash(e)
    one = client.get(f"{EVENTS}/{trail[0]}", headers=tenant.auth("read")).json()
    assert one["ledger"] == next(e["ledger"] for e in events if e["id"] == trail[0])


def test_the_checkpoint_is_signed_and_its_root_is_recomputable_from_the_events(
    client, tenant, trail
):
    cp = checkpoint(client, tenant)
    assert cp.size == 13
    leaves = [event_leaf_hash(e) for e in stored(client, tenant)]
    assert cp.root == merkle.root_from_leaves(leaves)


def test_every_event_has_an_inclusion_proof_against_the_checkpoint(client, tenant, trail):
    cp = checkpoint(client, tenant)
    for e in stored(client, tenant):
        r = client.get(
            f"{LEDGER}/proofs/inclusion", params={"event_id": e["id"]}, headers=tenant.auth("read")
        )
        assert r.status_code == 200, r.text
        proof = r.json()
        assert proof["tree_size"] == cp.size
        assert proof["index"] == e["ledger"]["index"]
        assert b64d(proof["leaf_hash"]) == event_leaf_hash(e)
        merkle.verify_inclusion(
            proof["index"], cp.size, event_leaf_hash(e), [b64d(h) for h in proof["hashes"]], cp.root
        )


def test_consistency_between_checkpoints_and_a_resent_batch_is_not_appended_twice(
    client, runtime, tenant, trail
):
    first = checkpoint(client, tenant)
    batch = [event(description=f"more {i}") for i in range(6)]
    for _ in range(2):  # a producer retry: the second send is a no-op
        assert client.post(EVENTS, json=batch, headers=tenant.auth("ingest")).status_code == 202
        drain(runtime)
    assert runtime.issue_checkpoints() >= 1
    assert runtime.issue_checkpoints() == 0  # nothing grew: no new checkpoint
    second = checkpoint(client, tenant)
    assert second.size == 19
    r = client.get(
        f"{LEDGER}/proofs/consistency",
        params={"first": first.size, "second": second.size},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 200
    hashes = [b64d(h) for h in r.json()["hashes"]]
    merkle.verify_consistency(first.size, second.size, first.root, second.root, hashes)
    listed = client.get(
        f"{LEDGER}/checkpoints", params={"since_size": 0}, headers=tenant.auth("read")
    ).json()["items"]
    assert [c["tree_size"] for c in listed] == [13, 19]
    assert listed[0]["note"].startswith(f"{runtime.keyring.origin}/{tenant.name}\n13\n")
    later = client.get(
        f"{LEDGER}/checkpoints", params={"since_size": 14}, headers=tenant.auth("read")
    ).json()["items"]
    assert [c["tree_size"] for c in later] == [19]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("proofs/inclusion", {"index": 13, "tree_size": 13}, "index"),
        ("proofs/inclusion", {"index": 0, "tree_size": 14}, "tree_size"),
        (
            "proofs/inclusion",
            {"index": 0, "event_id": "5b0c3c1e-8f5a-4d2e-9a51-0c1f2d3e4f50"},
            "index",
        ),
        ("proofs/inclusion", {}, "index"),
        ("proofs/consistency", {"first": 5, "second": 4}, "first"),
        ("proofs/consistency", {"first": 1, "second": 14}, "second"),
    ],
)
def test_out_of_range_or_inconsistent_arguments_are_400_with_the_reason(
    client, tenant, trail, path, params, field
):
    r = client.get(f"{LEDGER}/{path}", params=params, headers=tenant.auth("read"))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["details"]["field"] == field


def test_another_tenant_gets_nothing_of_this_ledger(client, runtime, tenant, trail):
    other = make_tenant(runtime)
    r = client.get(
        f"{LEDGER}/proofs/inclusion", params={"event_id": trail[0]}, headers=other.auth("read")
    )
    assert r.status_code == 404
    assert client.get(f"{LEDGER}/checkpoint", headers=other.auth("read")).status_code == 404
    r = client.get(
        f"{LEDGER}/proofs/consistency",
        params={"first": 1, "second": 13},
        headers=other.auth("read"),
    )
    assert r.status_code == 400  # the other tenant's tree is empty
    assert client.get(f"{LEDGER}/checkpoint", headers=tenant.auth("ingest")).status_code == 403


def test_a_rotated_key_signs_new_checkpoints_and_old_ones_still_verify(
    client, runtime, tenant, trail
):
    old_note = client.get(f"{LEDGER}/checkpoint", headers=tenant.auth("read")).text
    old_key = client.get(f"{LEDGER}/public-key", headers=tenant.auth("read")).json()
    runtime._keyring = keys.rotate(runtime.settings.data_dir)
    send(client, tenant, 1)
    drain(runtime)
    runtime.issue_checkpoints()
    new_key = client.get(f"{LEDGER}/public-key", headers=tenant.auth("read")).json()
    assert new_key["key_id"] != old_key["key_id"]
    assert set(new_key["all_verifier_keys"]) == {old_key["verifier_key"], new_key["verifier_key"]}
    new_note = client.get(f"{LEDGER}/checkpoint", headers=tenant.auth("read")).text
    trusted = [Verifier.parse(k) for k in new_key["all_verifier_keys"]]
    assert open_checkpoint(old_note, trusted)[0].size == 13
    assert open_checkpoint(new_note, trusted)[0].size == 14
    with pytest.raises(CheckpointError):
        open_checkpoint(new_note, [Verifier.parse(old_key["verifier_key"])])


def test_the_signing_key_file_is_private(runtime, trail):
    files = list((runtime.settings.data_dir / "ledger" / "keys").glob("*.pem"))
    assert files
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
