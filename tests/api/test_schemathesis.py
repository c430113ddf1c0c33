"""A bounded schemathesis pass over the whole OpenAPI document: no input is answered 5xx.

Every operation but the live tail (it streams until the client leaves) gets valid and
invalid inputs, as an admin API key and as an admin user's access token, on SQLite and
PostgreSQL. Generation is seeded, so a red run replays identically in CI.

The pass drives schemathesis' strategies with Hypothesis itself rather than through
`schemathesis.pytest.from_fixture`, whose lazy loader does not run on pytest 9.2
(it sets `Function._nodeid`, gone from pytest); the app is built per test by fixtures.
"""

from __future__ import annotations

import secrets
import traceback
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.python.asgi import shutdown_lifespans

from sealtrail.config import Settings
from sealtrail.identity import service as identity
from sealtrail.identity import users
from sealtrail.identity.schemas import Role, Scope
from sealtrail.runtime import Runtime
from tests.conftest import Person, bearer, drain, event, login, make_tenant

# Per operation; about 60 operations x 2 engines x 2 credentials stay within minutes.
MAX_EXAMPLES = 16

EXCLUDED_PATHS = ["/api/v1/audit/stream"]

# Values at the edges of what the stores and the canonical form represent: column and
# 64-bit integer bounds, NUL, times whose UTC conversion overflows or that lie before year
# 1000, a trailing newline, a forged cursor (base64 of `[1,2]`). Generation draws them now
# and then in place of its own values, in every parameter and field of their type.
EDGE_INTEGERS = [2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 2**64]
EDGE_STRINGS = [
    "\x00",
    "a\x00b",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:30:00-01:00",
    "0999-01-01T00:00:00Z",
    "user.login\n",
    "WzEsMl0",
]

CONFIG = schemathesis.Config.from_dict(
    {
        "dictionaries": {
            "edge-integers": {"values": EDGE_INTEGERS},
            "edge-strings": {"values": EDGE_STRINGS},
        },
        "generation": {
            # Cases carry no credentials of their own: each is sent with the pass's admin ones.
            "with-security-parameters": False,
            "dictionaries": {
                "integer": {"dictionary": "edge-integers", "probability": 0.25},
                "string": {"dictionary": "edge-strings", "probability": 0.25},
            },
        },
    }
)

FUZZ_SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    # No shrinking: a 5xx is recorded as found and the pass goes on, its time stays bounded.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with a login rate the fuzzed login route cannot exhaust."""
    return settings.model_copy(update={"login_rate_per_ip": 1e6, "login_burst_per_ip": 1e6})


@dataclass
class AdminCaller:
    """The pass's admin credentials, re-created whenever a case took them away."""

    client: TestClient
    runtime: Runtime
    tenant: str
    kind: str
    headers: dict[str, str] = field(default_factory=dict)

    def renew(self) -> None:
        """Mint a fresh admin API key, or log a fresh admin user in."""
        if self.kind == "key":
            with self.runtime.factory() as session, session.begin():
                tenant = identity.get_tenant(session, self.tenant)
                key = identity.create_api_key(session, tenant, "fuzz", [Scope.admin]).key
            self.headers = bearer(key)
            return
        # A superadmin too, so that the tenant routes are reached past their permission.
        password = secrets.token_urlsafe(24)
        with self.runtime.factory() as session, session.begin():
            created = users.create_user(
                session,
                identity.get_tenant(session, self.tenant),
                f"fuzz-{secrets.token_hex(4)}@example.com",
                Role.admin,
                password=password,
                superadmin=True,
            )
        person = Person(self.tenant, created.id, created.email, password, Role.admin.value)
        self.headers = bearer(login(self.client, person)["access_token"])

    def keep(self) -> None:
        """Renew the credentials if the last case revoked, disabled or demoted them."""
        if self.client.get("/api/v1/keys", headers=self.headers).status_code != 200:
            self.renew()


@pytest.fixture(params=["key", "token"])
def admin(request: pytest.FixtureRequest, client: TestClient, runtime: Runtime) -> AdminCaller:
    """An admin of a tenant that holds a few stored events, by API key or by access token."""
    tenant = make_tenant(runtime)
    r = client.post("/api/v1/audit/events", json=[event() for _ in range(5)], headers=tenant.auth())
    assert r.status_code == 202, r.text
    drain(runtime)
    caller = AdminCaller(client=client, runtime=runtime, tenant=tenant.name, kind=request.param)
    caller.renew()
    return caller


@pytest.fixture
def api_schema(client: TestClient) -> Iterator[schemathesis.BaseSchema]:
    """The app's OpenAPI document, bound to the app itself, the live tail left out."""
    loaded = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=CONFIG)
    yield loaded.exclude(path=EXCLUDED_PATHS)
    # Schemathesis keeps the app's lifespan open until exit; end it with the runtime.
    shutdown_lifespans()


def first_server_error(operation: schemathesis.APIOperation, admin: AdminCaller) -> str | None:
    """Fuzz one operation with valid and invalid inputs: its first 5xx, described, if any."""
    found: list[str] = []

    def fuzz(case: schemathesis.Case) -> None:
        if found:
            # One 5xx per operation is enough to go red; each costs a logged traceback.
            return
        try:
            response = case.call(headers=admin.headers)
        except Exception as exc:
            # The app raised past its handlers (the client was answered 500): name the
            # exception and our innermost frame, the same defect whatever value hit it.
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if "/sealtrail/" in f.filename] or frames
            where = f"{ours[-1].filename.rsplit('/sealtrail/', 1)[-1]}:{ours[-1].lineno}"
            message = str(exc).partition("\n")[0][:200]
            error = f"{type(exc).__name__} in {where}: {message}"
        else:
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except FailureGroup:
                error = f"{response.status_code} {response.text[:200]}"
            else:
                if case.method.upper() != "GET" and response.status_code < 300:
                    # Only a write that succeeded can have revoked, disabled or demoted
                    # the caller.
                    admin.keep()
                return
        found.append(
            f"{operation.label}: {error}\n    {case.as_curl_command(headers=admin.headers)}"
        )

    # Either mode, as schemathesis draws its own cases (an operation without parameters
    # has no invalid inputs: the positive mode alone draws for it).
    cases = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )
    # A fixed seed per operation and credential: reproducible, and the key and the token
    # runs draw different inputs.
    run = seed(zlib.crc32(f"{admin.kind} {operation.label}".encode()))(given(case=cases)(fuzz))
    FUZZ_SETTINGS(run)()
    return found[0] if found else None


def test_no_input_is_answered_with_a_server_error(
    api_schema: schemathesis.BaseSchema, admin: AdminCaller
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 50
    errors = [error for op in operations if (error := first_server_error(op, admin)) is not None]
    assert not errors, f"{len(errors)} operations answered 5xx:\n" + "\n".join(errors)
