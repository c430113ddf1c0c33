"""Request dependencies: the runtime, the authenticated caller, permissions, sessions.

Access is decided in one place. Every route declares either `permit(<Permission>)`
(through the `Caller` it receives) or `PUBLIC`; a test walks the route table and fails
on a route that declares neither. `TenantSessionDep` is a database session bound to
the caller's tenant (see `sealtrail.db.tenancy`): the only session routes over tenant
data receive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.db.tenancy import bind_tenant
from sealtrail.errors import Forbidden, Unauthorized
from sealtrail.identity import service as identity
from sealtrail.identity import sessions
from sealtrail.identity.permissions import Permission, allowed
from sealtrail.identity.schemas import Caller
from sealtrail.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    """The process runtime attached to the app."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_caller(request: Request, runtime: RuntimeDep) -> Caller:
    """Authenticate `Authorization: Bearer <API key | access token>`."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized(
            "missing Authorization header; send 'Authorization: Bearer <API key or token>'"
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization header must be 'Bearer <API key or token>'")
    with runtime.factory() as session:
        if token.startswith(identity.KEY_PREFIX + "_"):
            caller = identity.authenticate_api_key(session, token)
        else:
            caller = sessions.authenticate_access_token(session, runtime.jwt_secret, token)
    request.state.caller = caller
    return caller


class Permit:
    """The dependency of a route that needs `permission` (see identity.permissions)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if not allowed(caller, self.permission):
            who = f"role {caller.role.value!r}" if caller.role else "this API key"
            if caller.kind == "user" and not caller.role:
                who = "this user"
            raise Forbidden(
                f"{who} may not {self.permission.value}",
                {"required_permission": self.permission.value},
            )
        return caller

    def __repr__(self) -> str:
        return f"Permit({self.permission.value})"


class Public:
    """The marker dependency of a route anyone may call (health, login, schema)."""

    def __call__(self) -> None:
        return None


PUBLIC = Public()
_PERMITS = {p: Permit(p) for p in Permission}


def permit(permission: Permission) -> Permit:
    """The (shared) dependency instance for `permission`."""
    return _PERMITS[permission]


def still_permitted(request: Request, runtime: Runtime, permission: Permission) -> bool:
    """Whether the request's credential still holds `permission` (long responses ask again)."""
    try:
        permit(permission)(get_caller(request, runtime))
    except (Unauthorized, Forbidden):
        return False
    return True


# Requests that only read: their sessions come from the read engine (a pool of its own,
# no writes, a time budget per statement) and they take one of the process's read slots.
READ_METHODS = frozenset({"GET", "HEAD"})


async def read_slot(request: Request, runtime: RuntimeDep) -> AsyncIterator[None]:
    """A read waits (holding no thread) for one of the process's read slots and keeps it
    until its route returns; more than `SEALTRAIL_READ_MAX_CONCURRENT` are 503."""
    if request.method not in READ_METHODS:
        yield
        return
    async with runtime.read_slots.hold():
        yield


ReadSlot = Annotated[None, Depends(read_slot, scope="function")]


def _sessions(request: Request, runtime: Runtime) -> sessionmaker[Session]:
    return runtime.read_factory if request.method in READ_METHODS else runtime.factory


def get_tenant_session(
    request: Request,
    runtime: RuntimeDep,
    caller: Annotated[Caller, Depends(get_caller)],
    _slot: ReadSlot,
) -> Iterator[Session]:
    """A session bound to the caller's tenant, committed when the route returns."""
    with _sessions(request, runtime)() as session, session.begin():
        bind_tenant(session, caller.tenant_id)
        yield session


def get_session(request: Request, runtime: RuntimeDep, _slot: ReadSlot) -> Iterator[Session]:
    """An unbound session: for public routes (login) and platform-wide superadmin routes."""
    with _sessions(request, runtime)() as session, session.begin():
        yield session


# Function scope: the transaction commits when the route returns, before the response is
# sent, so a client never reads its own write too early, and a failed commit is an error
# answer rather than a 2xx for something that was not stored.
TenantSessionDep = Annotated[Session, Depends(get_tenant_session, scope="function")]
UnscopedSessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Kept for routes written before tenancy binding; equal to TenantSessionDep.
SessionDep = TenantSessionDep


IngestCaller = Annotated[Caller, Depends(permit(Permission.trail_ingest))]
TrailReader = Annotated[Caller, Depends(permit(Permission.trail_read))]
TrailExporter = Annotated[Caller, Depends(permit(Permission.trail_export))]
LedgerReader = Annotated[Caller, Depends(permit(Permission.ledger_read))]
KeyReader = Annotated[Caller, Depends(permit(Permission.keys_read))]
KeyManager = Annotated[Caller, Depends(permit(Permission.keys_manage))]
UserReader = Annotated[Caller, Depends(permit(Permission.users_read))]
UserManager = Annotated[Caller, Depends(permit(Permission.users_manage))]
DlqReader = Annotated[Caller, Depends(permit(Permission.dlq_read))]
DlqReplayer = Annotated[Caller, Depends(permit(Permission.dlq_replay))]
SelfCaller = Annotated[Caller, Depends(permit(Permission.session_self))]
ComplianceReader = Annotated[Caller, Depends(permit(Permission.compliance_read))]
ScanRequester = Annotated[Caller, Depends(permit(Permission.compliance_scan))]
ExceptionManager = Annotated[Caller, Depends(permit(Permission.compliance_exceptions))]
AccountManager = Annotated[Caller, Depends(permit(Permission.compliance_accounts))]
Superadmin = Annotated[Caller, Depends(permit(Permission.tenants_manage))]
