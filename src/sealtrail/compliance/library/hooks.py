"""Python checks for what the condition language cannot say cleanly.

A control names a hook with `hook: <function name>`. A hook takes the resource and
returns (passed, details); it declares the `config` fields it reads so that a field the
collector could not read turns the evaluation into ERROR before the hook runs, and it
may raise `FieldUnavailable` itself. Keep hooks pure: no I/O, no clock, no cloud calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sealtrail.compliance.inventory.model import Resource
from sealtrail.compliance.library import policies
from sealtrail.compliance.library.operators import show

HookResult = tuple[bool, str]
HookFunction = Callable[[Resource], HookResult]


@dataclass(frozen=True)
class Hook:
    """A registered hook and the config fields it reads."""

    name: str
    function: HookFunction
    reads: frozenset[str]


HOOKS: dict[str, Hook] = {}


def hook(*reads: str) -> Callable[[HookFunction], HookFunction]:
    """Register a function as a hook under its own name, reading `reads` from config."""

    def register(function: HookFunction) -> HookFunction:
        HOOKS[function.__name__] = Hook(function.__name__, function, frozenset(reads))
        return function

    return register


@hook("policy")
def bucket_policy_not_public(resource: Resource) -> HookResult:
    """No Allow statement lets anyone in without a Condition pinning the caller."""
    document = policies.parse_document(resource.config["policy"])
    if document is None:
        return True, "the bucket has no bucket policy"
    public = [
        f"statement {label} allows {show(policies.actions(s) or s.get('NotAction'))} "
        f"to {show(s.get('Principal') or {'NotPrincipal': s.get('NotPrincipal')})}"
        for label, s in policies.statements(document)
        if policies.effect(s) == "Allow"
        and policies.is_everyone(s)
        and not policies.has_restricting_condition(s)
    ]
    if public:
        return False, "; ".join(public) + " with no condition restricting the caller"
    return True, "no Allow statement grants access to everyone without a restricting condition"


@hook("policy", "name")
def bucket_policy_requires_tls(resource: Resource) -> HookResult:
    """A Deny on aws:SecureTransport=false covers every action on the bucket and objects."""
    document = policies.parse_document(resource.config["policy"])
    if document is None:
        return False, "the bucket has no bucket policy, so plain-HTTP requests are not denied"
    partition = resource.arn.split(":")[1] if resource.arn.startswith("arn:") else "aws"
    bucket = f"arn:{partition}:s3:::{resource.config['name']}"
    targets = (bucket, f"{bucket}/any-object-key")
    for label, statement in policies.statements(document):
        if (
            policies.effect(statement) == "Deny"
            and _denies_all_callers(statement)
            and _covers_all_s3_actions(statement)
            and _denies_insecure_transport(statement)
            and all(
                any(policies.matches(r, t) for r in policies.resources(statement)) for t in targets
            )
        ):
            return (
                True,
                f"statement {label} denies all S3 actions when aws:SecureTransport is false",
            )
    return False, (
        "no Deny statement for Principal '*' covers s3:* on both the bucket and its objects "
        "with the condition Bool aws:SecureTransport = false"
    )


def _denies_all_callers(statement: Mapping[str, Any]) -> bool:
    if "NotPrincipal" in statement:
        return False
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        return "*" in [str(p) for p in policies.as_list(principal.get("AWS"))]
    return "*" in [str(p) for p in policies.as_list(principal)]


def _covers_all_s3_actions(statement: Mapping[str, Any]) -> bool:
    return any(a.lower() in ("*", "s3:*") for a in policies.actions(statement))


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(tests, Mapping):
            continue
        for key, values in tests.items():
            if str(key).lower() == "aws:securetransport" and all(
                str(v).lower() == "false" for v in policies.as_list(values)
            ):
                return True
    return False


@hook("document")
def policy_grants_no_full_admin(resource: Resource) -> HookResult:
    """No Allow statement grants Action "*" (or "*:*") on Resource "*"."""
    document = policies.parse_document(resource.config["document"])
    if document is None:
        return False, "the policy document is missing or not valid JSON"
    for label, statement in policies.statements(document):
        if (
            policies.effect(statement) == "Allow"
            and any(a in ("*", "*:*") for a in policies.actions(statement))
            and "*" in policies.resources(statement)
        ):
            return False, f'statement {label} allows Action "*" on Resource "*"'
    return True, 'no Allow statement grants Action "*" on Resource "*"'


@hook("access_keys")
def at_most_one_active_access_key(resource: Resource) -> HookResult:
    """The user has no more than one active access key."""
    active = [str(k.get("id")) for k in resource.config["access_keys"] or [] if k.get("active")]
    if len(active) > 1:
        return False, f"{len(active)} access keys are active: {', '.join(active)}"
    return True, f"{len(active)} active access key{'s' if len(active) != 1 else ''}"
