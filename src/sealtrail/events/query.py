"""Query the trail: filtered lists with keyset pagination, single events, statistics."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    Select,
    and_,
    column,
    desc,
    func,
    literal_column,
    or_,
    select,
    table,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from sealtrail.db.functions import epoch_bucket
from sealtrail.errors import BadRequest, NotFound
from sealtrail.events import epochs
from sealtrail.events.models import Event, EventTarget
from sealtrail.events.schema import format_time
from sealtrail.ledger import tree as ledger
from sealtrail.ledger.models import LEAVES

MAX_LIMIT = 500
# Entries of each top list of the statistics.
MAX_TOP = 100
BUCKETS = {"minute": 60, "hour": 3600, "day": 86400}
# The most buckets a statistics series holds (docs/api.md), whatever the window.
MAX_BUCKETS = 200
DEFAULT_WINDOW = timedelta(hours=24)
EARLIEST = datetime.min.replace(tzinfo=UTC)
# Free text: when the trigram index holds fewer matches than this, the query is driven
# from the index (rare words); otherwise from the newest events (common words match early).
TEXT_INDEX_PROBE = 2_000
# PostgreSQL: how many of the newest events of the list are sampled to judge each term,
# and how many of them the rarest term must match for walking them to beat the index.
TEXT_SAMPLE = 5_000
TEXT_WALK_MIN = 5
TRIGRAM = 3
ACTION_PREFIX_PROBE = 5_000
EVENTS_FTS = table("events_fts", column("rowid"), column("search_text"))


@dataclass
class EventFilter:
    """What a list or a stream asks for; every field optional."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    outcome: str | None = None
    source: str | None = None
    q: str | None = None
    terms: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise BadRequest("since must be before until", {"field": "since"})
        if self.q:
            self.terms = [t.lower() for t in self.q.split() if t]

    def narrows(self) -> bool:
        """Whether it asks for more than a time window."""
        return bool(
            self.actor
            or (self.action and self.action != "*")
            or self.target
            or self.outcome
            or self.source
            or self.terms
        )

    def canonical(self) -> dict[str, Any]:
        """The search as plain values, equal for equal searches (cursors are bound to it)."""
        return {
            "since": format_time(self.since) if self.since else None,
            "until": format_time(self.until) if self.until else None,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "outcome": self.outcome,
            "source": self.source,
            "terms": self.terms,
        }


Position = tuple[datetime, uuid.UUID]
"""Where a page ends: the (time, id) of its last event; the next page starts after it."""


def position_values(position: Position) -> list[str]:
    """A position as JSON values (what a cursor carries)."""
    moment, event_id = position
    return [format_time(moment), str(event_id)]


def position_of(values: list[Any]) -> Position:
    """Inverse of position_values; ValueError or TypeError for anything else."""
    moment, event_id = values
    if not isinstance(moment, str) or not isinstance(event_id, str):
        raise TypeError("a position is [time, event id]")
    return datetime.fromisoformat(moment.replace("Z", "+00:00")), uuid.UUID(event_id)


@dataclass(frozen=True)
class Page:
    """One page of events, newest first, and where the next page starts (None: the end)."""

    items: list[dict[str, Any]]
    next_after: Position | None


