"""Export bundles verified offline; every kind of tampering is caught at the right index."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sealtrail.cli.main import app
from sealtrail.ledger.export import export_bundle
from sealtrail.verify.bundle import MEMBERS, VerificationError, verify_bundle
from sealtrail.verify.checkpoint import Checkpoint
from sealtrail.verify.note import Signer
from tests.conftest import drain, event, iso

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
BATCHES = (10, 15, 12)  # checkpoints at tree sizes 10, 25 and 37


@pytest.fixture
def ledger(client, runtime, tenant):
    """37 events in three rounds, each round checkpointed; event i at T0 + i minutes."""
    n = 0
    for size in BATCHES:
        evs = [
            event(time=iso(T0 + timedelta(minutes=n + i)), description=f"event {n + i}")
            for i in range(size)
        ]
        assert (
            client.post("/api/v1/audit/events", json=evs, headers=tenant.auth("ingest")).status_code
            == 202
        )
        drain(runtime)
        runtime.issue_checkpoints()
        n += size
    return runtime, tenant


def export(ledger, path: Path, **window) -> Path:
    runtime, tenant = ledger
    with runtime.engine.connect() as conn:
        export_bundle(conn, runtime.keyring, tenant.id, tenant.name, path, **window)
    return path


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def rewrite(path: Path, out: Path, change) -> Path:
    """Apply `change` to the members, then fix the manifest's hashes like a careful forger."""
    files = members(path)
    change(files)
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: hashlib.sha256(files[n]).hexdigest() for n in MEMBERS[:-1]}
    files["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(out, "w") as tar:
        for name in MEMBERS:
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    return out


def lines(files, name="events.ndjson"):
    return [json.loads(x) for x in files[name].splitlines()]


def put(files, rows, name="events.ndjson"):
    files[name] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def failure(path: Path, keys=None) -> VerificationError:
    with pytest.raises(VerificationError) as info:
        verify_bundle(path, keys)
    return info.value


def test_a_full_export_verifies_offline(ledger, tmp_path):
    report = verify_bundle(export(ledger, tmp_path / "all.tar"))
    assert (report.first_index, report.end_index, report.events) == (0, 37, 37)
    assert report.checkpoints == [10, 25, 37]
    assert report.consistency_proofs == 2


def test_a_time_window_exports_a_partial_slice_that_still_verifies(ledger, tmp_path):
    path = export(
        ledger,
        tmp_path / "w.tar",
        since=T0 + timedelta(minutes=12),
        until=T0 + timedelta(minutes=20),
    )
    report = verify_bundle(path)
    assert (report.first_index, report.end_index) == (12, 20)
    assert report.events == 8
    assert report.checkpoints == [10, 25]  # the one before the slice and its anchor
    rows = lines(members(path))
    assert all(
        T0 + timedelta(minutes=12)
        <= datetime.fromisoformat(r["event"]["time"])
        < T0 + timedelta(minutes=20)
        for r in rows
    )


def test_pinning_the_right_key_passes_and_a_replaced_key_is_caught(ledger, tmp_path):
    runtime, _tenant = ledger
    path = export(ledger, tmp_path / "all.tar")
    pinned = [runtime.keyring.active.verifier.encode()]
    assert verify_bundle(path, pinned).events == 37
    forger = Signer.generate(runtime.keyring.origin)

    def resign(files):
        rows = lines(files, "checkpoints.ndjson")
        for r in rows:
            body = r["note"].split("\n\n")[0] + "\n"
            r["note"] = forger.sign(Checkpoint.parse_body(body).body())
        put(files, rows, "checkpoints.ndjson")
        files["keys.txt"] = (forger.verifier.encode() + "\n").encode()

    forged = rewrite(path, tmp_path / "forged.tar", resign)
    err = failure(forged, pinned)
    assert "checkpoint at tree size 10" in str(err)
    assert "not signed by a trusted key" in str(err)


def test_changing_one_field_of_one_event_names_its_index(ledger, tmp_path):
    def edit(files):
        rows = lines(files)
        rows[7]["event"]["actor"]["id"] = "mallory"
        put(files, rows)

    err = failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", edit))
    assert err.index == 7
    assert "altered" in str(err)


def test_deleting_an_event_names_its_index(ledger, tmp_path):
    def delete(files):
        put(files, [r for r in lines(files) if r["index"] != 20])

    err = failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", delete))
    assert err.index == 20
    assert "missing" in str(err)


def test_swapping_two_events_names_the_first_place(ledger, tmp_path):
    def swap(files):
        rows = lines(files)
        rows[3], rows[4] = rows[4], rows[3]
        put(files, rows)

    assert failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", swap)).index == 3


def test_swapping_two_events_and_their_indexes_is_caught_by_the_signed_root(ledger, tmp_path):
    def swap(files):
        rows = lines(files)
        rows[3]["event"], rows[4]["event"] = rows[4]["event"], rows[3]["event"]
        rows[3]["leaf_hash"], rows[4]["leaf_hash"] = rows[4]["leaf_hash"], rows[3]["leaf_hash"]
        put(files, rows)

    err = failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", swap))
    # Consistent rewrites are located to the span between two signed checkpoints.
    assert err.index == 0
    assert "checkpoint at tree size 10" in str(err)


def test_inserting_an_event_names_its_index(ledger, tmp_path):
    def insert(files):
        rows = lines(files)
        fake = {**rows[30], "event": {**rows[30]["event"], "description": "backdated"}}
        put(files, [*rows[:30], fake, *rows[30:]])

    err = failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", insert))
    assert err.index == 30


def test_truncating_the_tail_names_the_first_missing_index(ledger, tmp_path):
    def truncate(files):
        put(files, lines(files)[:33])

    err = failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", truncate))
    assert err.index == 33
    assert "end early" in str(err)


def test_altering_a_checkpoint_breaks_its_signature(ledger, tmp_path):
    def alter(files):
        rows = lines(files, "checkpoints.ndjson")
        rows[1]["note"] = rows[1]["note"].replace("\n25\n", "\n24\n", 1)
        put(files, rows, "checkpoints.ndjson")

    err = failure(rewrite(export(ledger, tmp_path / "a.tar"), tmp_path / "b.tar", alter))
    assert "checkpoint at tree size 25" in str(err)


def test_a_file_changed_without_fixing_the_manifest_is_caught(ledger, tmp_path):
    path = export(ledger, tmp_path / "a.tar")
    files = members(path)
    files["keys.txt"] += b"\n"
    with tarfile.open(tmp_path / "b.tar", "w") as tar:
        for name in MEMBERS:
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    assert "keys.txt does not match" in str(failure(tmp_path / "b.tar"))


def test_cli_export_then_verify_and_exit_status(ledger, tmp_path, monkeypatch):
    runtime, tenant = ledger
    runner = CliRunner()
    data = str(runtime.settings.data_dir)
    monkeypatch.setenv("SEALTRAIL_DATABASE_URL", runtime.settings.resolved_database_url)
    out = tmp_path / "cli.tar"
    r = runner.invoke(
        app, ["export", "--tenant", tenant.name, "--out", str(out), "--data-dir", data]
    )
    assert r.exit_code == 0, r.output
    key = runner.invoke(app, ["ledger", "public-key", "--data-dir", data]).stdout.strip()
    r = runner.invoke(app, ["verify", str(out), "--public-key", key])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("OK: 37 event(s) verified")

    def edit(files):
        rows = lines(files)
        rows[5]["event"]["outcome"] = "failure"
        put(files, rows)

    r = runner.invoke(
        app, ["verify", str(rewrite(out, tmp_path / "bad.tar", edit)), "--public-key", key]
    )
    assert r.exit_code == 1
    assert "index 5" in r.stdout
    r = runner.invoke(app, ["export", "--tenant", "nobody", "--out", str(out), "--data-dir", data])
    assert r.exit_code != 0
    assert "nobody" in r.output


def test_the_export_endpoint_streams_a_bundle_that_verifies(client, ledger, tmp_path):
    runtime, tenant = ledger
    r = client.get("/api/v1/ledger/export", headers=tenant.auth("read"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-tar"
    (tmp_path / "api.tar").write_bytes(r.content)
    key = runtime.keyring.active.verifier.encode()
    assert verify_bundle(tmp_path / "api.tar", [key]).events == 37
    r = client.get(
        "/api/v1/ledger/export",
        params={"since": iso(T0 + timedelta(days=1))},
        headers=tenant.auth("read"),
    )
    assert r.status_code == 400
    r = client.get(
        "/api/v1/ledger/export", params={"since": "yesterday"}, headers=tenant.auth("read")
    )
    assert r.status_code == 400
    assert r.json()["error"]["details"]["field"] == "since"
    assert client.get("/api/v1/ledger/export", headers=tenant.auth("ingest")).status_code == 403
