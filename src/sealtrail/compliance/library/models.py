"""The library's data: controls, frameworks and their requirements, and the mapping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from sealtrail.compliance.library.conditions import Condition, compile_condition
from sealtrail.compliance.library.hooks import HOOKS, Hook
from sealtrail.errors import NotFound

Severity = Literal["critical", "high", "medium", "low", "informational"]
Category = Literal[
    "identity", "data-protection", "network", "logging", "threat-detection", "resilience"
]
Service = Literal["iam", "s3", "ec2", "rds", "kms", "cloudtrail", "guardduty", "config", "logs"]
Relation = Literal["full", "partial"]

# The resource types of the inventory contract (compliance/inventory/model.py).
RESOURCE_TYPES = frozenset(
    {
        "aws.iam.account",
        "aws.iam.user",
        "aws.iam.policy",
        "aws.s3.account",
        "aws.s3.bucket",
        "aws.ec2.account",
        "aws.ec2.security_group",
        "aws.ec2.volume",
        "aws.ec2.instance",
        "aws.ec2.vpc",
        "aws.rds.instance",
        "aws.kms.key",
        "aws.cloudtrail.account",
        "aws.guardduty.region",
        "aws.config.region",
        "aws.logs.log_group",
    }
)

_Text = Field(min_length=1)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Remediation(_Strict):
    """How to fix a failing resource."""

    guidance: str = _Text
    cli: str | None = None
    url: str | None = Field(default=None, pattern=r"^https://")


class FrameworkMapping(_Strict):
    """One framework requirement a control supports, and how much of it."""

    requirement: str = _Text
    relation: Relation


class Control(_Strict):
    """One check over one resource type, as written in controls/<provider>/<id>.yaml."""

    id: str = Field(pattern=r"^[A-Z0-9]+(-[A-Z0-9]+)+$")
    title: str = _Text
    description: str = _Text
    rationale: str = _Text
    severity: Severity
    category: Category
    service: Service
    resource_type: str
    applies_when: dict[str, Any] | None = None
    condition: dict[str, Any] | None = None
    hook: str | None = None
    remediation: Remediation
    frameworks: dict[str, list[FrameworkMapping]]

    _applies: Condition | None = PrivateAttr(default=None)
    _check: Condition | None = PrivateAttr(default=None)

    @field_validator("resource_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in RESOURCE_TYPES:
            raise ValueError(f"unknown resource type {value!r}")
        return value

    @field_validator("applies_when", "condition")
    @classmethod
    def _valid_condition(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            compile_condition(value)  # raises ConditionError, a ValueError, naming the part
        return value

    @field_validator("hook")
    @classmethod
    def _known_hook(cls, value: str | None) -> str | None:
        if value is not None and value not in HOOKS:
            raise ValueError(f"unknown hook {value!r} (known: {', '.join(sorted(HOOKS))})")
        return value

    @field_validator("frameworks")
    @classmethod
    def _mapped(cls, value: dict[str, list[FrameworkMapping]]) -> dict[str, list[FrameworkMapping]]:
        if not any(value.values()):
            raise ValueError("a control must map to at least one framework requirement")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Control:
        if (self.condition is None) == (self.hook is None):
            raise ValueError("a control needs exactly one of `condition` and `hook`")
        if self.resource_type.split(".")[1] != self.service:
            raise ValueError(f"service {self.service!r} does not match {self.resource_type!r}")
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Compile the conditions once."""
        if self.applies_when is not None:
            self._applies = compile_condition(self.applies_when)
        if self.condition is not None:
            self._check = compile_condition(self.condition)

    @property
    def applicability(self) -> Condition | None:
        """The compiled `applies_when`."""
        return self._applies

    @property
    def check(self) -> Condition | Hook:
        """The compiled `condition`, or the registered hook."""
        if self._check is not None:
            return self._check
        assert self.hook is not None  # guaranteed by _consistent
        return HOOKS[self.hook]


class Requirement(_Strict):
    """One requirement (control, criterion, article, recommendation) of a framework."""

    id: str = _Text
    title: str = _Text


class Framework(_Strict):
    """A compliance framework, as written in frameworks/<id>.yaml."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    name: str = _Text
    version: str = _Text
    url: str | None = Field(default=None, pattern=r"^https://")
    requirements: list[Requirement] = Field(min_length=1)

    @field_validator("requirements")
    @classmethod
    def _unique(cls, value: list[Requirement]) -> list[Requirement]:
        seen: set[str] = set()
        for requirement in value:
            if requirement.id in seen:
                raise ValueError(f"requirement {requirement.id!r} is listed twice")
            seen.add(requirement.id)
        return value


@dataclass(frozen=True)
class Library:
    """The loaded controls and frameworks."""

    controls: dict[str, Control]
    frameworks: dict[str, Framework]

    def framework(self, framework_id: str) -> Framework:
        """A framework by id; NotFound when there is none."""
        try:
            return self.frameworks[framework_id]
        except KeyError:
            raise NotFound(f"unknown framework {framework_id!r}") from None

    def coverage(self, framework_id: str) -> dict[str, list[tuple[str, Relation]]]:
        """Each requirement in framework order with its supporting controls (empty = manual)."""
        covered: dict[str, list[tuple[str, Relation]]] = {
            r.id: [] for r in self.framework(framework_id).requirements
        }
        for control_id in sorted(self.controls):
            for mapping in self.controls[control_id].frameworks.get(framework_id, []):
                covered[mapping.requirement].append((control_id, mapping.relation))
        return covered

    def controls_for_framework(self, framework_id: str) -> list[str]:
        """The ids of the controls mapped to the framework, sorted."""
        self.framework(framework_id)
        return sorted(cid for cid, c in self.controls.items() if c.frameworks.get(framework_id))
