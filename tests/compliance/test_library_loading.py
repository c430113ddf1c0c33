"""Loading the library: the built-in content, the framework files, and every way a file
can be wrong (each reported with its file and field)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sealtrail.compliance.library import LibraryError, load_library
from sealtrail.compliance.library.loader import DEFAULT_ROOT
from sealtrail.errors import NotFound

VALID = {
    "id": "AWS-TEST-001",
    "title": "A test control",
    "description": "What it checks.",
    "rationale": "Why it matters.",
    "severity": "low",
    "category": "logging",
    "service": "logs",
    "resource_type": "aws.logs.log_group",
    "condition": {"path": "retention_days", "not_null": True},
    "remediation": {"guidance": "Set a retention period."},
    "frameworks": {"iso27001-2022": [{"requirement": "A.8.15", "relation": "partial"}]},
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A library folder with the real frameworks and no controls yet."""
    shutil.copytree(DEFAULT_ROOT / "frameworks", tmp_path / "frameworks")
    (tmp_path / "controls" / "aws").mkdir(parents=True)
    return tmp_path


def write(root: Path, control: dict[str, object], name: str = "AWS-TEST-001") -> None:
    (root / "controls" / "aws" / f"{name}.yaml").write_text(yaml.safe_dump(control))


def problems(root: Path) -> list[str]:
    with pytest.raises(LibraryError) as caught:
        load_library(root)
    assert isinstance(caught.value.details, list)
    return caught.value.details


def test_builtin_library_has_the_43_controls_and_4_frameworks() -> None:
    library = load_library()
    assert len(library.controls) == 43
    assert sorted(library.frameworks) == ["cis-aws-3.0", "gdpr", "iso27001-2022", "soc2-2017"]
    assert library is load_library()  # cached


DESIGN = Path(__file__).parents[2] / "docs" / "design" / "compliance-controls.md"


@pytest.mark.skipif(not DESIGN.exists(), reason="the design list has been retired")
def test_control_ids_and_titles_match_the_design_list() -> None:
    design = DESIGN
    listed = {
        line.split()[1]: line.split(" ", 2)[2].rsplit(" [", 1)[0]
        for line in design.read_text().splitlines()
        if line.startswith("- AWS-")
    }
    library = load_library()
    assert {cid: c.title for cid, c in library.controls.items()} == listed


def test_framework_files_list_every_requirement() -> None:
    frameworks = load_library().frameworks
    iso = [r.id for r in frameworks["iso27001-2022"].requirements]
    assert len(iso) == 93
    assert (iso[0], iso[36], iso[-1]) == ("A.5.1", "A.5.37", "A.8.34")
    soc2 = [r.id for r in frameworks["soc2-2017"].requirements]
    assert {"CC1.1", "CC6.8", "CC9.2", "A1.3", "C1.2", "PI1.5", "P6.7", "P8.1"} <= set(soc2)
    assert len(soc2) == 61
    gdpr = [r.id for r in frameworks["gdpr"].requirements]
    assert {"Art.5(1)(f)", "Art.25(2)", "Art.30(2)", "Art.32(1)(d)", "Art.32(4)"} <= set(gdpr)
    cis = {r.id for r in frameworks["cis-aws-3.0"].requirements}
    assert {"1.4", "1.22", "2.1.1", "2.2.1", "3.9", "4.16", "5.6"} <= cis


def test_every_control_is_mapped_and_every_relation_is_full_or_partial() -> None:
    for control in load_library().controls.values():
        assert any(control.frameworks.values()), control.id
        for mappings in control.frameworks.values():
            assert {m.relation for m in mappings} <= {"full", "partial"}


def test_coverage_lists_every_requirement_with_manual_ones_empty() -> None:
    library = load_library()
    coverage = library.coverage("cis-aws-3.0")
    assert list(coverage) == [r.id for r in library.frameworks["cis-aws-3.0"].requirements]
    assert coverage["1.5"] == [("AWS-IAM-001", "full")]
    assert coverage["5.2"] == [
        ("AWS-EC2-001", "partial"),
        ("AWS-EC2-002", "partial"),
        ("AWS-EC2-003", "partial"),
    ]
    assert coverage["1.1"] == []  # contact details: a manual requirement
    assert coverage["4.1"] == []
    iso = library.coverage("iso27001-2022")
    assert (iso["A.7.1"], iso["A.6.1"]) == ([], [])
    assert ("AWS-RDS-003", "partial") in iso["A.8.13"]


def test_controls_for_framework() -> None:
    library = load_library()
    assert len(library.controls_for_framework("cis-aws-3.0")) == 30
    assert "AWS-GD-001" not in library.controls_for_framework("cis-aws-3.0")
    assert library.controls_for_framework("gdpr") == sorted(library.controls_for_framework("gdpr"))
    with pytest.raises(NotFound):
        library.controls_for_framework("pci-dss")
    with pytest.raises(NotFound):
        library.coverage("pci-dss")


