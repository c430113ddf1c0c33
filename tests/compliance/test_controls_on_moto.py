"""Every control, end to end on moto: seed a passing and a failing named resource, collect
the account as a scan does, evaluate, and check the verdict on exactly those resources."""

from __future__ import annotations

import pytest
from moto import mock_aws

from sealtrail.compliance.inventory.aws.collect import collect
from sealtrail.compliance.inventory.model import AccountSpec
from sealtrail.compliance.library import evaluate, load_library
from tests.compliance.conftest import ACCOUNT_ID, FAKE_KEYS, admin_session
from tests.compliance.scenarios import SCENARIOS, Seed

REGION = "eu-west-1"
LIBRARY = load_library()


def verdicts(control_id: str) -> dict[str, tuple[str, str]]:
    control = LIBRARY.controls[control_id]
    spec = AccountSpec("aws", ACCOUNT_ID, (REGION,), FAKE_KEYS)
    inventory = collect(spec, resource_types={control.resource_type})
    assert inventory.errors == [], inventory.errors
    return {
        e.resource_id: (e.status, e.details) for e in evaluate(LIBRARY, inventory, [control_id])
    }


def seeded(scenario, side: str) -> str:
    seed = Seed(admin_session(REGION), region=REGION)
    return (scenario.passing if side == "pass" else scenario.failing)(seed)


def test_every_control_of_the_library_has_a_scenario():
    assert set(SCENARIOS) == set(LIBRARY.controls)


@pytest.mark.parametrize("control_id", sorted(SCENARIOS))
def test_control_passes_and_fails_on_named_resources(control_id):
    scenario = SCENARIOS[control_id]
    if scenario.own_account:
        outcomes = {}
        for side in ("pass", "fail"):
            with mock_aws():
                arn = seeded(scenario, side)
                outcomes[side] = verdicts(control_id)[arn]
    else:
        with mock_aws():
            arns = {side: seeded(scenario, side) for side in ("pass", "fail")}
            found = verdicts(control_id)
            outcomes = {side: found[arn] for side, arn in arns.items()}
    assert outcomes["pass"][0] == "PASS", outcomes["pass"]
    assert outcomes["fail"][0] == "FAIL", outcomes["fail"]
    assert outcomes["fail"][1], "a failure says why"
