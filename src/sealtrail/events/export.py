"""Every event matching a search, as NDJSON or CSV, newest first, streamed.

Pages are read with the search's keyset pagination, each in a short session of its
own: a slow download holds no database connection between pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db.tenancy import bind_tenant
from sealtrail.events import query
from sealtrail.spreadsheet import csv_lines

MAX_EVENTS = 1_000_000
CSV_COLUMNS = [
    "time",
    "id",
    "action",
    "category",
    "outcome",
    "actor_type",
    "actor_id",
    "actor_name",
    "actor_ip",
    "targets",
    "source_app",
    "source_service",
    "source_environment",
    "description",
    "request_id",
    "received_at",
    "ledger_index",
    "metadata",
]


def pages(
    factory: sessionmaker[Session], tenant_id: int, flt: query.EventFilter, limit: int
) -> Iterator[list[dict[str, Any]]]:
    """Pages of the matching events, newest first, `limit` events in all."""
    after: query.Position | None = None
    left = limit
    while left > 0:
        with factory() as session, session.begin():
            bind_tenant(session, tenant_id)
            page = query.list_events(
                session, tenant_id, flt, limit=min(query.MAX_LIMIT, left), after=after
            )
        yield page.items
        left -= len(page.items)
        if page.next_after is None:
            return
        after = page.next_after


def as_ndjson(events: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """One stored event per line, exactly as the search returns it."""
    for item in events:
        yield orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE)


def as_csv(events: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """A header row and one row per event; cells that could run as formulas neutralised."""
    return csv_lines(CSV_COLUMNS, (_row(item) for item in events))


def _row(item: dict[str, Any]) -> list[Any]:
    actor = item.get("actor", {})
    source = item.get("source", {})
    metadata = item.get("metadata")
    return [
        item.get("time"),
        item.get("id"),
        item.get("action"),
        item.get("category"),
        item.get("outcome"),
        actor.get("type"),
        actor.get("id"),
        actor.get("name"),
        actor.get("ip"),
        "; ".join(f"{t['type']}:{t['id']}" for t in item.get("targets", ())),
        source.get("app"),
        source.get("service"),
        source.get("environment"),
        item.get("description"),
        item.get("context", {}).get("request_id"),
        item.get("received_at"),
        item.get("ledger", {}).get("index"),
        orjson.dumps(metadata).decode() if metadata is not None else None,
    ]
