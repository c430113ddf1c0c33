"""The per-tenant Merkle log in the database: appends inside the store transaction,
roots and proofs read from stored complete subtrees (O(log n) rows per proof)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    Connection,
    TextClause,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sealtrail.db.base import utcnow
from sealtrail.db.bulk import insert_rows
from sealtrail.errors import BadRequest, NotFound
from sealtrail.ledger.models import HEADS, LEAVES, NODES
from sealtrail.verify import merkle
from sealtrail.verify.merkle import NodeId


class Leaf(NamedTuple):
    """An event to append: its id, time and leaf hash."""

    event_id: uuid.UUID
    time: datetime
    hash: bytes


# Statements run per batch or per request are built once: building one costs more than
# running it. An UPDATE, not a SELECT, reads the size for an append: it takes the head
# row's lock on PostgreSQL and the database write lock on SQLite before the size is read.
_HEAD = select(HEADS.c.size, HEADS.c.root).where(HEADS.c.tenant_id == bindparam("tenant"))
_LOCK_HEAD = (
    update(HEADS)
    .where(HEADS.c.tenant_id == bindparam("tenant"))
    .values(updated_at=bindparam("now"))
    .returning(HEADS.c.size)
)
_SET_HEAD = (
    update(HEADS)
    .where(HEADS.c.tenant_id == bindparam("tenant"))
    .values(size=bindparam("new_size"), root=bindparam("new_root"))
)


def _lock_head(conn: Connection, tenant_id: int) -> int:
    """The tenant's tree size, its head row locked until the transaction ends."""
    params = {"tenant": tenant_id, "now": utcnow()}
    size = conn.execute(_LOCK_HEAD, params).scalar_one_or_none()
    if size is None:  # the tenant's first append
        insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert_(HEADS)
            .values(
                tenant_id=tenant_id,
                size=0,
                root=merkle.EMPTY_ROOT,
                checkpointed_size=0,
                updated_at=params["now"],
            )
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        size = conn.execute(_LOCK_HEAD, params).scalar_one()
    return int(size)


# Arms per lookup statement: below SQLite's limit of 500 terms in a compound SELECT.
_LOOKUP_ARMS = 256


@functools.lru_cache(maxsize=512)
def _lookup(leaves: int, nodes: int) -> TextClause:
    """One statement reading `leaves` leaves and `nodes` stored subtrees by primary key.

    A UNION ALL of point lookups: each arm is a primary-key probe on both engines (an OR
    of (level, idx) pairs makes SQLite scan the table). Built once per shape: building it
    with the expression language on every call cost several times more than running it.
    """
    # Only the tables' names and numbered parameter names are formatted in.
    arms = [
        f"SELECT 0 AS level, idx, hash FROM {LEAVES.name} "  # noqa: S608
        f"WHERE tenant_id = :t AND idx = :x{i}"
        for i in range(leaves)
    ]
    arms += [
        f"SELECT level, idx, hash FROM {NODES.name} "  # noqa: S608
        f"WHERE tenant_id = :t AND level = :l{i} AND idx = :y{i}"
        for i in range(nodes)
    ]
    return text(" UNION ALL ".join(arms))


