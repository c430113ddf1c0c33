"""The control scenarios: one per control of the design list, and each seeds a pass
and a fail state that the collector sees and that differ in more than names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from sealtrail.compliance.inventory.aws import collect
from sealtrail.compliance.inventory.model import AccountSpec, Resource
from tests.compliance.conftest import ACCOUNT_ID, FAKE_KEYS, admin_session
from tests.compliance.scenarios import SCENARIOS, Seed, SeedFn

DESIGN = Path(__file__).parents[2] / "docs" / "design" / "compliance-controls.md"
REGION = "eu-west-1"
IDENTITY = {"name", "user_name", "created", "group_id", "group_name", "vpc_id", "volume_id"}
IDENTITY |= {"instance_id", "identifier", "key_id"}


def design_controls() -> dict[str, str]:
    """Control id -> resource type, from the shared control list."""
    text = DESIGN.read_text()
    return dict(re.findall(r"^- (AWS-[A-Z0-9]+-\d{3}) .*\[(aws\.[a-z0-9_.]+)\]\s*$", text, re.M))


def meaning(config: dict[str, Any]) -> dict[str, Any]:
    """A document without the names and ids that differ between any two resources."""
    kept = {k: v for k, v in config.items() if k not in IDENTITY}
    if isinstance(kept.get("access_keys"), list):
        kept["access_keys"] = [{**k, "id": None} for k in kept["access_keys"]]
    return kept


def test_every_control_of_the_design_list_has_a_scenario_of_its_type() -> None:
    controls = design_controls()
    assert len(controls) == DESIGN.read_text().count("\n- AWS-")  # the pattern missed none
    assert {cid: s.resource_type for cid, s in SCENARIOS.items()} == controls


def collected(resource_type: str, *seeds: SeedFn) -> list[Resource]:
    """Seed a fresh moto account, collect `resource_type`; the seeded resources, in order."""
    with mock_aws():
        arns = [seed(Seed(admin_session(REGION), REGION)) for seed in seeds]
        spec = AccountSpec("aws", ACCOUNT_ID, (REGION,), FAKE_KEYS)
        inventory = collect(spec, resource_types={resource_type})
    assert inventory.errors == []
    found = {r.arn: r for r in inventory.resources}
    return [found[arn] for arn in arns]


@pytest.mark.parametrize("control_id", sorted(SCENARIOS))
def test_scenario_states_are_collected_and_tell_pass_from_fail(control_id: str) -> None:
    scenario = SCENARIOS[control_id]
    if scenario.own_account:
        [passing] = collected(scenario.resource_type, scenario.passing)
        [failing] = collected(scenario.resource_type, scenario.failing)
    else:
        passing, failing = collected(scenario.resource_type, scenario.passing, scenario.failing)
    assert passing.unavailable == failing.unavailable == {}
    assert meaning(passing.config) != meaning(failing.config)
