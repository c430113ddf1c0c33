"""Shared fixtures: a runtime on each backend (SQLite, PostgreSQL), an API client, tenants.

PostgreSQL comes from SEALTRAIL_TEST_POSTGRES_URL; each test session gets its own
database, dropped at the end. Without the variable PostgreSQL tests are skipped locally,
but fail under CI=true: a missing engine must never pass silently.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sealtrail.api.app import create_app
from sealtrail.config import Settings
from sealtrail.identity import service as identity
from sealtrail.identity import users
from sealtrail.identity.schemas import Role, Scope
from sealtrail.observability.logging import configure_logging
from sealtrail.runtime import Runtime

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def _json_logs() -> None:
    """Log as a deployed server does: one JSON line per record. Unconfigured, structlog
    renders each traceback with every frame's variables, seconds per 500 on PostgreSQL."""
    configure_logging("warning", "json")


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    base = os.environ.get("SEALTRAIL_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("SEALTRAIL_TEST_POSTGRES_URL is not set; PostgreSQL tests cannot run")
        pytest.skip("SEALTRAIL_TEST_POSTGRES_URL not set")
    name = f"sealtrail_test_{secrets.token_hex(4)}"
    admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {base} is not reachable: {exc}")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database engine a test runs on."""
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings on a temporary data directory, database on the chosen backend."""
    database_url = None
    if backend == "postgresql":
        database_url = request.getfixturevalue("postgres_url")
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        sqlite_synchronous="NORMAL",
        worker_retry_delay=0,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """A migrated runtime (no worker thread: tests drain the queue with `drain`)."""
    rt = Runtime.build(settings)
    rt.migrate()
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """An HTTP client of the API over the runtime."""
    with TestClient(create_app(runtime)) as c:
        yield c


@dataclass
class TenantKeys:
    """A tenant created for one test, with one key per scope."""

    name: str
    id: int
    admin: str
    ingest: str
    read: str

    def auth(self, scope: str = "admin") -> dict[str, str]:
        """Authorization header for the key of `scope`."""
        return {"Authorization": f"Bearer {getattr(self, scope)}"}


def make_tenant(runtime: Runtime, name: str | None = None) -> TenantKeys:
    """Create a tenant with an admin, an ingest and a read key."""
    name = name or f"t-{secrets.token_hex(4)}"
    with runtime.factory() as session, session.begin():
        identity.create_tenant(session, name)
        tenant = identity.get_tenant(session, name)
        keys = {
            scope.value: identity.create_api_key(session, tenant, scope.value, [scope]).key
            for scope in (Scope.admin, Scope.ingest, Scope.read)
        }
        return TenantKeys(name=name, id=tenant.id, **keys)


@pytest.fixture
def tenant(runtime: Runtime) -> TenantKeys:
    """A fresh tenant for the test."""
    return make_tenant(runtime)


def drain(runtime: Runtime) -> int:
    """Run the worker until the queue has nothing visible; return events handled."""
    worker = runtime.worker()
    total = 0
    while handled := worker.process_once():
        total += handled
    return total


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event(**overrides: Any) -> dict[str, Any]:
    """A valid event; fields can be overridden."""
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "time": iso(datetime.now(UTC) - timedelta(seconds=1)),
        "action": "trade.order.create",
        "outcome": "success",
        "actor": {"type": "user", "id": "alice", "name": "Alice Martin"},
        "targets": [{"type": "order", "id": "o-1", "name": "Order 1"}],
        "source": {"app": "trading", "environment": "test"},
    }
    base.update(overrides)
    return base


@dataclass
class Person:
    """A user created for a test, with the password it logs in with."""

    tenant: str
    id: int
    email: str
    password: str
    role: str


def make_user(runtime: Runtime, tenant: str, role: str, email: str | None = None) -> Person:
    """Create a user with a generated password in `tenant`."""
    email = email or f"{role}-{secrets.token_hex(3)}@example.com"
    with runtime.factory() as session, session.begin():
        created = users.create_user(
            session, identity.get_tenant(session, tenant), email, Role(role)
        )
    assert created.password
    return Person(
        tenant=tenant, id=created.id, email=created.email, password=created.password, role=role
    )


def login(client: TestClient, person: Person) -> dict[str, Any]:
    """Log `person` in; returns the token pair."""
    r = client.post(
        "/api/v1/auth/login",
        json={"tenant": person.tenant, "email": person.email, "password": person.password},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a token or key."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def empty_runtime(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Runtime]:
    """A migrated runtime over a database nothing else has touched (first-start tests)."""
    database_url = None
    admin = None
    name = f"sealtrail_empty_{secrets.token_hex(4)}"
    if backend == "postgresql":
        base = request.getfixturevalue("postgres_url")
        admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = make_url(base).set(database=name).render_as_string(hide_password=False)
    rt = Runtime.build(
        Settings(data_dir=tmp_path / "empty", database_url=database_url, worker_retry_delay=0)
    )
    rt.migrate()
    yield rt
    rt.close()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
