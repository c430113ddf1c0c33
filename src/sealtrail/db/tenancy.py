"""Tenant isolation by construction.

Every table that holds a tenant's data maps to a class deriving from `TenantOwned`
(a test checks that no mapped table with a `tenant_id` column escapes it). A session
bound to a tenant with `bind_tenant` then gets, on every ORM statement it runs —
SELECT, UPDATE and DELETE, joins and subqueries included — the criterion
`tenant_id = <bound tenant>` added by one event hook, and every object it inserts is
stamped with (or checked against) that tenant. Routes receive only such sessions, so a
route cannot read or change another tenant's rows even if it forgets a filter.

A statement may carry its own tenant predicate for the query planner's sake (the trail
search writes `tenant_id + 0 = :t` to steer SQLite's index choice); it says so with the
execution option `tenant_filtered=True`, and only the hook's criterion is skipped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria

from sealtrail.errors import SealtrailError

TENANT_KEY = "sealtrail.tenant_id"


class TenantOwned:
    """Mixin of mapped classes whose rows belong to one tenant (`tenant_id`).

    Subclasses declare their own `tenant_id` column (with its foreign key); this one
    is what the tenant criterion is written against.
    """

    tenant_id: Mapped[int] = mapped_column(Integer)


class CrossTenantWrite(SealtrailError):
    """An object of another tenant was about to be written through a bound session."""


def bind_tenant(session: Session, tenant_id: int) -> Session:
    """Confine `session` to one tenant's rows from now on; returns it."""
    current = session.info.get(TENANT_KEY)
    if current is not None and current != tenant_id:
        raise CrossTenantWrite("session is already bound to another tenant")
    session.info[TENANT_KEY] = tenant_id
    return session


def bound_tenant(session: Session) -> int | None:
    """The tenant a session is bound to, if any."""
    value = session.info.get(TENANT_KEY)
    return int(value) if value is not None else None


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None or state.execution_options.get("tenant_filtered"):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantOwned,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
                track_closure_variables=True,
            )
        )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise CrossTenantWrite(
                f"refusing to write a {type(obj).__name__} of another tenant "
                "through a session bound to this one"
            )
