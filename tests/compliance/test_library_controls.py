"""Every control of the built-in library passes a compliant document and fails a bad one.

The cases are parametrized over the library itself, so a control added without cases
here fails `test_every_control_has_cases`.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from sealtrail.compliance.inventory.model import Inventory, Resource
from sealtrail.compliance.library import evaluate, load_library

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ACCOUNT = "111122223333"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ALL_BLOCKED = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}

# One document per resource type that every control over the type accepts.
COMPLIANT: dict[str, tuple[str, str, dict[str, Any]]] = {  # type: (region, name, config)
    "aws.iam.account": (
        "global",
        ACCOUNT,
        {
            "root_mfa_enabled": True,
            "root_access_keys_present": False,
            "password_policy": {
                "minimum_length": 16,
                "require_symbols": True,
                "require_numbers": True,
                "require_uppercase": True,
                "require_lowercase": True,
                "reuse_prevention": 24,
                "max_age_days": 90,
            },
        },
    ),
    "aws.iam.user": (
        "global",
        "alice",
        {
            "user_name": "alice",
            "created": "2024-01-01T00:00:00Z",
            "console_access": True,
            "mfa_enabled": True,
            "password_last_used": "2025-05-20T08:00:00Z",
            "access_keys": [
                {
                    "id": "AKIAALICE1",
                    "active": True,
                    "created": "2025-04-01T00:00:00Z",
                    "last_used": "2025-05-30T00:00:00Z",
                }
            ],
            "attached_policies": [],
            "inline_policies": [],
        },
    ),
    "aws.iam.policy": (
        "global",
        "ReadReports",
        {
            "name": "ReadReports",
            "attached": True,
            "document": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}
                ],
            },
        },
    ),
    "aws.s3.account": ("global", ACCOUNT, {"public_access_block": dict(ALL_BLOCKED)}),
    "aws.s3.bucket": (
        "eu-west-1",
        "data-bucket",
        {
            "name": "data-bucket",
            "public_access_block": dict(ALL_BLOCKED),
            "acl_grants": [
                {"grantee_type": "CanonicalUser", "grantee_uri": None, "permission": "FULL_CONTROL"}
            ],
            "policy": {"Version": "2012-10-17", "Statement": [TLS_DENY]},
            "default_encryption": {"algorithm": "aws:kms", "kms_key_id": "alias/s3"},
            "versioning": "Enabled",
            "logging": {"target_bucket": "logs", "target_prefix": "data-bucket/"},
        },
    ),
    "aws.ec2.account": ("eu-west-1", ACCOUNT, {"ebs_encryption_by_default": True}),
    "aws.ec2.security_group": (
        "eu-west-1",
        "web",
        {
            "group_id": "sg-1",
            "group_name": "web",
            "vpc_id": "vpc-1",
            "is_default": False,
            "ingress": [
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "ipv4_ranges": ["0.0.0.0/0"],
                    "ipv6_ranges": ["::/0"],
                },
                {
                    "protocol": "tcp",
                    "from_port": 22,
                    "to_port": 22,
                    "ipv4_ranges": ["10.0.0.0/8"],
                    "ipv6_ranges": [],
                },
            ],
            "egress": [
                {
                    "protocol": "-1",
                    "from_port": None,
                    "to_port": None,
                    "ipv4_ranges": ["0.0.0.0/0"],
                    "ipv6_ranges": [],
                }
            ],
        },
    ),
    "aws.ec2.volume": (
        "eu-west-1",
        "vol-1",
        {"volume_id": "vol-1", "encrypted": True, "state": "in-use", "attached": True},
    ),
    "aws.ec2.instance": (
        "eu-west-1",
        "i-1",
        {
            "instance_id": "i-1",
            "state": "running",
            "http_tokens": "required",
            "http_endpoint": "enabled",
        },
    ),
    "aws.ec2.vpc": (
        "eu-west-1",
        "vpc-1",
        {"vpc_id": "vpc-1", "is_default": False, "flow_log_ids": ["fl-1"]},
    ),
    "aws.rds.instance": (
        "eu-west-1",
        "orders",
        {
            "identifier": "orders",
            "engine": "postgres",
            "storage_encrypted": True,
            "publicly_accessible": False,
            "backup_retention_days": 7,
            "multi_az": True,
            "deletion_protection": True,
        },
    ),
    "aws.kms.key": (
        "eu-west-1",
        "k-1",
        {
            "key_id": "k-1",
            "key_manager": "CUSTOMER",
            "key_state": "Enabled",
            "key_spec": "SYMMETRIC_DEFAULT",
            "rotation_enabled": True,
        },
    ),
    "aws.cloudtrail.account": (
        "global",
        ACCOUNT,
        {
            "trails": [
                {
                    "name": "main",
                    "arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main",
                    "home_region": "us-east-1",
                    "multi_region": True,
                    "logging": True,
                    "log_file_validation": True,
                    "kms_key_id": "arn:aws:kms:us-east-1:111122223333:key/k",
                }
            ]
        },
    ),
    "aws.guardduty.region": ("eu-west-1", "eu-west-1", {"detector_ids": ["d-1"], "enabled": True}),
    "aws.config.region": (
        "eu-west-1",
        "eu-west-1",
        {
            "recorders": [{"name": "default", "recording": True, "all_supported": True}],
            "recording": True,
        },
    ),
    "aws.logs.log_group": ("eu-west-1", "/app", {"name": "/app", "retention_days": 90}),
}


def resource(rtype: str, unavailable: dict[str, str] | None = None, **changes: Any) -> Resource:
    """A compliant document of `rtype` with top-level config fields replaced by `changes`."""
    region, name, config = COMPLIANT[rtype]
    service = rtype.split(".")[1]
    arn = f"arn:aws:s3:::{name}" if rtype == "aws.s3.bucket" else f"arn:aws:{service}::{name}"
    return Resource(
        arn=arn,
        type=rtype,
        region=region,
        account=ACCOUNT,
        name=name,
        config={**copy.deepcopy(config), **changes},
        unavailable=dict(unavailable or {}),
    )


def judge(control_id: str, res: Resource) -> tuple[str, str]:
    """The (status, details) of one control on one resource."""
    inventory = Inventory(ACCOUNT, ("eu-west-1",), [res])
    [result] = evaluate(load_library(), inventory, [control_id], now=NOW)
    return result.status, result.details


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _rule(protocol: str, low: int | None, high: int | None, v4: str = "0.0.0.0/0") -> Any:
    return {"protocol": protocol, "from_port": low, "to_port": high, "ipv4_ranges": [v4]}


def _key(active: bool, created: str, last_used: str | None, key_id: str = "AKIA2") -> Any:
    return {"id": key_id, "active": active, "created": created, "last_used": last_used}


def _pp(**changes: Any) -> dict[str, Any]:
    policy = dict(COMPLIANT["aws.iam.account"][2]["password_policy"])
    return {"password_policy": {**policy, **changes}}


_RECENT, _OLD = "2025-05-01T00:00:00Z", "2024-12-01T00:00:00Z"
_PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}

# control id → (changes that pass, changes that fail, text the failure details contain)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "AWS-IAM-001": ({}, {"root_mfa_enabled": False}, "root_mfa_enabled is false, expected = true"),
    "AWS-IAM-002": ({}, {"root_access_keys_present": True}, "root_access_keys_present is true"),
    "AWS-IAM-003": (
        _pp(minimum_length=14),
        _pp(minimum_length=8),
        "password_policy.minimum_length is 8, expected ≥ 14",
    ),
    "AWS-IAM-004": ({}, {"password_policy": None}, "password_policy is null"),
    "AWS-IAM-005": ({}, _pp(require_numbers=False), "password_policy.require_numbers is false"),
    "AWS-IAM-006": ({}, _pp(require_uppercase=False), "require_uppercase is false"),
    "AWS-IAM-007": ({}, _pp(require_lowercase=False), "require_lowercase is false"),
    "AWS-IAM-008": (_pp(reuse_prevention=24), _pp(reuse_prevention=5), "is 5, expected ≥ 24"),
    "AWS-IAM-009": (_pp(max_age_days=30), _pp(max_age_days=None), "is null, expected ≤ 90"),
    "AWS-IAM-010": ({}, {"mfa_enabled": False}, "mfa_enabled is false"),
    "AWS-IAM-011": (
        {"password_last_used": None, "created": _RECENT},
        {"access_keys": [_key(True, _OLD, "2025-01-15T00:00:00Z")]},
        "access_keys[0] (AKIA2) matches",
    ),
    "AWS-IAM-012": (
        {"access_keys": [_key(False, _OLD, None), _key(True, _RECENT, None)]},
        {"access_keys": [_key(True, _OLD, _RECENT)]},
        'created is "2024-12-01T00:00:00Z" (older than 90 days)',
    ),
    "AWS-IAM-013": (
        {"document": _policy({"Effect": "Deny", "Action": "*", "Resource": "*"})},
        {"document": _policy({"Effect": "Allow", "Action": ["*"], "Resource": "*"})},
        'allows Action "*" on Resource "*"',
    ),
    "AWS-IAM-014": (
        {},
        {"attached_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        "attached_policies is",
    ),
    "AWS-IAM-015": (
        {"access_keys": [_key(True, _RECENT, None, "A1"), _key(False, _OLD, None, "A2")]},
        {"access_keys": [_key(True, _RECENT, None, "A1"), _key(True, _RECENT, None, "A2")]},
        "2 access keys are active: A1, A2",
    ),
    "AWS-S3-001": (
        {},
        {"public_access_block": {**ALL_BLOCKED, "restrict_public_buckets": False}},
        "public_access_block.restrict_public_buckets is false",
    ),
    "AWS-S3-002": ({}, {"public_access_block": None}, "public_access_block is null"),
    "AWS-S3-003": (
        {"acl_grants": []},
        {"acl_grants": [{"grantee_type": "Group", "grantee_uri": ALL_USERS, "permission": "READ"}]},
        "acl_grants[0] matches",
    ),
    "AWS-S3-004": ({}, {"policy": _policy(_PUBLIC_READ)}, "statement #0 allows"),
    "AWS-S3-005": (
        {"default_encryption": {"algorithm": "AES256", "kms_key_id": None}},
        {"default_encryption": None},
        "default_encryption.algorithm is absent",
    ),
    "AWS-S3-006": ({}, {"versioning": "Suspended"}, 'versioning is "Suspended", expected'),
    "AWS-S3-007": ({}, {"logging": None}, "logging is null, expected not null"),
    "AWS-S3-008": ({}, {"policy": None}, "no bucket policy"),
    "AWS-EC2-001": (
        {"ingress": [_rule("tcp", 23, 3000), _rule("udp", 22, 22)]},
        {"ingress": [_rule("tcp", 0, 1024)]},
        "ingress[0] matches",
    ),
    "AWS-EC2-002": (
        {"ingress": [_rule("tcp", 3389, 3389, "192.0.2.0/24")]},
        {"ingress": [_rule("-1", None, None)]},
        'protocol is "-1"',
    ),
    "AWS-EC2-003": (
        {"ingress": [_rule("-1", None, None, "10.0.0.0/16")]},
        {"ingress": [{**_rule("-1", None, None, "10.0.0.0/8"), "ipv6_ranges": ["::/0"]}]},
        'ipv6_ranges is ["::/0"]',
    ),
    "AWS-EC2-004": (
        {"is_default": True, "ingress": [], "egress": []},
        {"is_default": True, "ingress": []},
        "egress is",
    ),
    "AWS-EC2-005": ({}, {"ebs_encryption_by_default": False}, "is false, expected = true"),
    "AWS-EC2-006": ({}, {"encrypted": False}, "encrypted is false"),
    "AWS-EC2-007": (
        {"http_tokens": "optional", "http_endpoint": "disabled"},
        {"http_tokens": "optional"},
        'http_tokens is "optional", expected = "required"',
    ),
    "AWS-EC2-008": ({}, {"flow_log_ids": []}, "flow_log_ids is [], expected truthy"),
    "AWS-RDS-001": ({}, {"storage_encrypted": False}, "storage_encrypted is false"),
    "AWS-RDS-002": ({}, {"publicly_accessible": True}, "publicly_accessible is true"),
    "AWS-RDS-003": ({"backup_retention_days": 35}, {"backup_retention_days": 1}, "is 1"),
    "AWS-RDS-004": ({}, {"multi_az": False}, "multi_az is false"),
    "AWS-RDS-005": ({}, {"deletion_protection": False}, "deletion_protection is false"),
    "AWS-KMS-001": ({}, {"rotation_enabled": False}, "rotation_enabled is false"),
    "AWS-CT-001": (
        {},
        {"trails": [{**COMPLIANT["aws.cloudtrail.account"][2]["trails"][0], "logging": False}]},
        "trails has no item where",
    ),
    "AWS-CT-002": (
        {},
        {
            "trails": [
                {**COMPLIANT["aws.cloudtrail.account"][2]["trails"][0], "log_file_validation": 0}
            ]
        },
        "trails[0] (main): log_file_validation is 0",
    ),
    "AWS-CT-003": (
        {},
        {"trails": [{**COMPLIANT["aws.cloudtrail.account"][2]["trails"][0], "kms_key_id": None}]},
        "kms_key_id is null, expected not null",
    ),
    "AWS-GD-001": ({}, {"enabled": False, "detector_ids": []}, "enabled is false"),
    "AWS-CFG-001": (
        {},
        {"recorders": [{"name": "default", "recording": True, "all_supported": False}]},
        "recorders has no item where",
    ),
    "AWS-LOGS-001": ({}, {"retention_days": None}, "retention_days is null"),
}

CONTROL_IDS = sorted(load_library().controls)


def test_every_control_has_cases() -> None:
    assert sorted(CASES) == CONTROL_IDS


@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_control_passes_a_compliant_document(control_id: str) -> None:
    passing = CASES[control_id][0]
    rtype = load_library().controls[control_id].resource_type
    assert judge(control_id, resource(rtype, **passing))[0] == "PASS"


@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_control_fails_a_bad_document_and_says_why(control_id: str) -> None:
    _, failing, because = CASES[control_id]
    rtype = load_library().controls[control_id].resource_type
    status, details = judge(control_id, resource(rtype, **failing))
    assert status == "FAIL"
    assert because in details


@pytest.mark.parametrize("rtype", sorted(COMPLIANT))
def test_compliant_documents_fail_no_control_of_their_type(rtype: str) -> None:
    inventory = Inventory(ACCOUNT, ("eu-west-1",), [resource(rtype)])
    results = evaluate(load_library(), inventory, now=NOW)
    mine = [r for r in results if r.resource_type == rtype]
    assert mine
    assert {r.status for r in mine} <= {"PASS", "NOT_APPLICABLE"}


@pytest.mark.parametrize(
    ("rule", "verdict"),
    [
        (_rule("tcp", 0, 65535), "FAIL"),
        ({**_rule("udp", 0, 65535, "10.0.0.0/8"), "ipv6_ranges": ["::/0"]}, "FAIL"),
        (_rule("6", 0, 65535), "FAIL"),
        (_rule("tcp", 1, 65535), "PASS"),
        (_rule("tcp", 0, 65535, "10.0.0.0/8"), "PASS"),
        (_rule("icmp", -1, -1), "PASS"),
    ],
)
def test_all_traffic_includes_the_whole_port_range_of_tcp_or_udp(rule, verdict) -> None:
    """Found by bench/scan.py: Prowler flags TCP/UDP 0-65535 from the internet as all ports."""
    status, details = judge("AWS-EC2-003", resource("aws.ec2.security_group", ingress=[rule]))
    assert status == verdict, details
