"""Where Sealtrail's own audit records go: the tenant's trail, through the normal queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
import structlog

import sealtrail
from sealtrail.events import ingest
from sealtrail.events.registry import Registry
from sealtrail.events.schema import format_time
from sealtrail.identity.schemas import Caller
from sealtrail.observability import metrics
from sealtrail.selfaudit.middleware import AuditRecord

log = structlog.get_logger("sealtrail.selfaudit")
SOURCE_APP = "sealtrail"


def principal(state: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    """The tenant and actor of the authenticated caller, if any."""
    caller = state.get("caller")
    if not isinstance(caller, Caller):
        return None
    actor = dict(caller.actor)
    if caller.session_id:
        actor["session_id"] = caller.session_id
    return (caller.tenant_id, caller.tenant), actor


class QueueSink:
    """Turns a record into an event of the tenant's trail (validated, queued, ledgered)."""

    def __init__(self, registry: Callable[[], Registry]) -> None:
        # Resolved at the first record: the registry reads the migrated database.
        self.registry = registry

    def __call__(self, record: AuditRecord) -> None:
        try:
            self._queue(record)
        except Exception:
            metrics.SELF_AUDIT_FAILURES.inc()
            log.error(
                "selfaudit.lost",
                action=record.action,
                outcome=record.outcome,
                tenant=record.tenant[1],
                actor=record.actor,
                targets=record.targets,
                metadata=record.metadata,
            )
            raise

    def _queue(self, record: AuditRecord) -> None:
        tenant_id, tenant_name = record.tenant
        document: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "time": format_time(record.time),
            "action": record.action,
            "category": "sealtrail",
            "outcome": record.outcome,
            "actor": {k: v for k, v in record.actor.items() if v},
            "targets": record.targets,
            "source": {"app": SOURCE_APP, "service": "api", "version": sealtrail.__version__},
            "metadata": record.metadata,
        }
        if record.request_id:
            document["context"] = {"request_id": record.request_id}
        events = ingest.parse_events(
            orjson.dumps(document),
            "application/json",
            now=record.time,
            max_batch=1,
            max_future_skew=timedelta(minutes=5),
        )
        caller = Caller(kind="system", tenant_id=int(tenant_id), tenant=str(tenant_name))
        prepared = ingest.prepare(events, caller, record.time)
        ingest.enqueue(self.registry(), caller, prepared, record.time)
        log.debug("selfaudit.recorded", action=record.action, tenant=tenant_name)