def _prefix_upper(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(term: str) -> str:
    return f"%{_like_escape(term)}%"


def _indexable_terms(flt: EventFilter) -> list[str]:
    # FTS5 answers LIKE from its index only without an ESCAPE clause, so terms holding
    # LIKE wildcards stay out of it (the exact LIKE on `events` still applies to them).
    return [t for t in flt.terms if len(t) >= TRIGRAM and not set(t) & {"%", "_", "\\"}]


def _rarest_term(session: Session, flt: EventFilter) -> str | None:
    """The free-text term to drive the query from the SQLite trigram index, if any.

    Each indexable term's matches are counted up to TEXT_INDEX_PROBE; the rarest one
    under it wins (the others are checked by LIKE on the few rows it yields). None when
    every term is common: walking the newest events then finds a page soonest.
    """
    terms = _indexable_terms(flt)
    if not terms or session.get_bind().dialect.name != "sqlite":
        return None  # PostgreSQL's planner weighs its GIN index against the time order
    best: tuple[int, str] | None = None
    for term in sorted(terms, key=len, reverse=True):  # longer terms tend to be rarer
        matches: Select[Any] = (
            select(literal_column("1"))
            .select_from(EVENTS_FTS)
            .where(EVENTS_FTS.c.search_text.like(f"%{term}%"))
            .limit(TEXT_INDEX_PROBE)
        )
        count = int(
            session.execute(select(func.count()).select_from(matches.subquery())).scalar_one()
        )
        if best is None or count < best[0]:
            best = (count, term)
        if count < TEXT_INDEX_PROBE // 10:
            break  # rare enough: probing the others costs more than it could save
    return best[1] if best and best[0] < TEXT_INDEX_PROBE else None


@dataclass(frozen=True)
class TrigramPlan:
    """PostgreSQL: the one free-text term its trigram index answers (its matches are
    then sorted), or None to walk the newest events and check every term on them."""

    term: str | None


def _trigram_plan(
    session: Session, tenant_id: int, flt: EventFilter, after: Position | None
) -> TrigramPlan | None:
    """How PostgreSQL answers free text; None elsewhere or without an indexable term.

    Left to itself, the planner gives the GIN index every term, which ANDs their posting
    lists: a common term's (`order` is in every event) cost more to read than the rare
    term's rows. And its statistics cannot tell a rare number from a common one, so it
    may walk the trail for a term found 250 times in 5M. So the newest TEXT_SAMPLE
    events of the list are sampled: when the rarest term matches fewer than
    TEXT_WALK_MIN of them the index gets it alone, otherwise the newest events are
    walked. SQLite drives from its FTS5 table instead (`_rarest_term`).
    """
    terms = _indexable_terms(flt)
    if not terms or session.get_bind().dialect.name != "postgresql":
        return None
    newest = _paged(
        _filtered(tenant_id, EventFilter(**{**flt.__dict__, "q": None, "terms": []})), after
    )
    sample = (
        newest.with_only_columns(Event.search_text)
        .order_by(desc(Event.time), desc(Event.id))
        .limit(TEXT_SAMPLE)
        .subquery()
    )
    counts = session.execute(
        select(*(func.count().filter(func.strpos(sample.c.search_text, t) > 0) for t in terms))
    ).one()
    # Among equally rare terms the longest has the most trigrams, so the fewest false hits.
    count, _, rarest = min((int(n), -len(t), t) for n, t in zip(counts, terms, strict=True))
    return TrigramPlan(None if count >= TEXT_WALK_MIN else rarest)


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _epochs(
    session: Session, tenant_id: int, since: datetime | None, until: datetime | None
) -> list[int]:
    return sorted(span.epoch for span in epochs.in_window(session, tenant_id, since, until))


def _paged(stmt: Select[Event], after: Position | None) -> Select[Event]:
    if after is None:
        return stmt
    return stmt.where(tuple_(Event.time, Event.id) < tuple_(*after))


def _broad_prefix(session: Session, tenant_id: int, flt: EventFilter) -> bool:
    """Whether an action prefix (`trade.*`) covers so many events of the tenant that
    walking the newest events finds a page sooner than sorting all of the prefix's.

    Counted on the action index, up to ACTION_PREFIX_PROBE entries. SQLite only:
    PostgreSQL's planner judges prefix ranges from its column statistics.
    """
    if not flt.action or not flt.action.endswith("*") or flt.action == "*":
        return False
    if not _sqlite(session):
        return False
    prefix = flt.action[:-1]
    inside: Select[Any] = (
        select(literal_column("1"))
        .select_from(Event)
        .where(
            Event.tenant_id == tenant_id,
            Event.epoch.in_(_epochs(session, tenant_id, flt.since, flt.until)),
            Event.action >= prefix,
            Event.action < _prefix_upper(prefix),
        )
        .limit(ACTION_PREFIX_PROBE)
    )
    count = session.execute(select(func.count()).select_from(inside.subquery())).scalar_one()
    return int(count) >= ACTION_PREFIX_PROBE


def _filtered(
    tenant_id: int,
    flt: EventFilter,
    *,
    text_term: str | None = None,
    broad_prefix: bool = False,
    trigram: TrigramPlan | None = None,
) -> Select[Event]:
    if text_term is not None:
        # `+ 0` keeps SQLite off the (tenant, time) indexes: it looks up the few rows the
        # trigram index names and sorts them, instead of walking the tenant's whole trail.
        stmt = (
            select(Event)
            .where((Event.tenant_id + 0) == tenant_id)
            .execution_options(tenant_filtered=True)
        )
        matches = select(EVENTS_FTS.c.rowid).where(EVENTS_FTS.c.search_text.like(f"%{text_term}%"))
        stmt = stmt.where(literal_column("events.rowid").in_(matches))
    else:
        stmt = select(Event).where(Event.tenant_id == tenant_id)
    if flt.since:
        stmt = stmt.where(Event.time >= flt.since)
    if flt.until:
        stmt = stmt.where(Event.time < flt.until)
    if flt.actor:
        stmt = stmt.where(Event.actor_id == flt.actor)
    if flt.action and flt.action != "*":
        if flt.action.endswith("*"):
            prefix = flt.action[:-1]
            action = Event.action.concat("") if broad_prefix else Event.action
            stmt = stmt.where(action >= prefix, action < _prefix_upper(prefix))
        else:
            stmt = stmt.where(Event.action == flt.action)
    if flt.outcome:
        stmt = stmt.where(Event.outcome == flt.outcome)
    if flt.source:
        stmt = stmt.where(Event.source_app == flt.source)
    for term in flt.terms:
        if trigram is None or term == trigram.term:
            stmt = stmt.where(Event.search_text.like(_like(term), escape="\\"))
        else:
            # The same substring test, but one the trigram index cannot answer and the
            # planner does not take for rare: checked on the rows the plan reads.
            stmt = stmt.where(func.strpos(Event.search_text, term) > 0)
    if flt.target:
        match = EventTarget.target_id == flt.target
        if ":" in flt.target:
            kind, ident = flt.target.split(":", 1)
            # The IN is implied by the OR; spelt out, it lets both engines probe the
            # (tenant, target_id, ...) key for each id instead of scanning the tenant's.
            match = and_(
                EventTarget.target_id.in_([flt.target, ident]),
                or_(match, and_(EventTarget.target_type == kind, EventTarget.target_id == ident)),
            )
        stmt = stmt.join(
            EventTarget,
            and_(
                EventTarget.tenant_id == Event.tenant_id,
                EventTarget.epoch == Event.epoch,
                EventTarget.time == Event.time,
                EventTarget.event_id == Event.id,
            ),
        ).where(EventTarget.tenant_id == tenant_id, match)
    return stmt


def list_events(
    session: Session,
    tenant_id: int,
    flt: EventFilter,
    *,
    limit: int = 50,
    after: Position | None = None,
) -> Page:
    """Events matching `flt` after `after`, newest first; pages are stable while new
    events arrive."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", {"field": "limit"})
    trigram = _trigram_plan(session, tenant_id, flt, after)
    text_term = _rarest_term(session, flt)
    stmt = _filtered(
        tenant_id,
        flt,
        text_term=text_term,
        broad_prefix=_broad_prefix(session, tenant_id, flt),
        trigram=trigram,
    )
    stmt = _paged(stmt, after)
    if _sqlite(session) and text_term is None:
        # One index range per arrival epoch, merged (events/epochs.py).
        upto = after[0] if after else None
        window = epochs.in_window(session, tenant_id, flt.since, flt.until, upto)
        rows: Sequence[Event] = epochs.newest_first(session, stmt, window, limit + 1)
    else:
        newest: Any = Event.time
        if trigram is not None and trigram.term is not None:
            # An order the primary key cannot deliver: PostgreSQL sorts the index's few
            # matches instead of walking the trail in the hope of meeting them.
            newest = Event.time.op("+")(literal_column("interval '0'"))
        rows = session.scalars(stmt.order_by(desc(newest), desc(Event.id)).limit(limit + 1)).all()
    items: list[dict[str, Any]] = []
    seen: set[uuid.UUID] = set()
    for row in rows[:limit]:
        if row.id not in seen:  # an event whose two targets both match appears twice
            seen.add(row.id)
            items.append(stored_event(row))
    _with_ledger(session, tenant_id, items)
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return Page(items=items, next_after=(last.time, last.id) if last else None)


def _with_ledger(session: Session, tenant_id: int, items: list[dict[str, Any]]) -> None:
    """Add each event's place in the ledger: `ledger: {index, leaf_hash}`."""
    leaves = ledger.leaves_of_events(
        session.connection(), tenant_id, [uuid.UUID(e["id"]) for e in items]
    )
    for item in items:
        found = leaves.get(uuid.UUID(item["id"]))
        if found is not None:
            _place(item, *found)


def _place(item: dict[str, Any], index: int, leaf: bytes) -> dict[str, Any]:
    item["ledger"] = {"index": index, "leaf_hash": base64.b64encode(leaf).decode()}
    return item


def by_ledger_index(
    session: Session, tenant_id: int, flt: EventFilter, *, after: int, upto: int
) -> list[dict[str, Any]]:
    """Events matching `flt` whose ledger index is in (after, upto], in index order.

    The ledger's key range drives the query: it reads at most `upto - after` leaves
    whatever the filter, so each look costs the same on a trail of any size.
    """
    stmt = (
        _filtered(tenant_id, flt)
        .join(LEAVES, epochs.leaf_of_event(sqlite=_sqlite(session)))
        .where(LEAVES.c.tenant_id == tenant_id, LEAVES.c.idx > after, LEAVES.c.idx <= upto)
        .add_columns(LEAVES.c.idx, LEAVES.c.hash)
        .order_by(LEAVES.c.idx)
    )
    items: list[dict[str, Any]] = []
    last = None
    for row, index, leaf in session.execute(stmt):
        if index != last:  # an event whose two targets both match appears twice
            last = index
            items.append(_place(stored_event(row), int(index), bytes(leaf)))
    return items


def stored_event(row: Event) -> dict[str, Any]:
    """The event as the API returns it."""
    doc: dict[str, Any] = orjson.loads(row.doc)
    return doc


def event_by_id(tenant_id: int, event_id: uuid.UUID, *, sqlite: bool) -> Select[Event]:
    """The statement reading one event by id: through the ledger's index by event id
    (every stored event has its leaf, which holds its time and gives its epoch), because
    the events' key starts with those; by id alone it would scan the tenant's events."""
    leaf = and_(LEAVES.c.tenant_id == tenant_id, LEAVES.c.event_id == event_id)
    when = select(LEAVES.c.time).where(leaf).scalar_subquery()
    stmt = select(Event).where(
        Event.tenant_id == tenant_id, Event.time == when, Event.id == event_id
    )
    if sqlite:
        epoch = select(epochs.of_leaf(LEAVES.c.idx)).where(leaf).scalar_subquery()
        stmt = stmt.where(Event.epoch == epoch)
    return stmt


def get_event(session: Session, tenant_id: int, event_id: uuid.UUID) -> dict[str, Any]:
    """One stored event of the tenant, or NotFound (also for other tenants' ids)."""
    row = session.scalar(event_by_id(tenant_id, event_id, sqlite=_sqlite(session)))
    if row is None:
        raise NotFound(f"no event {event_id}", {"id": str(event_id)})
    items = [stored_event(row)]
    _with_ledger(session, tenant_id, items)
    return items[0]


def bucket_count(since: datetime, until: datetime, width: int) -> int:
    """How many buckets of `width` seconds (aligned on the epoch) the window touches."""
    first = int(since.timestamp()) // width
    last = (int(until.timestamp()) - 1) // width
    return max(last - first + 1, 1)


def choose_bucket(since: datetime, until: datetime, bucket: str | None) -> int:
    """Bucket width in seconds: the one asked for, or the finest named width giving at
    most MAX_BUCKETS buckets, or, over longer windows, the fewest whole days that do."""
    if bucket is not None:
        if bucket not in BUCKETS:
            raise BadRequest(
                f"bucket must be one of {', '.join(BUCKETS)}", {"field": "bucket", "value": bucket}
            )
        width = BUCKETS[bucket]
        if bucket_count(since, until, width) > MAX_BUCKETS:
            raise BadRequest(
                f"the window holds more than {MAX_BUCKETS} {bucket} buckets: "
                "ask for a wider bucket, a shorter window, or none (automatic)",
                {"field": "bucket", "value": bucket, "max_buckets": MAX_BUCKETS},
            )
        return width
    for width in BUCKETS.values():
        if bucket_count(since, until, width) <= MAX_BUCKETS:
            return width
    day = BUCKETS["day"]
    days = -(-(until - since).days // MAX_BUCKETS)
    # Aligned on the epoch, a window of N widths may touch N + 1 buckets.
    while bucket_count(since, until, days * day) > MAX_BUCKETS:
        days += 1
    return days * day


def stats(
    session: Session,
    tenant_id: int,
    flt: EventFilter,
    *,
    bucket: str | None = None,
    top: int = 10,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Counts per time bucket and the top actors, actions and targets of a window."""
    now = now or datetime.now(UTC)
    until = flt.until or now
    # Not before the first representable moment: `until` may be within a day of it.
    since = flt.since or (until - DEFAULT_WINDOW if until - EARLIEST > DEFAULT_WINDOW else EARLIEST)
    if since >= until:
        raise BadRequest("since must be before until", {"field": "since"})
    window = EventFilter(**{**flt.__dict__, "since": since, "until": until, "terms": []})
    width = choose_bucket(since, until, bucket)
    counted = _filtered(tenant_id, window)
    if _sqlite(session):
        counted = counted.where(Event.epoch.in_(_epochs(session, tenant_id, since, until)))
    base = counted.subquery()
    idx = epoch_bucket(base.c.time, width).label("bucket")
    series_rows = session.execute(
        select(idx, func.count().label("n"))
        .group_by(literal_column("bucket"))
        .order_by(literal_column("bucket"))
    ).all()
    counts = {int(r.bucket): int(r.n) for r in series_rows}
    first = int(since.timestamp()) // width
    last = first + bucket_count(since, until, width) - 1
    # A first bucket aligned on the epoch may start before year 1: it is shown from there.
    earliest = int(EARLIEST.timestamp())
    series = [
        {
            "start": format_time(datetime.fromtimestamp(max(b * width, earliest), UTC)),
            "count": counts.get(b, 0),
        }
        for b in range(first, last + 1)
    ]

    def top_of(column: Any) -> list[dict[str, Any]]:
        rows = session.execute(
            select(column.label("value"), func.count().label("n"))
            .group_by(column)
            .order_by(desc("n"), column)
            .limit(top)
        ).all()
        return [{"value": r.value, "count": int(r.n)} for r in rows]

    # Driven from the window's target rows, each checked against its event by the events'
    # key: driven from the events, SQLite looked each one's targets up by epoch alone,
    # which made this statement quadratic in the window's size.
    listed = aliased(EventTarget)
    counted_targets = select(
        (listed.target_type + ":" + listed.target_id).label("value"),
        func.count().label("n"),
    ).where(listed.tenant_id == tenant_id, listed.time >= since, listed.time < until)
    if _sqlite(session):
        counted_targets = counted_targets.where(
            listed.epoch.in_(_epochs(session, tenant_id, since, until))
        )
    if window.narrows():
        counted_targets = counted_targets.where(
            counted.with_only_columns(literal_column("1"))
            .where(
                Event.epoch == listed.epoch,
                Event.time == listed.time,
                Event.id == listed.event_id,
            )
            .exists()
        )
    targets = (
        counted_targets.group_by(listed.target_type, listed.target_id)
        .order_by(desc("n"), listed.target_type, listed.target_id)
        .limit(top)
    )
    return {
        "since": format_time(since),
        "until": format_time(until),
        "bucket_seconds": width,
        "total": sum(counts.values()),
        "series": series,
        "top_actions": top_of(base.c.action),
        "top_actors": top_of(base.c.actor_id),
        "top_targets": [
            {"value": r.value, "count": int(r.n)} for r in session.execute(targets).all()
        ],
    }
