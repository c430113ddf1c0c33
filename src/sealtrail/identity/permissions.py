"""The one permission table: which role and which API-key scope may do what.

Every route declares exactly one `Permission` (or `PUBLIC`) through `permit`; nothing
else decides access. `docs/security.md` prints this table (`permission_table_markdown`)
and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sealtrail.identity.schemas import Caller, Role, Scope

ALL_ROLES = frozenset(Role)


class Permission(StrEnum):
    """An action on the platform; routes name the one they need."""

    trail_ingest = "trail.ingest"
    trail_read = "trail.read"
    trail_export = "trail.export"
    ledger_read = "ledger.read"
    keys_read = "keys.read"
    keys_manage = "keys.manage"
    users_read = "users.read"
    users_manage = "users.manage"
    dlq_read = "dlq.read"
    dlq_replay = "dlq.replay"
    compliance_read = "compliance.read"
    compliance_scan = "compliance.scan"
    compliance_exceptions = "compliance.exceptions"
    compliance_accounts = "compliance.accounts"
    session_self = "session.self"
    tenants_manage = "tenants.manage"


@dataclass(frozen=True)
class Rule:
    """Who holds a permission, and whether it changes state."""

    description: str
    roles: frozenset[Role]
    scopes: frozenset[Scope]
    writes: bool
    superadmin: bool = False


def _rule(
    description: str,
    roles: set[Role] | frozenset[Role],
    scopes: set[Scope],
    *,
    writes: bool,
    superadmin: bool = False,
) -> Rule:
    # An admin key holds every scope-granted permission.
    granted = frozenset(scopes | {Scope.admin}) if scopes else frozenset()
    return Rule(description, frozenset(roles), granted, writes, superadmin)


R = Role
TABLE: dict[Permission, Rule] = {
    Permission.trail_ingest: _rule("send audit events", set(), {Scope.ingest}, writes=True),
    Permission.trail_read: _rule(
        "search and read the trail, statistics, the live tail",
        ALL_ROLES,
        {Scope.read},
        writes=False,
    ),
    Permission.trail_export: _rule(
        "export the trail (CSV, NDJSON) and ledger bundles", ALL_ROLES, {Scope.read}, writes=False
    ),
    Permission.ledger_read: _rule(
        "ledger status, checkpoints, public keys, inclusion and consistency proofs",
        ALL_ROLES,
        {Scope.read},
        writes=False,
    ),
    Permission.keys_read: _rule("list API keys", {R.admin}, {Scope.admin}, writes=False),
    Permission.keys_manage: _rule(
        "create and revoke API keys", {R.admin}, {Scope.admin}, writes=True
    ),
    Permission.users_read: _rule("list users", {R.admin}, {Scope.admin}, writes=False),
    Permission.users_manage: _rule(
        "invite, change role, disable, reset passwords", {R.admin}, {Scope.admin}, writes=True
    ),
    Permission.dlq_read: _rule("list dead letters", {R.admin}, {Scope.admin}, writes=False),
    Permission.dlq_replay: _rule("replay dead letters", {R.admin}, {Scope.admin}, writes=True),
    Permission.compliance_read: _rule(
        "cloud accounts, scans, findings, scores, frameworks, controls, finding exports, "
        "the summary",
        ALL_ROLES,
        {Scope.read},
        writes=False,
    ),
    Permission.compliance_scan: _rule(
        "start compliance scans", {R.admin, R.analyst}, {Scope.admin}, writes=True
    ),
    Permission.compliance_exceptions: _rule(
        "create and revoke exceptions (mutes) of findings",
        {R.admin, R.analyst},
        {Scope.admin},
        writes=True,
    ),
    Permission.compliance_accounts: _rule(
        "add, change and remove cloud accounts", {R.admin}, {Scope.admin}, writes=True
    ),
    Permission.session_self: _rule(
        "read one's own identity, log out", ALL_ROLES, set(), writes=False
    ),
    Permission.tenants_manage: _rule(
        "list and create tenants (platform superadmin only)",
        set(),
        set(),
        writes=True,
        superadmin=True,
    ),
}

# Read-only means read-only: no rule that changes state may name the auditor.
assert not any(Role.auditor in r.roles for r in TABLE.values() if r.writes)
assert set(TABLE) == set(Permission)


def allowed(caller: Caller, permission: Permission) -> bool:
    """Whether `caller` holds `permission` under the table."""
    rule = TABLE[permission]
    if rule.superadmin:
        return caller.kind == "user" and caller.superadmin
    if caller.kind == "user":
        return caller.role is not None and caller.role in rule.roles
    if caller.kind == "api_key":
        return bool(caller.scopes & rule.scopes)
    return False


def permission_table_markdown() -> str:
    """The table as printed in docs/security.md."""
    lines = [
        "| Permission | What it allows | admin | analyst | auditor | API key scopes |",
        "|---|---|:-:|:-:|:-:|---|",
    ]
    for permission, rule in TABLE.items():
        marks = ["✓" if role in rule.roles else "-" for role in Role]
        if rule.superadmin:
            marks = ["superadmin only", "-", "-"]
        scopes = ", ".join(f"`{s.value}`" for s in Scope if s in rule.scopes) or "-"
        lines.append(
            f"| `{permission.value}` | {rule.description} | {' | '.join(marks)} | {scopes} |"
        )
    return "\n".join(lines)
