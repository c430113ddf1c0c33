"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1.

Pure functions over hashes: no I/O, no server code. The server uses them to build
proofs from stored subtree hashes; auditors use them to check proofs offline.

Terms: a tree of `size` leaves; MTH(D[a:b]) is the Merkle tree hash of leaves a..b-1.
A *complete subtree* is MTH(D[i*2^l : (i+1)*2^l]) at level l, index i.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]  # (level, index) of a complete subtree


class ProofError(ValueError):
    """A proof does not verify, or its arguments are out of range."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole tree from its leaf hashes (O(n); for verifiers and tests)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    # Bottom-up with a stack of complete subtrees (the right edge), as an appender would.
    stack: list[tuple[int, bytes]] = []
    for h in leaf_hashes:
        level, node = 0, h
        while stack and stack[-1][0] == level:
            _, left = stack.pop()
            node = node_hash(left, node)
            level += 1
        stack.append((level, node))
    return fold_right([node for _, node in stack])


def fold_right(nodes: Sequence[bytes]) -> bytes:
    """Combine the complete subtrees of a range, largest first, into the range's MTH."""
    if not nodes:
        raise ValueError("no nodes to fold")
    acc = nodes[-1]
    for node in reversed(nodes[:-1]):
        acc = node_hash(node, acc)
    return acc


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees whose fold is MTH(D[start:end]), largest first.

    `start` must be a multiple of the largest power of two not above `end - start`,
    which holds for every range a proof or a root asks for.
    """
    nodes: list[NodeId] = []
    pos = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        if pos % (1 << level):
            raise ValueError(f"range [{start}, {end}) is not aligned")
        nodes.append((level, pos >> level))
        pos += 1 << level
        remaining -= 1 << level
    return nodes


def aligned_nodes(start: int, end: int) -> list[NodeId]:
    """The fewest aligned complete subtrees that tile [start, end), left to right.

    Appending them in order to a tree of `start` leaves (merging equal levels) yields
    the tree of `end` leaves: how a verifier skips leaves it was not given.
    """
    if not 0 <= start <= end:
        raise ValueError(f"bad range [{start}, {end})")
    nodes: list[NodeId] = []
    pos = start
    while pos < end:
        level = (pos & -pos).bit_length() - 1 if pos else (end - pos).bit_length() - 1
        while pos + (1 << level) > end:
            level -= 1
        nodes.append((level, pos >> level))
        pos += 1 << level
    return nodes


class Appender:
    """The right edge of a tree being built leaf by leaf (or by aligned subtrees)."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def push(self, level: int, node: bytes) -> None:
        """Append an aligned complete subtree of 2**level leaves (level 0: a leaf hash)."""
        if self.size % (1 << level):
            raise ValueError(f"a level-{level} subtree cannot start at leaf {self.size}")
        self.size += 1 << level
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            node = node_hash(left, node)
            level += 1
        self._stack.append((level, node))

    def root(self) -> bytes:
        return fold_right([n for _, n in self._stack]) if self._stack else EMPTY_ROOT


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs form PATH(index, D[0:size]), in proof order (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    out: list[tuple[int, int]] = []
    lo, hi, m = 0, size, index
    stack: list[tuple[int, int]] = []
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            stack.append((lo + k, hi))
            hi = lo + k
        else:
            stack.append((lo, lo + k))
            lo, m = lo + k, m - k
    # PATH appends the sibling after the deeper path: deepest sibling first.
    out.extend(reversed(stack))
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs form PROOF(first, D[0:second]) (RFC 9162 2.1.4.1)."""
    if not 0 <= first <= second:
        raise ProofError(f"first ({first}) must be between 0 and second ({second})")
    if first in (0, second):
        return []
    stack: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, second, first, True
    while True:
        n = hi - lo
        if m == n:
            if not whole:
                stack.append((lo, hi))
            break
        k = _split(n)
        if m <= k:
            stack.append((lo + k, hi))
            hi = lo + k
        else:
            stack.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    return list(reversed(stack))


def resolve(
    ranges: Sequence[tuple[int, int]], fetch: Callable[[Iterable[NodeId]], dict[NodeId, bytes]]
) -> list[bytes]:
    """The MTH of each range, reading the complete subtrees it needs with one `fetch`."""
    plans = [range_nodes(a, b) for a, b in ranges]
    got = fetch({node for plan in plans for node in plan})
    try:
        return [fold_right([got[node] for node in plan]) for plan in plans]
    except KeyError as exc:
        raise LookupError(f"subtree {exc.args[0]} is not stored") from None


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `proof` shows `leaf` at `index` in the tree `root` of `size`
    (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    _check_hashes([leaf, root, *proof])
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless `proof` shows the tree of `first` leaves (`first_root`) is a
    prefix of the tree of `second` leaves (`second_root`) (RFC 9162 2.1.4.2)."""
    if not 0 <= first <= second:
        raise ProofError(f"first ({first}) must be between 0 and second ({second})")
    _check_hashes([first_root, second_root, *proof])
    if first == second:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("trees of equal size have different roots")
        return
    if first == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: its root is the first node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != first_root:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != second_root:
        raise ProofError("consistency proof does not lead to the second root")


def _check_hashes(hashes: Iterable[bytes]) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"a hash is {len(h)} bytes, not {HASH_SIZE}")