def test_a_valid_control_loads_and_compiles(root: Path) -> None:
    write(root, VALID)
    control = load_library(root).controls["AWS-TEST-001"]
    assert control.condition == {"path": "retention_days", "not_null": True}
    assert control.remediation.cli is None
    with pytest.raises(ValueError, match="frozen"):
        control.title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"severity": "urgent"}, "severity", "Input should be"),
        ({"title": ""}, "title", "at least 1 character"),
        ({"remediation": {}}, "remediation.guidance", "Field required"),
        ({"remediation": {"guidance": "x", "url": "http://x"}}, "remediation.url", "match"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"resource_type": "aws.logs.stream"}, "resource_type", "unknown resource type"),
        ({"service": "s3"}, "(top level)", "does not match"),
        (
            {"condition": {"path": "retention_days", "gtee": 3}},
            "condition",
            "gtee: unknown operator",
        ),
        (
            {"condition": {"all": [{"path": "a", "eq": 1}, {"path": "b", "lt": "x"}]}},
            "condition",
            "all[1].lt: expected a number",
        ),
        ({"applies_when": {"nope": 1}}, "applies_when", "unknown condition keys"),
        ({"condition": None, "hook": "does_not_exist"}, "hook", "unknown hook 'does_not_exist'"),
        ({"hook": "at_most_one_active_access_key"}, "(top level)", "exactly one of"),
        ({"condition": None}, "(top level)", "exactly one of"),
        ({"frameworks": {}}, "frameworks", "at least one framework"),
        (
            {"frameworks": {"gdpr": [{"requirement": "Art.5(2)", "relation": "most"}]}},
            "frameworks.gdpr[0].relation",
            "'full' or 'partial'",
        ),
        (
            {"frameworks": {"cis-aws-3.0": [{"requirement": 1.8, "relation": "full"}]}},
            "frameworks.cis-aws-3.0[0].requirement",
            "valid string (got 1.8)",
        ),
    ],
)
def test_invalid_control_is_reported_with_file_and_field(
    root: Path, change: dict[str, object], field: str, message: str
) -> None:
    write(root, {**VALID, **change})
    [problem] = problems(root)
    assert problem.startswith(f"controls/aws/AWS-TEST-001.yaml: {field}: ")
    assert message in problem


def test_unknown_requirement_id_is_reported(root: Path) -> None:
    write(
        root,
        {**VALID, "frameworks": {"iso27001-2022": [{"requirement": "A.9.9", "relation": "full"}]}},
    )
    assert problems(root) == [
        "controls/aws/AWS-TEST-001.yaml: frameworks.iso27001-2022[0].requirement: "
        "'A.9.9' is not a requirement of iso27001-2022"
    ]


def test_unknown_framework_is_reported(root: Path) -> None:
    write(root, {**VALID, "frameworks": {"pci-dss": [{"requirement": "1.1", "relation": "full"}]}})
    [problem] = problems(root)
    assert problem.startswith(
        "controls/aws/AWS-TEST-001.yaml: frameworks.pci-dss: unknown framework"
    )


def test_file_name_must_match_id_and_ids_must_be_unique(root: Path) -> None:
    write(root, VALID, name="AWS-TEST-002")
    (root / "controls" / "other").mkdir()
    (root / "controls" / "other" / "AWS-TEST-001.yaml").write_text(yaml.safe_dump(VALID))
    write(root, VALID)
    found = problems(root)
    assert "controls/aws/AWS-TEST-002.yaml: id: 'AWS-TEST-001' must match the file name" in found[0]
    assert found[1] == (
        "controls/other/AWS-TEST-001.yaml: id: 'AWS-TEST-001' is also defined in "
        "controls/aws/AWS-TEST-001.yaml"
    )


def test_broken_yaml_and_non_mapping_files_are_reported(root: Path) -> None:
    (root / "controls" / "aws" / "AWS-TEST-001.yaml").write_text("id: [unclosed\n")
    (root / "controls" / "aws" / "AWS-TEST-002.yaml").write_text("- a list\n")
    found = problems(root)
    assert found[0].startswith("controls/aws/AWS-TEST-001.yaml: not valid YAML:")
    assert (
        found[1] == "controls/aws/AWS-TEST-002.yaml: expected a mapping at the top level, got list"
    )


def test_every_problem_is_reported_at_once(root: Path) -> None:
    write(root, {**VALID, "severity": "urgent", "title": ""})
    write(root, {**VALID, "id": "AWS-TEST-002", "hook": "nope", "condition": None}, "AWS-TEST-002")
    found = problems(root)
    assert len(found) == 3
    with pytest.raises(LibraryError, match=r"\(3 problems\)"):
        load_library(root)


def test_invalid_framework_file_is_reported(root: Path) -> None:
    path = root / "frameworks" / "gdpr.yaml"
    data = yaml.safe_load(path.read_text())
    data["requirements"].append(dict(data["requirements"][0]))
    path.write_text(yaml.safe_dump(data))
    write(root, VALID)
    [problem] = problems(root)
    assert (
        problem == "frameworks/gdpr.yaml: requirements: requirement 'Art.5(1)(a)' is listed twice"
    )


def test_empty_library_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path / 'controls'}: no control files found"]
