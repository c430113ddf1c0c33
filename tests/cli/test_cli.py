"""The CLI as an operator uses it: each command on its own data directory."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sealtrail import __version__
from sealtrail.api.app import create_app
from sealtrail.cli.main import app
from sealtrail.config import Settings
from sealtrail.queue import Message
from sealtrail.runtime import Runtime
from tests.conftest import event

runner = CliRunner()


def st(*args: str | Path, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated data directory with a tenant `acme`; cwd elsewhere, env clean."""
    for name in [k for k in os.environ if k.startswith("SEALTRAIL_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "state"
    assert st("migrate", "--data-dir", d).exit_code == 0
    assert st("tenants", "create", "acme", "--data-dir", d).exit_code == 0
    return d


@pytest.fixture
def api(data: Path) -> Iterator[TestClient]:
    runtime = Runtime.build(Settings(data_dir=data))
    with TestClient(create_app(runtime)) as c:
        yield c
    runtime.close()


def new_key(data: Path, scope: str, tenant: str = "acme") -> str:
    r = st("keys", "create", "--tenant", tenant, "--scope", scope, "--data-dir", data)
    assert r.exit_code == 0, r.output
    return r.stdout.strip().splitlines()[-1]


def test_version_prints_the_package_version():
    r = st("version")
    assert r.exit_code == 0
    assert __version__ in r.stdout


def test_migrate_creates_the_database_in_the_data_dir_not_the_cwd(data: Path, tmp_path: Path):
    assert (data / "sealtrail.db").exists()
    assert not (tmp_path / "data").exists()


def test_tenants_create_then_list_and_a_duplicate_is_refused(data: Path):
    assert st("tenants", "create", "globex", "--data-dir", data).exit_code == 0
    listed = st("tenants", "list", "--data-dir", data)
    assert "acme" in listed.stdout
    assert "globex" in listed.stdout
    dup = st("tenants", "create", "acme", "--data-dir", data)
    assert dup.exit_code != 0
    assert "acme" in dup.output


def test_keys_create_prints_a_working_key_as_the_last_line(data: Path, api: TestClient):
    key = new_key(data, "ingest")
    assert re.fullmatch(r"st_[0-9a-f]+_\S+", key)
    r = api.post("/api/v1/audit/events", json=event(), headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 202
    # its scope is only ingest
    r = api.get("/api/v1/audit/events", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 403


def test_keys_create_refuses_an_unknown_tenant_and_a_bad_scope(data: Path):
    r = st("keys", "create", "--tenant", "nobody", "--scope", "read", "--data-dir", data)
    assert r.exit_code != 0
    assert "nobody" in r.output
    r = st("keys", "create", "--tenant", "acme", "--scope", "root", "--data-dir", data)
    assert r.exit_code != 0
    assert "root" in r.output


def test_keys_list_never_shows_a_secret_and_revoke_locks_the_key_out(data: Path, api: TestClient):
    key = new_key(data, "read")
    prefix, secret = key.split("_")[1], key.split("_", 2)[2]
    listed = st("keys", "list", "--tenant", "acme", "--data-dir", data)
    assert listed.exit_code == 0
    assert prefix in listed.stdout
    assert secret not in listed.stdout
    headers = {"Authorization": f"Bearer {key}"}
    assert api.get("/api/v1/audit/events", headers=headers).status_code == 200
    r = st("keys", "revoke", "--tenant", "acme", prefix, "--data-dir", data)
    assert r.exit_code == 0, r.output
    assert api.get("/api/v1/audit/events", headers=headers).status_code == 401


def test_dlq_list_and_replay_a_dead_letter(data: Path):
    runtime = Runtime.build(Settings(data_dir=data, queue_max_deliveries=1))
    runtime.queue.publish([Message(body=b"not an event", tenant_id=1)])
    (d,) = runtime.queue.receive(1)
    runtime.queue.nack(d, "cannot decode")
    runtime.close()
    listed = st("dlq", "list", "--data-dir", data)
    assert listed.exit_code == 0
    assert "cannot decode" in listed.stdout
    assert "1 dead letter(s) shown." in listed.stdout
    assert st("dlq", "replay", "--data-dir", data).exit_code == 2  # ids or --all required
    assert st("dlq", "replay", "x1", "--data-dir", data).exit_code == 2
    r = st("dlq", "replay", "--all", "--data-dir", data)
    assert r.exit_code == 0
    assert "Replayed 1 message(s)." in r.stdout
    runtime = Runtime.build(Settings(data_dir=data))
    assert runtime.queue.stats().dead_letters == 0
    assert [m.body for m in runtime.queue.receive(10)] == [b"not an event"]
    runtime.close()


def test_commands_on_an_unmigrated_data_dir_say_to_migrate(tmp_path: Path):
    r = st("tenants", "list", "--data-dir", tmp_path / "empty")
    assert r.exit_code != 0
    assert "sealtrail migrate" in r.output


def test_the_data_dir_comes_from_the_environment_or_a_dotenv_file(data: Path, tmp_path: Path):
    r = st("tenants", "list", env={"SEALTRAIL_DATA_DIR": str(data)})
    assert "acme" in r.stdout
    (tmp_path / ".env").write_text(f"SEALTRAIL_DATA_DIR={data}\n")
    r = st("tenants", "list")
    assert r.exit_code == 0
    assert "acme" in r.stdout


def test_invalid_settings_are_a_clear_error(data: Path):
    r = st("tenants", "list", "--data-dir", data, env={"SEALTRAIL_WORKER_BATCH_SIZE": "0"})
    assert r.exit_code != 0
    assert "worker_batch_size" in r.output


def test_schema_prints_the_event_json_schema():
    r = st("schema")
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert "action" in schema["properties"]
    assert "time" in schema["required"]


def test_users_create_prints_a_generated_password_last_that_logs_in(data, api):
    r = st(
        "users",
        "create",
        "--tenant",
        "acme",
        "--email",
        "Ann@Example.com",
        "--role",
        "auditor",
        "--data-dir",
        data,
    )
    assert r.exit_code == 0, r.output
    password = r.stdout.strip().splitlines()[-1]
    login = api.post(
        "/api/v1/auth/login",
        json={"tenant": "acme", "email": "ann@example.com", "password": password},
    )
    assert login.status_code == 200
    assert login.json()["user"]["role"] == "auditor"
    listed = st("users", "list", "--tenant", "acme", "--data-dir", data)
    assert "ann@example.com" in listed.stdout
    assert "auditor" in listed.stdout


def test_users_create_refuses_bad_input_with_a_clear_message(data):
    weak = st(
        "users",
        "create",
        "--tenant",
        "acme",
        "--email",
        "b@example.com",
        "--role",
        "admin",
        "--password",
        "password1234",
        "--data-dir",
        data,
    )
    assert weak.exit_code != 0
    assert "common" in weak.output
    bad_email = st(
        "users",
        "create",
        "--tenant",
        "acme",
        "--email",
        "not-an-email",
        "--role",
        "admin",
        "--data-dir",
        data,
    )
    assert bad_email.exit_code != 0
    assert "--email" in bad_email.output
    bad_role = st(
        "users",
        "create",
        "--tenant",
        "acme",
        "--email",
        "c@example.com",
        "--role",
        "root",
        "--data-dir",
        data,
    )
    assert bad_role.exit_code != 0
    twice = [
        st(
            "users",
            "create",
            "--tenant",
            "acme",
            "--email",
            "d@example.com",
            "--role",
            "admin",
            "--data-dir",
            data,
        )
        for _ in range(2)
    ]
    assert twice[0].exit_code == 0
    assert twice[1].exit_code == 1
    assert "already exists" in twice[1].output


def test_users_disable_and_reset_password(data, api):
    created = st(
        "users",
        "create",
        "--tenant",
        "acme",
        "--email",
        "e@example.com",
        "--role",
        "analyst",
        "--data-dir",
        data,
    )
    first = created.stdout.strip().splitlines()[-1]
    reset = st("users", "reset-password", "--tenant", "acme", "e@example.com", "--data-dir", data)
    assert reset.exit_code == 0
    second = reset.stdout.strip().splitlines()[-1]
    body = {"tenant": "acme", "email": "e@example.com"}
    assert api.post("/api/v1/auth/login", json={**body, "password": first}).status_code == 401
    assert api.post("/api/v1/auth/login", json={**body, "password": second}).status_code == 200
    assert (
        st("users", "disable", "--tenant", "acme", "e@example.com", "--data-dir", data).exit_code
        == 0
    )
    assert api.post("/api/v1/auth/login", json={**body, "password": second}).status_code == 401
    missing = st("users", "disable", "--tenant", "acme", "nobody@example.com", "--data-dir", data)
    assert missing.exit_code == 1


def test_superadmin_create_gives_tenant_management(data, api):
    r = st(
        "superadmin",
        "create",
        "--email",
        "root@example.com",
        "--tenant",
        "acme",
        "--data-dir",
        data,
    )
    assert r.exit_code == 0, r.output
    password = r.stdout.strip().splitlines()[-1]
    token = api.post(
        "/api/v1/auth/login",
        json={"tenant": "acme", "email": "root@example.com", "password": password},
    ).json()["access_token"]
    listed = api.get("/api/v1/tenants", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert "acme" in {t["name"] for t in listed.json()}
