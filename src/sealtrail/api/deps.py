"""Request dependencies: the runtime, a database session, the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sealtrail.errors import Forbidden, Unauthorized
from sealtrail.identity import service as identity
from sealtrail.identity.schemas import Caller, Scope
from sealtrail.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    """The process runtime attached to the app."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session for the request, committed when the route returns without error."""
    with runtime.factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_caller(request: Request, runtime: RuntimeDep) -> Caller:
    """Authenticate the `Authorization: Bearer <API key>` header."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("missing Authorization header; send 'Authorization: Bearer <API key>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <API key>'")
    with runtime.factory() as session:
        caller = identity.authenticate_api_key(session, token.strip())
    request.state.caller = caller
    return caller


def require(scope: Scope) -> Callable[[Caller], Caller]:
    """A dependency that lets through only callers holding `scope`."""

    def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if not caller.has(scope):
            raise Forbidden(
                f"this API key lacks the {scope.value!r} scope", {"required_scope": scope.value}
            )
        return caller

    return check


IngestCaller = Annotated[Caller, Depends(require(Scope.ingest))]
ReadCaller = Annotated[Caller, Depends(require(Scope.read))]
AdminCaller = Annotated[Caller, Depends(require(Scope.admin))]
