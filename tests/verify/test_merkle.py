"""The RFC 9162 tree against a naive reference written from the RFC's definitions."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sealtrail.verify import merkle
from sealtrail.verify.merkle import ProofError


# --- the reference: RFC 9162 section 2.1, recursion for recursion ----------------------
def ref_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, leaves[:k], b), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True)


# --- the implementation, reading stored complete subtrees ------------------------------
LEAVES = [f"event {i}".encode() for i in range(300)]
LEAF_HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def stored_nodes(size: int) -> dict[tuple[int, int], bytes]:
    """Every complete subtree of the first `size` leaves, as the server stores them."""
    nodes = {(0, i): h for i, h in enumerate(LEAF_HASHES[:size])}
    level = 0
    while True:
        count = size >> (level + 1)
        if not count:
            return nodes
        for i in range(count):
            nodes[(level + 1, i)] = merkle.node_hash(
                nodes[(level, 2 * i)], nodes[(level, 2 * i + 1)]
            )
        level += 1


NODES = stored_nodes(300)


def fetch(ids):
    return {i: NODES[i] for i in ids}


def root(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.resolve([(0, size)], fetch)[0]


def inclusion(index: int, size: int) -> list[bytes]:
    return merkle.resolve(merkle.inclusion_ranges(index, size), fetch)


def consistency(first: int, second: int) -> list[bytes]:
    return merkle.resolve(merkle.consistency_ranges(first, second), fetch)


def test_roots_match_the_reference_for_every_size_up_to_300():
    for size in range(0, 301):
        expected = ref_mth(LEAVES[:size])
        assert merkle.root_from_leaves(LEAF_HASHES[:size]) == expected
        assert root(size) == expected


def test_every_inclusion_proof_up_to_300_matches_the_reference_and_verifies():
    for size in range(1, 301):
        r = root(size)
        for index in range(size):
            proof = inclusion(index, size)
            assert proof == ref_path(index, LEAVES[:size])
            merkle.verify_inclusion(index, size, LEAF_HASHES[index], proof, r)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_consistency_proofs_match_the_reference_and_verify(pair):
    first, second = pair
    proof = consistency(first, second)
    if 0 < first < second:
        assert proof == ref_proof(first, LEAVES[:second])
    else:
        assert proof == []
    merkle.verify_consistency(first, second, root(first), root(second), proof)


def test_edge_cases_size_one_last_index_equal_sizes():
    merkle.verify_inclusion(0, 1, LEAF_HASHES[0], [], root(1))
    for size in (2, 3, 4, 5, 8, 255, 256, 257):
        merkle.verify_inclusion(
            size - 1, size, LEAF_HASHES[size - 1], inclusion(size - 1, size), root(size)
        )
        merkle.verify_consistency(size, size, root(size), root(size), [])
        merkle.verify_consistency(1, size, root(1), root(size), consistency(1, size))


# --- forged proofs: every one must be rejected -----------------------------------------
def forgeries(proof: list[bytes]):
    """Ways to tamper with a proof: each yields (what, forged proof)."""
    if len(proof) >= 2:
        swapped = list(proof)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        if swapped != proof:
            yield "swapped hashes", swapped
    if proof:
        yield "missing last hash", proof[:-1]
        yield "missing first hash", proof[1:]
        flipped = list(proof)
        flipped[-1] = bytes([flipped[-1][0] ^ 1]) + flipped[-1][1:]
        yield "altered hash", flipped
        yield "truncated hash", [proof[0][:31], *proof[1:]]
    yield "extra hash", [*proof, LEAF_HASHES[0]]
    yield "extra hash in front", [LEAF_HASHES[1], *proof]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))))
def test_forged_inclusion_proofs_are_rejected(pair):
    index, size = pair
    proof = inclusion(index, size)
    r = root(size)
    for what, forged in forgeries(proof):
        try:
            merkle.verify_inclusion(index, size, LEAF_HASHES[index], forged, r)
        except ProofError:
            continue
        pytest.fail(f"accepted an inclusion proof with {what}")
    # the right proof for another leaf, size or root
    other = (index + 1) % size
    if other != index:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(other, size, LEAF_HASHES[index], proof, r)
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, LEAF_HASHES[other], proof, r)
    if size < 300:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size + 1, LEAF_HASHES[index], proof, root(size + 1))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(
            index, size, LEAF_HASHES[index], proof, root(size - 1) if size > 1 else b"\0" * 32
        )


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 300).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_forged_consistency_proofs_are_rejected(pair):
    first, second = pair
    proof = consistency(first, second)
    r1, r2 = root(first), root(second)
    for what, forged in forgeries(proof):
        try:
            merkle.verify_consistency(first, second, r1, r2, forged)
        except ProofError:
            continue
        pytest.fail(f"accepted a consistency proof with {what}")
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, r1, r2, [])
    # a proof for other sizes, or roots of another history
    if second < 300:
        with pytest.raises(ProofError):
            merkle.verify_consistency(first, second + 1, r1, root(second + 1), proof)
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, r1, merkle.leaf_hash(b"forged"), proof)
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, merkle.leaf_hash(b"forged"), r2, proof)


def test_out_of_range_arguments_are_errors_not_proofs():
    with pytest.raises(ProofError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ProofError):
        merkle.inclusion_ranges(-1, 5)
    with pytest.raises(ProofError):
        merkle.consistency_ranges(6, 5)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 0, LEAF_HASHES[0], [], merkle.EMPTY_ROOT)
    with pytest.raises(ProofError):
        merkle.verify_consistency(3, 2, root(3), root(2), [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(4, 4, root(4), root(5), [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(0, 4, merkle.EMPTY_ROOT, root(4), [root(4)])
