"""The per-tenant Merkle log in the database: appends inside the store transaction,
roots and proofs read from stored complete subtrees (O(log n) rows per proof)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sealtrail.db.base import utcnow
from sealtrail.errors import BadRequest, NotFound
from sealtrail.ledger.models import HEADS, LEAVES, NODES
from sealtrail.verify import merkle
from sealtrail.verify.merkle import NodeId


@dataclass(frozen=True)
class Leaf:
    """An event to append: its id, time and leaf hash."""

    event_id: uuid.UUID
    time: datetime
    hash: bytes


@dataclass(frozen=True)
class Appended:
    event_id: uuid.UUID
    index: int
    hash: bytes


def _lock_head(conn: Connection, tenant_id: int) -> tuple[int, bytes]:
    """The tenant's (size, root), its row locked until the transaction ends."""
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        insert_(HEADS)
        .values(
            tenant_id=tenant_id,
            size=0,
            root=merkle.EMPTY_ROOT,
            checkpointed_size=0,
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    stmt = select(HEADS.c.size, HEADS.c.root).where(HEADS.c.tenant_id == tenant_id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).one()
    return int(row.size), bytes(row.root)


def fetch_nodes(conn: Connection, tenant_id: int, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """Stored complete subtrees by (level, index): leaves for level 0, nodes above."""
    by_level: dict[int, list[int]] = defaultdict(list)
    for level, idx in ids:
        by_level[level].append(idx)
    found: dict[NodeId, bytes] = {}
    if 0 in by_level:
        rows = conn.execute(
            select(LEAVES.c.idx, LEAVES.c.hash).where(
                LEAVES.c.tenant_id == tenant_id, LEAVES.c.idx.in_(by_level.pop(0))
            )
        )
        found.update({(0, int(r.idx)): bytes(r.hash) for r in rows})
    if by_level:
        # One index range per level, glued with UNION ALL: an OR of (level, idx IN ...)
        # makes SQLite scan the whole table.
        parts = [
            select(NODES.c.level, NODES.c.idx, NODES.c.hash).where(
                NODES.c.tenant_id == tenant_id, NODES.c.level == lv, NODES.c.idx.in_(ix)
            )
            for lv, ix in by_level.items()
        ]
        rows = conn.execute(union_all(*parts) if len(parts) > 1 else parts[0])
        found.update({(int(r.level), int(r.idx)): bytes(r.hash) for r in rows})
    return found


def append(conn: Connection, tenant_id: int, leaves: Sequence[Leaf]) -> list[Appended]:
    """Append leaves to the tenant's log in the caller's transaction; return their indexes.

    Appends of one tenant are serialised by the head row's lock (PostgreSQL) or the
    database write lock (SQLite), so indexes are gap-free and never reused.
    """
    if not leaves:
        return []
    size, _ = _lock_head(conn, tenant_id)
    edge = merkle.range_nodes(0, size)
    stored = fetch_nodes(conn, tenant_id, edge)
    stack: list[tuple[int, bytes]] = [(level, stored[(level, idx)]) for level, idx in edge]
    new_nodes: list[dict[str, object]] = []
    out: list[Appended] = []
    for offset, leaf in enumerate(leaves):
        index = size + offset
        out.append(Appended(leaf.event_id, index, leaf.hash))
        level, node, pos = 0, leaf.hash, index
        while stack and stack[-1][0] == level:
            _, left = stack.pop()
            node = merkle.node_hash(left, node)
            level += 1
            pos >>= 1
            new_nodes.append({"tenant_id": tenant_id, "level": level, "idx": pos, "hash": node})
        stack.append((level, node))
    conn.execute(
        insert(LEAVES),
        [
            {
                "tenant_id": tenant_id,
                "idx": a.index,
                "event_id": a.event_id,
                "time": leaf.time,
                "hash": a.hash,
            }
            for a, leaf in zip(out, leaves, strict=True)
        ],
    )
    if new_nodes:
        conn.execute(insert(NODES), new_nodes)
    conn.execute(
        update(HEADS)
        .where(HEADS.c.tenant_id == tenant_id)
        .values(
            size=size + len(leaves),
            root=merkle.fold_right([h for _, h in stack]),
            updated_at=utcnow(),
        )
    )
    return out


def head(conn: Connection, tenant_id: int) -> tuple[int, bytes]:
    """The tenant's current (size, root); (0, empty root) before the first event."""
    row = conn.execute(
        select(HEADS.c.size, HEADS.c.root).where(HEADS.c.tenant_id == tenant_id)
    ).one_or_none()
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


def inclusion_proof(conn: Connection, tenant_id: int, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) from stored subtrees."""
    if size < 1:
        raise BadRequest("tree_size must be at least 1", {"field": "tree_size"})
    if not 0 <= index < size:
        raise BadRequest(
            f"index {index} is not in a tree of size {size}", {"field": "index", "tree_size": size}
        )
    _check_size(conn, tenant_id, size, "tree_size")
    ranges = merkle.inclusion_ranges(index, size)
    return merkle.resolve(ranges, lambda ids: fetch_nodes(conn, tenant_id, ids))


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
