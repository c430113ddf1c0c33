"""SQLite: the trail partitioned by arrival epoch.

An event's epoch is its ledger index shifted right by EPOCH_BITS: it is known when the
event is stored, never changes, and splits each tenant's trail into runs of 131,072
events in arrival order. On SQLite it leads the trail's keys after the tenant, so the
keys a batch adds all land in the newest epoch's part of each tree (docs/performance.md).
A newest-first list reads one key range per epoch, newest `limit` of each, and merges
them (`newest_first`); `event_epochs` keeps each epoch's time bounds, so that a window
or a cursor skips the epochs that cannot hold a match. PostgreSQL partitions by month
and does not use epochs (`epoch` is 0 there).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    desc,
    func,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sealtrail.events.models import EVENT_EPOCHS, Event
from sealtrail.ledger.models import LEAVES

# Part of the stored format: changing it needs a migration that renumbers the epochs.
EPOCH_BITS = 17
# Epochs merged per statement (SQLite takes at most 500 arms in a compound SELECT).
MAX_ARMS = 64
# (time, id, rowid) of an event, from an index.
KeyRow = Row[Any, Any, Any]
ROWID: ColumnElement[int] = literal_column("events.rowid")


def of_index(index: int) -> int:
    """The epoch of the event at this ledger index."""
    return index >> EPOCH_BITS


def of_leaf(index: ColumnElement[int]) -> ColumnElement[int]:
    """The epoch of the event of a ledger leaf, in SQL."""
    return index.op(">>")(EPOCH_BITS)


def leaf_of_event(*, sqlite: bool) -> ColumnElement[bool]:
    """Join condition of `events` to their `ledger_leaves` rows: tenant, time and id,
    and on SQLite the epoch, which leads the events' key and which the leaf gives."""
    return and_(
        LEAVES.c.tenant_id == Event.tenant_id,
        LEAVES.c.time == Event.time,
        LEAVES.c.event_id == Event.id,
        *([Event.epoch == of_leaf(LEAVES.c.idx)] if sqlite else []),
    )


def bounds(rows: Iterable[tuple[int, int, datetime]]) -> dict[tuple[int, int], list[datetime]]:
    """The [oldest, newest] time of each (tenant, epoch) among (tenant, epoch, time) rows."""
    found: dict[tuple[int, int], list[datetime]] = {}
    for tenant_id, epoch, moment in rows:
        seen = found.setdefault((tenant_id, epoch), [moment, moment])
        if moment < seen[0]:
            seen[0] = moment
        elif moment > seen[1]:
            seen[1] = moment
    return found


def record(conn: Connection, rows: Iterable[tuple[int, int, datetime]]) -> None:
    """Widen the time bounds of the epochs of (tenant, epoch, time) rows just stored."""
    widened = bounds(rows)
    if not widened:
        return
    stmt = sqlite_insert(EVENT_EPOCHS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "epoch"],
        set_={
            "min_time": func.min(EVENT_EPOCHS.c.min_time, stmt.excluded.min_time),
            "max_time": func.max(EVENT_EPOCHS.c.max_time, stmt.excluded.max_time),
        },
    )
    conn.execute(
        stmt,
        [
            {"tenant_id": t, "epoch": e, "min_time": lo, "max_time": hi}
            for (t, e), (lo, hi) in widened.items()
        ],
    )


@dataclass(frozen=True)
class Span:
    """One epoch of a tenant's trail and the time of its newest event."""

    epoch: int
    newest: datetime


def in_window(
    session: Session,
    tenant_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    upto: datetime | None = None,
) -> list[Span]:
    """The tenant's epochs that may hold events timed in [since, until) and no later
    than `upto` (a cursor's time), the last to arrive first."""
    stmt = select(EVENT_EPOCHS.c.epoch, EVENT_EPOCHS.c.max_time).where(
        EVENT_EPOCHS.c.tenant_id == tenant_id
    )
    if since is not None:
        stmt = stmt.where(EVENT_EPOCHS.c.max_time >= since)
    if until is not None:
        stmt = stmt.where(EVENT_EPOCHS.c.min_time < until)
    if upto is not None:
        stmt = stmt.where(EVENT_EPOCHS.c.min_time <= upto)
    stmt = stmt.order_by(desc(EVENT_EPOCHS.c.epoch))
    return [Span(int(e), newest) for e, newest in session.execute(stmt)]


def newest_first(
    session: Session, stmt: Select[Any], spans: Sequence[Span], limit: int
) -> list[Event]:
    """The newest `limit` rows of `stmt` (events, maybe joined to their targets: an event
    may come once per matching target) over the given epochs, newest first.

    Epochs are read in rounds, the last to arrive first, 1, 1, 2, 4… at a time (at most
    MAX_ARMS). Each epoch is one index range, of which only as many keys (time, id,
    rowid) are read as could still enter the page: `limit` less those found that are
    newer than anything in the epoch. Once the page is full, an epoch is read only down
    to the page's last key, and one whose newest event is older is skipped; the rounds
    stop when no epoch left holds anything newer. Events mostly arrive in time order,
    so a first page reads one or two epochs however long the trail, the few late
    events of older epochs cost a short range each, and a filter that walks an epoch
    (no index for it) walks little further than one table would. Only the rows of the
    page are then read from the table.
    """
    top: list[KeyRow] = []
    # The newest event of any epoch from each position on.
    left = list(accumulate(reversed([span.newest for span in spans]), max))[::-1]
    done, size = 0, 1
    while done < len(spans):
        floor = _newest(top[limit - 1]) if len(top) >= limit else None
        if floor is not None and left[done] < floor[0]:
            break  # no epoch left holds an event newer than the page's last
        batch = spans[done : done + size]
        if done:
            size = min(size * 2, MAX_ARMS)
        done += len(batch)
        wanted = [
            (span.epoch, limit - _newer(top, span.newest))
            for span in batch
            if floor is None or span.newest >= floor[0]
        ]
        found = _newest_keys(session, stmt, [(e, n) for e, n in wanted if n > 0], limit, floor)
        top = sorted([*top, *found], key=_newest, reverse=True)[:limit]
    if not top:
        return []
    rids = [int(row.rid) for row in top]
    rows: dict[int, Event] = {
        int(rid): row
        for row, rid in session.execute(select(Event, ROWID).where(ROWID.in_(set(rids))))
    }
    return [rows[rid] for rid in rids]


def _newer(top: Sequence[KeyRow], moment: datetime) -> int:
    return sum(row.time > moment for row in top)


def _newest(row: KeyRow) -> tuple[datetime, uuid.UUID]:
    return row.time, row.id


def _newest_keys(
    session: Session,
    stmt: Select[Any],
    wanted: Sequence[tuple[int, int]],
    limit: int,
    floor: tuple[datetime, uuid.UUID] | None,
) -> Sequence[KeyRow]:
    """(time, id, rid) of the newest rows of `stmt` newer than `floor`, as many of each
    epoch as wanted, merged; `limit` at most."""
    if not wanted:
        return []
    if floor is not None:
        stmt = stmt.where(tuple_(Event.time, Event.id) > tuple_(*floor))
    parts = [
        select(
            stmt.where(Event.epoch == epoch)
            .with_only_columns(Event.time, Event.id, ROWID.label("rid"))
            .order_by(desc(Event.time), desc(Event.id))
            .limit(count)
            .subquery()
        )
        for epoch, count in wanted
    ]
    merged = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return session.execute(
        select(merged.c.time, merged.c.id, merged.c.rid)
        .order_by(desc(merged.c.time), desc(merged.c.id))
        .limit(limit)
    ).all()
