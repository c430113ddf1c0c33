"""The inventory contract between collectors and controls.

A collector turns an account into `Resource` documents; controls read only these
documents (never the cloud). A call that fails is never silent: it becomes a
`CollectionError` naming the resource type and region it left unknown (then every
control over that type and region reports ERROR), or, when it fails for one resource
only, an entry in that resource's `unavailable` map (field → reason; a control that
reads the field reports ERROR for that resource).

Resource types and the fields of `config` (every field always present; `None` means
"the cloud says there is none", never "we could not tell" — that is `unavailable`):

- `aws.iam.account` (region `global`, one per account): `root_mfa_enabled` bool,
  `root_access_keys_present` bool, `password_policy` null or {`minimum_length` int,
  `require_symbols` bool, `require_numbers` bool, `require_uppercase` bool,
  `require_lowercase` bool, `reuse_prevention` int|null, `max_age_days` int|null}.
- `aws.iam.user` (global): `user_name`, `created` (RFC 3339), `console_access` bool
  (has a login profile), `mfa_enabled` bool, `password_last_used` RFC 3339|null,
  `access_keys` [{`id`, `active` bool, `created` RFC 3339, `last_used` RFC 3339|null}],
  `attached_policies` [policy ARN], `inline_policies` [{`name`, `document`}].
- `aws.iam.policy` (global; customer-managed): `name`, `attached` bool
  (attachment count > 0), `document` (the default version's JSON policy document).
- `aws.s3.account` (global, one per account): `public_access_block` null or
  {`block_public_acls`, `ignore_public_acls`, `block_public_policy`,
  `restrict_public_buckets`} (bools).
- `aws.s3.bucket` (its region): `name`, `public_access_block` null or the four bools
  above, `acl_grants` [{`grantee_type`, `grantee_uri` str|null, `permission`}],
  `policy` JSON document|null, `default_encryption` null or {`algorithm`,
  `kms_key_id` str|null}, `versioning` "Enabled"|"Suspended"|null, `logging` null or
  {`target_bucket`, `target_prefix`}.
- `aws.ec2.account` (per region): `ebs_encryption_by_default` bool.
- `aws.ec2.security_group` (region): `group_id`, `group_name`, `vpc_id`, `is_default`
  bool (name "default"), `ingress` and `egress` [{`protocol` ("-1" = all), `from_port`
  int|null, `to_port` int|null, `ipv4_ranges` [CIDR], `ipv6_ranges` [CIDR]}].
- `aws.ec2.volume` (region): `volume_id`, `encrypted` bool, `state`, `attached` bool.
- `aws.ec2.instance` (region): `instance_id`, `state`, `http_tokens`
  "required"|"optional", `http_endpoint` "enabled"|"disabled".
- `aws.ec2.vpc` (region): `vpc_id`, `is_default` bool, `flow_log_ids` [str].
- `aws.rds.instance` (region): `identifier`, `engine`, `storage_encrypted` bool,
  `publicly_accessible` bool, `backup_retention_days` int, `multi_az` bool,
  `deletion_protection` bool.
- `aws.kms.key` (region; customer-managed, enabled or disabled, not pending deletion):
  `key_id`, `key_manager` "CUSTOMER"|"AWS", `key_state`, `key_spec`, `rotation_enabled`
  bool|null (null for keys that cannot rotate, e.g. asymmetric).
- `aws.cloudtrail.account` (global, one per account): `trails` [{`name`, `arn`,
  `home_region`, `multi_region` bool, `logging` bool, `log_file_validation` bool,
  `kms_key_id` str|null}] (every trail of every scanned region, deduplicated).
- `aws.guardduty.region` (region): `detector_ids` [str], `enabled` bool (a detector
  whose status is ENABLED exists).
- `aws.config.region` (region): `recorders` [{`name`, `recording` bool,
  `all_supported` bool}], `recording` bool.
- `aws.logs.log_group` (region): `name`, `retention_days` int|null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

GLOBAL = "global"
REASON_LIMIT = 300


def short_reason(text: str) -> str:
    """The first line of `text`, at most `REASON_LIMIT` characters: reasons are shown to
    everyone who reads findings and may come from the endpoint."""
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= REASON_LIMIT else line[: REASON_LIMIT - 1] + "…"


@dataclass(frozen=True)
class AwsCredentials:
    """Access keys, or a role to assume with them (or with the default chain)."""

    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    role_arn: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class AccountSpec:
    """What a collector needs to reach one account."""

    provider: Literal["aws"]
    account_id: str
    regions: tuple[str, ...]
    credentials: AwsCredentials
    endpoint_url: str | None = None  # LocalStack or a moto server stand in for AWS


@dataclass
class Resource:
    """One normalized resource document."""

    arn: str
    type: str
    region: str
    account: str
    name: str
    config: dict[str, Any]
    unavailable: dict[str, str] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        """The evidence snapshot stored with a finding."""
        doc = {
            "arn": self.arn,
            "type": self.type,
            "region": self.region,
            "account": self.account,
            "name": self.name,
            "config": self.config,
        }
        if self.unavailable:
            doc["unavailable"] = dict(self.unavailable)
        return doc


@dataclass(frozen=True)
class CollectionError:
    """A call that failed and left a resource type in a region unknown."""

    resource_type: str
    region: str
    operation: str  # e.g. "s3:ListBuckets"
    reason: str  # e.g. "AccessDenied: User ... is not authorized to perform ..."


@dataclass
class Inventory:
    """Everything collected from one account, with what could not be."""

    account: str
    regions: tuple[str, ...]
    resources: list[Resource] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    collected_types: set[str] = field(default_factory=set)

    def of_type(self, resource_type: str) -> list[Resource]:
        """The resources of one type."""
        return [r for r in self.resources if r.type == resource_type]

    def errors_for(self, resource_type: str, region: str | None = None) -> list[CollectionError]:
        """Collection errors that left `resource_type` (in `region`, if given) unknown."""
        return [
            e
            for e in self.errors
            if e.resource_type == resource_type and (region is None or e.region == region)
        ]
