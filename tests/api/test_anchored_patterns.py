"""Every pattern a name, region or number must match holds to the end of the value: a
trailing newline or digits of another script are refused, wherever the value comes in."""

from __future__ import annotations

import base64

import pytest

from sealtrail.errors import ValidationFailed
from sealtrail.verify.checkpoint import Checkpoint, CheckpointError
from tests.conftest import make_tenant

ACCOUNT = {
    "name": "prod",
    "account_id": "123456789012",
    "regions": ["eu-west-1"],
    "access_keys": {
        "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
}


@pytest.mark.parametrize("name", ["acme\n", "acme\r\n", "ac\nme"])
def test_a_tenant_name_with_a_newline_is_refused(runtime, name):
    with pytest.raises(ValidationFailed):
        make_tenant(runtime, name)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("regions", ["eu-west-1\n"]),
        ("regions", ["eu-west-\u0661"]),  # ARABIC-INDIC DIGIT ONE
        ("account_id", "12345678901\u0662"),
        ("account_id", "123456789012\n"),
    ],
)
def test_an_account_with_a_trailing_newline_or_foreign_digits_is_refused(
    client, tenant, field, value
):
    r = client.post(
        "/api/v1/compliance/accounts", json={**ACCOUNT, field: value}, headers=tenant.auth()
    )
    assert r.status_code == 422, r.text
    assert field in r.text


def test_a_checkpoint_size_with_foreign_digits_is_refused():
    root = base64.b64encode(bytes(32)).decode()
    assert Checkpoint.parse_body(f"example.com/log\n5\n{root}\n").size == 5
    with pytest.raises(CheckpointError):
        Checkpoint.parse_body(f"example.com/log\n\u0665\n{root}\n")
