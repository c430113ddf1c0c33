"""The README's five-minute tour, pasted into bash against a real `sealtrail up`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, server_env

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_script() -> str:
    text = README.read_text()
    block = re.search(r"<!-- tour:start -->\s*```sh\n(.*?)```\s*<!-- tour:end -->", text, re.S)
    assert block, "README has no tour block"
    return block.group(1)


def test_the_readme_tour_works_when_pasted(tmp_path: Path):
    # The tour runs where `make run` ran: ./data holds the database, .venv/bin the CLI.
    srv = Server(data_dir=tmp_path / "data", env=server_env(None))
    srv.start()
    try:
        venv = tmp_path / ".venv" / "bin"
        venv.mkdir(parents=True)
        (venv / "sealtrail").symlink_to(Path(sys.executable).parent / "sealtrail")
        env = {**server_env(None), "ST": srv.url}
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", tour_script()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        srv.stop()
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.splitlines()
    answers = [json.loads(line) for line in lines if line.startswith("{")]
    accepted = [a for a in answers if "accepted" in a]
    # first send, identical resend (same answer), NDJSON batch of two
    assert (
        accepted[0]
        == accepted[1]
        == {
            "accepted": 1,
            "ids": ["5b0c3c1e-8f5a-4d2e-9a51-0c1f2d3e4f50"],
        }
    )
    assert accepted[2]["accepted"] == 2
    invalid = next(a for a in answers if "error" in a)
    assert invalid["error"]["code"] == "validation_failed"
    assert {d["field"] for d in invalid["error"]["details"]} == {"time", "action", "outcome"}
    pages = [a for a in answers if "items" in a]
    prefix, text_hit, target_hit, second_page = pages
    # both trade events carry the same second: their order is by id, so compare sets
    assert {e["action"] for e in prefix["items"]} == {"trade.order.create", "trade.order.approve"}
    assert [e["id"] for e in text_hit["items"]] == ["5b0c3c1e-8f5a-4d2e-9a51-0c1f2d3e4f50"]
    assert len(target_hit["items"]) == 2
    assert len(second_page["items"]) == 1
    single = next(a for a in answers if a.get("id") == "5b0c3c1e-8f5a-4d2e-9a51-0c1f2d3e4f50")
    assert single["tenant"] == "default"
    assert '{"status":"ready"' in result.stdout
    assert "sealtrail_events_stored_total 3.0" in result.stdout
    assert "tour-ingest" in result.stdout
    assert "0 dead letter(s) shown." in result.stdout
    proof = next(a for a in answers if "hashes" in a)
    assert proof["tree_size"] == 3
    assert any(line.startswith("OK: 3 event(s) verified") for line in lines)
    assert "1 event(s) of u-42" in lines
    refused = next(a for a in answers if a.get("error", {}).get("code") == "forbidden")
    assert refused["error"]["details"] == {"required_permission": "keys.manage"}
    assert "sealtrail.auth.login success" in lines
    assert "sealtrail.trail.search success" in lines
    assert "sealtrail.api_key.create failure" in lines
    assert lines[-1] == "Sealtrail audit event v1"
    assert os.path.exists(tmp_path / "data" / "sealtrail.db")
