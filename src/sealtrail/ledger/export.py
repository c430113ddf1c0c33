"""Export a slice of a tenant's ledger as a bundle `sealtrail verify` checks offline.

The bundle format is described in `sealtrail.verify.bundle`. Events are streamed from
the database to a temporary file in pages, so memory stays flat for any size.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from sealtrail.db.base import utcnow
from sealtrail.errors import BadRequest
from sealtrail.events import epochs
from sealtrail.events.models import Event
from sealtrail.events.schema import format_time
from sealtrail.ledger import tree
from sealtrail.ledger.checkpoints import tenant_origin
from sealtrail.ledger.keys import KeyRing
from sealtrail.ledger.models import CHECKPOINTS, LEAVES
from sealtrail.verify import merkle
from sealtrail.verify.bundle import FORMAT, MEMBERS

PAGE = 2000


@dataclass(frozen=True)
class ExportSummary:
    first_index: int
    end_index: int
    tree_size: int
    events: int
    checkpoints: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _slice(
    conn: Connection, tenant_id: int, since: datetime | None, until: datetime | None, signed: int
) -> tuple[int, int]:
    """[first, end) ledger indexes holding every event of the window (within `signed`)."""
    cond = [LEAVES.c.tenant_id == tenant_id, LEAVES.c.idx < signed]
    if since is not None:
        cond.append(LEAVES.c.time >= since)
    if until is not None:
        cond.append(LEAVES.c.time < until)
    lo, hi = conn.execute(select(func.min(LEAVES.c.idx), func.max(LEAVES.c.idx)).where(*cond)).one()
    if lo is None:
        return 0, 0
    return int(lo), int(hi) + 1


def export_bundle(
    conn: Connection,
    ring: KeyRing,
    tenant_id: int,
    tenant_name: str,
    out: Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Write the bundle of the tenant's events in [since, until) to `out` (a .tar file)."""
    if since and until and since >= until:
        raise BadRequest("since must be before until", {"field": "since"})
    latest = conn.execute(
        select(func.max(CHECKPOINTS.c.size)).where(CHECKPOINTS.c.tenant_id == tenant_id)
    ).scalar()
    if not latest:
        raise BadRequest("the ledger has no checkpoint yet: nothing can be verified", None)
    first, end = _slice(conn, tenant_id, since, until, int(latest))
    if first == end:
        raise BadRequest("no signed event in that window", {"field": "since"})
    # The checkpoints: the last one at or before `first`, every one inside the slice, and
    # the first one at or after `end` (the anchor the right edge leads to).
    sizes = [
        int(s)
        for (s,) in conn.execute(
            select(CHECKPOINTS.c.size)
            .where(CHECKPOINTS.c.tenant_id == tenant_id)
            .order_by(CHECKPOINTS.c.size)
        )
    ]
    before = [s for s in sizes if s <= first]
    inside = [s for s in sizes if first < s < end]
    anchor = min(s for s in sizes if s >= end)
    chosen = before[-1:] + inside + [anchor]
    notes = dict(
        conn.execute(
            select(CHECKPOINTS.c.size, CHECKPOINTS.c.note).where(
                CHECKPOINTS.c.tenant_id == tenant_id, CHECKPOINTS.c.size.in_(chosen)
            )
        ).all()
    )
    left = merkle.aligned_nodes(0, first)
    right = merkle.aligned_nodes(end, anchor)
    edge = tree.fetch_nodes(conn, tenant_id, left + right)
    proofs = {
        "consistency": [
            {
                "first": a,
                "second": b,
                "hashes": [_b64(h) for h in tree.consistency_proof(conn, tenant_id, a, b)],
            }
            for a, b in itertools.pairwise(chosen)
        ],
        "left": [[lv, ix, _b64(edge[(lv, ix)])] for lv, ix in left],
        "right": [[lv, ix, _b64(edge[(lv, ix)])] for lv, ix in right],
    }
    with tempfile.TemporaryDirectory(prefix="sealtrail-export-") as tmp:
        work = Path(tmp)
        (work / "keys.txt").write_text("".join(v.encode() + "\n" for v in ring.verifiers))
        with (work / "checkpoints.ndjson").open("wb") as f:
            for s in chosen:
                f.write(orjson.dumps({"tree_size": s, "note": notes[s]}) + b"\n")
        (work / "proofs.json").write_bytes(orjson.dumps(proofs))
        count = _write_events(conn, tenant_id, first, end, since, until, work, progress)
        files = {name: _sha256(work / name) for name in MEMBERS[:-1]}
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "tenant": tenant_name,
            "origin": tenant_origin(ring, tenant_name),
            "first_index": first,
            "end_index": end,
            "tree_size": anchor,
            "since": format_time(since) if since else None,
            "until": format_time(until) if until else None,
            "created_at": format_time(utcnow()),
            "files": files,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        with tarfile.open(out, "w") as tar:
            for name in MEMBERS:
                tar.add(work / name, arcname=name)
    return ExportSummary(first, end, anchor, count, len(chosen))


def _write_events(
    conn: Connection,
    tenant_id: int,
    first: int,
    end: int,
    since: datetime | None,
    until: datetime | None,
    work: Path,
    progress: Callable[[int, int], None] | None,
) -> int:
    count = 0
    with (work / "events.ndjson").open("wb") as f:
        pos = first
        while pos < end:
            rows = conn.execute(
                select(LEAVES.c.idx, LEAVES.c.hash, LEAVES.c.time, Event.doc)
                .join(Event, epochs.leaf_of_event(sqlite=conn.dialect.name == "sqlite"))
                .where(
                    LEAVES.c.tenant_id == tenant_id,
                    LEAVES.c.idx >= pos,
                    LEAVES.c.idx < min(pos + PAGE, end),
                )
                .order_by(LEAVES.c.idx)
            ).all()
            for r in rows:
                line: dict[str, Any] = {"index": int(r.idx), "leaf_hash": _b64(bytes(r.hash))}
                inside = (since is None or r.time >= since) and (until is None or r.time < until)
                if inside:
                    line["event"] = orjson.loads(r.doc)
                    count += 1
                f.write(orjson.dumps(line) + b"\n")
            pos = min(pos + PAGE, end)
            if progress:
                progress(pos - first, end - first)
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