def fetch_nodes(conn: Connection, tenant_id: int, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """Stored complete subtrees by (level, index): leaves for level 0, nodes above."""
    wanted = sorted(set(ids))
    found: dict[NodeId, bytes] = {}
    for start in range(0, len(wanted), _LOOKUP_ARMS):
        chunk = wanted[start : start + _LOOKUP_ARMS]
        leaves = [idx for level, idx in chunk if level == 0]
        nodes = [(level, idx) for level, idx in chunk if level > 0]
        params: dict[str, int] = {"t": tenant_id}
        params.update({f"x{i}": idx for i, idx in enumerate(leaves)})
        for i, (level, idx) in enumerate(nodes):
            params[f"l{i}"] = level
            params[f"y{i}"] = idx
        rows = conn.execute(_lookup(len(leaves), len(nodes)), params)
        found.update({(int(level), int(idx)): bytes(hash_) for level, idx, hash_ in rows})
    return found


def append(conn: Connection, tenant_id: int, leaves: Sequence[Leaf]) -> range:
    """Append leaves to the tenant's log in the caller's transaction; return their indexes.

    Appends of one tenant are serialised by the head row's lock (PostgreSQL) or the
    database write lock (SQLite), so indexes are gap-free and never reused. Each complete
    subtree the batch closes is stored, all in one executemany.
    """
    if not leaves:
        return range(0)
    size = _lock_head(conn, tenant_id)
    edge = merkle.range_nodes(0, size)
    stored = fetch_nodes(conn, tenant_id, edge)
    # The right edge: one complete subtree per set bit of the size, largest first.
    stack = [stored[node] for node in edge]
    new_nodes: list[tuple[int, int, int, bytes]] = []
    for index, leaf in enumerate(leaves, size):
        # Leaf `index` completes one subtree per trailing 1 bit of `index`, each merging
        # the subtree on top of the stack with the one just built (MTH, RFC 9162 2.1.1).
        node, level, pos = leaf.hash, 0, index
        while pos & 1:
            node = merkle.node_hash(stack.pop(), node)
            level += 1
            pos >>= 1
            new_nodes.append((tenant_id, level, pos, node))
        stack.append(node)
    insert_rows(
        conn,
        LEAVES,
        [
            (tenant_id, index, event_id, time, hash_)
            for index, (event_id, time, hash_) in enumerate(leaves, size)
        ],
    )
    if new_nodes:
        insert_rows(conn, NODES, new_nodes)
    end = size + len(leaves)
    conn.execute(
        _SET_HEAD, {"tenant": tenant_id, "new_size": end, "new_root": merkle.fold_right(stack)}
    )
    return range(size, end)


def head(conn: Connection, tenant_id: int) -> tuple[int, bytes]:
    """The tenant's current (size, root); (0, empty root) before the first event."""
    row = conn.execute(_HEAD, {"tenant": tenant_id}).one_or_none()
    return (int(row.size), bytes(row.root)) if row else (0, merkle.EMPTY_ROOT)


def root_at(conn: Connection, tenant_id: int, size: int) -> bytes:
    """The root of the tenant's tree when it had `size` leaves."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.resolve([(0, size)], lambda ids: fetch_nodes(conn, tenant_id, ids))[0]


def _check_size(conn: Connection, tenant_id: int, size: int, name: str) -> None:
    current, _ = head(conn, tenant_id)
    if size > current:
        raise BadRequest(
            f"{name} {size} is larger than the tree ({current} leaves)",
            {"field": name, "tree_size": current},
        )


def inclusion_proof(
    conn: Connection, tenant_id: int, index: int, size: int
) -> tuple[bytes, list[bytes]]:
    """The leaf hash at `index` and PATH(index, D[0:size]), read from stored subtrees with
    one query."""
    if size < 1:
        raise BadRequest("tree_size must be at least 1", {"field": "tree_size"})
    if not 0 <= index < size:
        raise BadRequest(
            f"index {index} is not in a tree of size {size}", {"field": "index", "tree_size": size}
        )
    _check_size(conn, tenant_id, size, "tree_size")
    found: dict[NodeId, bytes] = {}

    def fetch(ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
        found.update(fetch_nodes(conn, tenant_id, [*ids, (0, index)]))
        return found

    path = merkle.resolve(merkle.inclusion_ranges(index, size), fetch)
    if (0, index) not in found:
        raise LookupError(f"leaf {index} is not stored")
    return found[(0, index)], path


def consistency_proof(conn: Connection, tenant_id: int, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) from stored subtrees."""
    if first < 0 or first > second:
        raise BadRequest(
            f"first ({first}) must be between 0 and second ({second})", {"field": "first"}
        )
    _check_size(conn, tenant_id, second, "second")
    ranges = merkle.consistency_ranges(first, second)
    return merkle.resolve(ranges, lambda ids: fetch_nodes(conn, tenant_id, ids))


def leaf_of_event(conn: Connection, tenant_id: int, event_id: uuid.UUID) -> tuple[int, bytes]:
    """The (index, leaf hash) of a stored event of the tenant."""
    row = conn.execute(
        select(LEAVES.c.idx, LEAVES.c.hash).where(
            LEAVES.c.tenant_id == tenant_id, LEAVES.c.event_id == event_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no event {event_id} in the ledger", {"event_id": str(event_id)})
    return int(row.idx), bytes(row.hash)


def leaves_of_events(
    conn: Connection, tenant_id: int, event_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, bytes]]:
    """(index, leaf hash) of each given event that is in the ledger."""
    if not event_ids:
        return {}
    rows = conn.execute(
        select(LEAVES.c.event_id, LEAVES.c.idx, LEAVES.c.hash).where(
            LEAVES.c.tenant_id == tenant_id, LEAVES.c.event_id.in_(list(event_ids))
        )
    )
    return {r.event_id: (int(r.idx), bytes(r.hash)) for r in rows}
