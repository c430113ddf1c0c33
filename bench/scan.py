"""Scan benchmark: a full Sealtrail scan against Prowler on the same seeded account.

    python bench/scan.py [--runs 3] [--scale 1] [--skip-prowler] [--prowler PATH]

Starts `moto_server` on a free local port and seeds one account in three regions: at
`--scale 1`, 50 S3 buckets, 100 IAM users, 100 security groups, 20 RDS instances, 12
KMS keys, 3 CloudTrail trails, EBS volumes, instances, log groups, GuardDuty and
Config, with a known list of deliberate misconfigurations (the common ones and some
edge cases: suspended versioning, `{"AWS": "*"}` principals, port ranges, "*:*" in
lists ...). Then, `--runs` times, each tool scans the account through the same endpoint:

- Sealtrail, the product path: a fresh data directory, the account registered with
  `endpoint_url` over the API, `POST /api/v1/compliance/scans` (all 43 controls) and
  the scan worker's `run_once()`, in this process; also `sealtrail scan aws` in a new
  process (cold start, like a Prowler run), on the same data directory.
- Prowler (from its own venv, `make bench` installs it into bench/results/prowler-venv)
  as a subprocess, `prowler aws --checks <the checks that match our controls>` with
  `AWS_ENDPOINT_URL` pointing at moto and fake keys, its JSON-OCSF output parsed.

It prints the medians, Prowler's time over Sealtrail's (the baseline ratio), and for
each kind of seeded misconfiguration whether each tool found it, then what each tool
failed beyond the seeded list and what Prowler could not evaluate on moto. The last
Prowler output and log are kept in bench/results/scan-prowler-last/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import httpx
from fastapi.testclient import TestClient

from harness import RESULTS, free_port, median
from sealtrail.api.app import create_app
from sealtrail.compliance.inventory.aws.collect import collect
from sealtrail.compliance.inventory.model import AccountSpec, AwsCredentials
from sealtrail.compliance.library import evaluate, load_library
from sealtrail.config import Settings
from sealtrail.identity import service as identity
from sealtrail.identity.schemas import Scope
from sealtrail.observability.logging import configure_logging
from sealtrail.runtime import Runtime

HERE = Path(__file__).resolve().parent
PROWLER = HERE / "results" / "prowler-venv" / "bin" / "prowler"
BIN = Path(sys.executable).parent
ACCOUNT_ID = "123456789012"  # moto's default account
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
GLOBAL = "global"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # fake, as AWS documents them
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TENANT = "bench"
ACCOUNT = "bench"

# Our control -> the Prowler checks that judge the same thing (found = any of them FAILs).
PROWLER_CHECKS: dict[str, list[str]] = {
    "AWS-CFG-001": ["config_recorder_all_regions_enabled"],
    "AWS-CT-001": ["cloudtrail_multi_region_enabled"],
    "AWS-CT-002": ["cloudtrail_log_file_validation_enabled"],
    "AWS-CT-003": ["cloudtrail_kms_encryption_enabled"],
    # Prowler's port checks pass a group open on all ports ("not checked against the
    # specific port"): its all-ports check is where it reports that group.
    "AWS-EC2-001": [
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
    ],
    "AWS-EC2-002": [
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
        "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
    ],
    "AWS-EC2-003": ["ec2_securitygroup_allow_ingress_from_internet_to_all_ports"],
    "AWS-EC2-004": ["ec2_securitygroup_default_restrict_traffic"],
    "AWS-EC2-005": ["ec2_ebs_default_encryption"],
    "AWS-EC2-006": ["ec2_ebs_volume_encryption"],
    "AWS-EC2-007": ["ec2_instance_imdsv2_enabled"],
    "AWS-EC2-008": ["vpc_flow_logs_enabled"],
    "AWS-GD-001": ["guardduty_is_enabled"],
    "AWS-IAM-001": ["iam_root_mfa_enabled"],
    "AWS-IAM-002": ["iam_no_root_access_key"],
    "AWS-IAM-003": ["iam_password_policy_minimum_length_14"],
    "AWS-IAM-004": ["iam_password_policy_symbol"],
    "AWS-IAM-005": ["iam_password_policy_number"],
    "AWS-IAM-006": ["iam_password_policy_uppercase"],
    "AWS-IAM-007": ["iam_password_policy_lowercase"],
    "AWS-IAM-008": ["iam_password_policy_reuse_24"],
    "AWS-IAM-009": ["iam_password_policy_expires_passwords_within_90_days_or_less"],
    "AWS-IAM-010": ["iam_user_mfa_enabled_console_access"],
    "AWS-IAM-011": ["iam_user_accesskey_unused", "iam_user_console_access_unused"],
    "AWS-IAM-012": ["iam_rotate_access_key_90_days"],
    "AWS-IAM-013": [
        "iam_customer_attached_policy_no_administrative_privileges",
        "iam_customer_unattached_policy_no_administrative_privileges",
    ],
    "AWS-IAM-014": ["iam_policy_attached_only_to_group_or_roles"],
    "AWS-IAM-015": ["iam_user_two_active_access_key"],
    "AWS-KMS-001": ["kms_cmk_rotation_enabled"],
    # Prowler's cloudwatch_log_group_retention_policy_specific_days_enabled wants at
    # least N days and passes "never expire": the opposite rule. No check matches.
    "AWS-LOGS-001": [],
    "AWS-RDS-001": ["rds_instance_storage_encrypted"],
    "AWS-RDS-002": ["rds_instance_no_public_access"],
    "AWS-RDS-003": ["rds_instance_backup_enabled"],
    "AWS-RDS-004": ["rds_instance_multi_az"],
    "AWS-RDS-005": ["rds_instance_deletion_protection"],
    "AWS-S3-001": ["s3_account_level_public_access_blocks"],
    "AWS-S3-002": ["s3_bucket_level_public_access_block"],
    "AWS-S3-003": [
        "s3_bucket_public_access",
        "s3_bucket_public_list_acl",
        "s3_bucket_public_write_acl",
    ],
    "AWS-S3-004": ["s3_bucket_public_access", "s3_bucket_policy_public_write_access"],
    "AWS-S3-005": ["s3_bucket_default_encryption"],
    "AWS-S3-006": ["s3_bucket_object_versioning"],
    "AWS-S3-007": ["s3_bucket_server_access_logging_enabled"],
    "AWS-S3-008": ["s3_bucket_secure_transport_policy"],
}
# Prowler's thresholds set to ours, so that both judge the same rule.
PROWLER_CONFIG = {"aws": {"max_unused_access_keys_days": 90, "max_console_access_days": 90}}


# -- the seeded account ------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """One deliberate misconfiguration: what it is, the control that must fail, where.

    `token` names the resource in either tool's finding (an ARN, id or name); None
    means the account (region `global`) or the region itself.
    """

    what: str
    control: str
    region: str
    token: str | None


@dataclass
class Account:
    """What was seeded: the misconfigurations and how many resources of each kind."""

    seeded: list[Seeded] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def bad(self, what: str, control: str, region: str, token: str | None = None) -> None:
        self.seeded.append(Seeded(what, control, region, token))


def at_scale(count: int, scale: float) -> int:
    """`count` times `scale`, at least one."""
    return max(1, round(count * scale))


TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
PUBLIC_READ = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ADMIN_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ADMIN_LISTED = {  # the same, written with lists and "*:*"
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}],
}
READ_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}

RDS_FAULTS = {  # fault: (instances at scale 1, what it is, the control it breaks)
    "unencrypted": (3, "unencrypted RDS instance", "AWS-RDS-001"),
    "public": (3, "publicly accessible RDS instance", "AWS-RDS-002"),
    "no-backups": (2, "RDS instance without backups", "AWS-RDS-003"),
    "single-az": (3, "single-AZ RDS instance", "AWS-RDS-004"),
    "deletable": (3, "RDS instance without deletion protection", "AWS-RDS-005"),
}


class Seeder:
    """Admin clients of the moto server, and the account being built."""

    def __init__(self, endpoint: str, scale: float) -> None:
        self.scale = scale
        self.account = Account()
        self.session = boto3.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGIONS[0]
        )
        self.endpoint = endpoint
        self.log_buckets: dict[str, str] = {}
        self.kms_keys: dict[str, str] = {}
        self.vpcs: dict[str, str] = {}

    def client(self, service: str, region: str = REGIONS[0]) -> Any:
        return self.session.client(service, region_name=region, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def n(self, count: int) -> int:
        return at_scale(count, self.scale)

    def seed(self) -> Account:
        self.vpcs = {r: self.client("ec2", r).describe_vpcs()["Vpcs"][0]["VpcId"] for r in REGIONS}
        self.kms()
        self.s3()
        self.cloudtrail()
        self.iam()
        self.security_groups()
        self.default_vpcs()
        self.machines()
        self.rds()
        self.regional_services()
        self.logs()
        return self.account

    def s3(self) -> None:
        """Buckets, each fully configured but for its listed faults; a log bucket a region."""
        for region in REGIONS:
            name = f"sealtrail-bench-logs-{region}"
            self.bucket(name, region)
            self.client("s3", region).put_bucket_acl(Bucket=name, ACL="log-delivery-write")
            self.log_buckets[region] = name
        faults: list[str] = []
        for what, count in (
            ("versioning", 5),
            ("suspended", 1),
            ("encryption", 3),
            ("logging", 3),
            ("tls", 3),
            ("tls-bucket-only", 1),
            ("block", 3),
            ("block-partly", 1),
            ("acl", 2),
            ("acl-aws-users", 1),
            ("policy", 2),
            ("policy-aws-star", 1),
        ):
            faults += [what] * self.n(count)
        total = max(self.n(50), len(faults))
        faults += [""] * (total - len(faults))
        for i, fault in enumerate(faults):
            region = REGIONS[i % len(REGIONS)]
            name = f"sealtrail-bench-b{i:04d}"
            self.bucket(name, region)
            self.configure(name, region, fault)
        # Last: moto's PutBucketLogging fails on a target whose policy has Principal "*".
        for region, name in self.log_buckets.items():
            self.configure(name, region, logging=False)
            self.account.bad("bucket without access logging", "AWS-S3-007", region, f":::{name}")
        self.account.counts["S3 buckets"] = total + len(REGIONS)
        self.account.bad("account-level Block Public Access off", "AWS-S3-001", GLOBAL)

    def bucket(self, name: str, region: str) -> None:
        location = {} if region == "us-east-1" else {"LocationConstraint": region}
        self.client("s3", region).create_bucket(Bucket=name, CreateBucketConfiguration=location)

    def configure(self, name: str, region: str, fault: str = "", *, logging: bool = True) -> None:
        """Versioning, encryption, logging, a TLS-only policy, Block Public Access: but `fault`."""
        s3 = self.client("s3", region)
        token = f":::{name}"
        if fault == "versioning":
            self.account.bad("bucket without versioning", "AWS-S3-006", region, token)
        else:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if fault == "suspended":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
            self.account.bad("bucket versioning suspended", "AWS-S3-006", region, token)
        if fault == "encryption":
            self.account.bad("bucket without default encryption", "AWS-S3-005", region, token)
        else:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            )
        if fault == "logging":
            self.account.bad("bucket without access logging", "AWS-S3-007", region, token)
        elif logging:
            s3.put_bucket_logging(
                Bucket=name,
                BucketLoggingStatus={
                    "LoggingEnabled": {
                        "TargetBucket": self.log_buckets[region],
                        "TargetPrefix": f"{name}/",
                    }
                },
            )
        public = fault in ("acl", "acl-aws-users", "policy", "policy-aws-star")
        if fault == "block" or public:
            self.account.bad("bucket without Block Public Access", "AWS-S3-002", region, token)
        elif fault == "block-partly":
            partly = {**BLOCK_ALL, "RestrictPublicBuckets": False}
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=partly)
            self.account.bad("bucket Block Public Access 3 of 4", "AWS-S3-002", region, token)
        else:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=BLOCK_ALL)
        if fault == "acl":
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
            self.account.bad("bucket ACL readable by everyone", "AWS-S3-003", region, token)
        if fault == "acl-aws-users":
            s3.put_bucket_acl(Bucket=name, ACL="authenticated-read")
            self.account.bad("bucket ACL readable by any AWS user", "AWS-S3-003", region, token)
        bucket, objects = f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"
        statements = []
        if fault == "tls":
            self.account.bad("bucket policy allows plain HTTP", "AWS-S3-008", region, token)
        elif fault == "tls-bucket-only":
            statements.append({**TLS_DENY, "Resource": bucket})
            self.account.bad("TLS denied on the bucket, not objects", "AWS-S3-008", region, token)
        else:
            statements.append({**TLS_DENY, "Resource": [bucket, objects]})
        if fault == "policy":
            statements.append({**PUBLIC_READ, "Resource": objects})
            self.account.bad("bucket policy public to everyone", "AWS-S3-004", region, token)
        if fault == "policy-aws-star":
            statements.append({**PUBLIC_READ, "Principal": {"AWS": "*"}, "Resource": objects})
            self.account.bad('bucket policy public to {"AWS": "*"}', "AWS-S3-004", region, token)
        if statements:
            s3.put_bucket_policy(
                Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements})
            )

    def kms(self) -> None:
        """Customer keys, rotating but for the last few."""
        unrotated = self.n(3)
        # The first key of each region, rotated, encrypts its trail and volumes.
        total = max(self.n(12), len(REGIONS) + unrotated)
        for i in range(total):
            region = REGIONS[i % len(REGIONS)]
            kms = self.client("kms", region)
            key = kms.create_key(Description=f"sealtrail bench key {i}")["KeyMetadata"]
            self.kms_keys.setdefault(region, key["Arn"])
            if i < total - unrotated:
                kms.enable_key_rotation(KeyId=key["KeyId"])
            else:
                self.account.bad(
                    "customer key without rotation", "AWS-KMS-001", region, key["KeyId"]
                )
        self.account.counts["KMS keys"] = total

    def cloudtrail(self) -> None:
        """A good multi-region trail, one without validation, one without KMS."""
        # (name, region, multi-region, log file validation, KMS)
        trails = (
            ("org-audit", REGIONS[0], True, True, True),
            ("app-trail", REGIONS[1], False, False, True),
            ("legacy-trail", REGIONS[2], False, True, False),
        )
        for name, region, multi, validation, encrypted in trails:
            params: dict[str, Any] = {
                "Name": name,
                "S3BucketName": self.log_buckets[region],
                "IsMultiRegionTrail": multi,
                "EnableLogFileValidation": validation,
            }
            if encrypted:
                params["KmsKeyId"] = self.kms_keys[region]
            ct = self.client("cloudtrail", region)
            ct.create_trail(**params)
            ct.start_logging(Name=name)
            if not validation:
                self.account.bad("trail without log file validation", "AWS-CT-002", GLOBAL, name)
            if not encrypted:
                self.account.bad("trail not encrypted with KMS", "AWS-CT-003", GLOBAL, name)
        self.account.counts["CloudTrail trails"] = len(trails)

    def iam(self) -> None:
        """A weak password policy, admin policies, users in a group: some with faults."""
        iam = self.client("iam")
        iam.update_account_password_policy(
            MinimumPasswordLength=8,
            RequireSymbols=False,
            RequireNumbers=True,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
        )
        for what, control in (
            ("password policy shorter than 14", "AWS-IAM-003"),
            ("password policy without symbols", "AWS-IAM-004"),
            ("password policy without reuse prevention", "AWS-IAM-008"),
            ("passwords never expire", "AWS-IAM-009"),
            ("root user without MFA (moto's root has none)", "AWS-IAM-001"),
        ):
            self.account.bad(what, control, GLOBAL)
        policies = {}
        for name, document in (
            ("bench-read", READ_DOCUMENT),
            ("bench-admin-attached", ADMIN_DOCUMENT),
            ("bench-admin-unattached", ADMIN_DOCUMENT),
            ("bench-admin-listed", ADMIN_LISTED),
        ):
            arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"][
                "Arn"
            ]
            policies[name] = arn
        iam.create_role(
            RoleName="bench-ops",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        iam.attach_role_policy(RoleName="bench-ops", PolicyArn=policies["bench-admin-attached"])
        for name in ("bench-admin-attached", "bench-admin-unattached", "bench-admin-listed"):
            self.account.bad("customer policy granting *:*", "AWS-IAM-013", GLOBAL, policies[name])
        iam.create_group(GroupName="bench-engineers")
        iam.attach_group_policy(GroupName="bench-engineers", PolicyArn=policies["bench-read"])
        faults: list[str] = []
        for what, count in (
            ("no-mfa", 8),
            ("mfa", 4),
            ("two-keys", 3),
            ("attached", 3),
            ("aws-managed", 1),
            ("inline", 2),
        ):
            faults += [what] * self.n(count)
        total = max(self.n(100), len(faults))
        faults += [""] * (total - len(faults))
        for i, fault in enumerate(faults):
            name = f"bench-user-{i:04d}"
            arn = iam.create_user(UserName=name)["User"]["Arn"]
            iam.add_user_to_group(GroupName="bench-engineers", UserName=name)
            if fault in ("no-mfa", "mfa"):
                iam.create_login_profile(UserName=name, Password="Bench-Passw0rd!")
            if fault == "no-mfa":
                self.account.bad("console user without MFA", "AWS-IAM-010", GLOBAL, arn)
            if fault == "mfa":
                device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
                iam.enable_mfa_device(
                    UserName=name,
                    SerialNumber=device["VirtualMFADevice"]["SerialNumber"],
                    AuthenticationCode1="123456",
                    AuthenticationCode2="654321",
                )
            if fault == "two-keys":
                iam.create_access_key(UserName=name)
                iam.create_access_key(UserName=name)
                self.account.bad("user with two active access keys", "AWS-IAM-015", GLOBAL, arn)
            elif i % 5 == 0:
                iam.create_access_key(UserName=name)
            if fault == "attached":
                iam.attach_user_policy(UserName=name, PolicyArn=policies["bench-read"])
                self.account.bad("policy attached to a user", "AWS-IAM-014", GLOBAL, arn)
            if fault == "aws-managed":
                iam.attach_user_policy(
                    UserName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
                )
                self.account.bad(
                    "AWS-managed policy attached to a user", "AWS-IAM-014", GLOBAL, arn
                )
            if fault == "inline":
                iam.put_user_policy(
                    UserName=name,
                    PolicyName="inline-read",
                    PolicyDocument=json.dumps(READ_DOCUMENT),
                )
                self.account.bad("inline policy on a user", "AWS-IAM-014", GLOBAL, arn)
        self.account.counts["IAM users"] = total

    def security_groups(self) -> None:
        """Groups open on 22, 3389 or everything to the internet; the rest on 443 only."""
        # (ingress permissions, the controls they break)
        ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
        rdp = {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389}
        anywhere4 = {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        anywhere6 = {"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
        kinds: list[tuple[list[dict[str, Any]], list[tuple[str, str]]]] = []
        kinds += [([{**ssh, **anywhere4}], [("SSH open to the internet", "AWS-EC2-001")])] * (
            self.n(4) - 1
        )
        kinds += [([{**ssh, **anywhere6}], [("SSH open to the internet", "AWS-EC2-001")])]
        kinds += [([{**rdp, **anywhere4}], [("RDP open to the internet", "AWS-EC2-002")])] * (
            self.n(3)
        )
        kinds += [
            (
                [{"IpProtocol": "-1", **anywhere4}],
                [
                    ("all traffic open to the internet", "AWS-EC2-003"),
                    ("SSH open to the internet", "AWS-EC2-001"),
                    ("RDP open to the internet", "AWS-EC2-002"),
                ],
            )
        ] * self.n(2)
        kinds += [
            (
                [{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1024, **anywhere4}],
                [("SSH open through a port range 0-1024", "AWS-EC2-001")],
            ),
            (
                [{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, **anywhere4}],
                [
                    ("all TCP ports open to the internet", "AWS-EC2-003"),
                    ("SSH open through all TCP ports", "AWS-EC2-001"),
                    ("RDP open through all TCP ports", "AWS-EC2-002"),
                ],
            ),
            (
                [{"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, **anywhere6}],
                [("all UDP ports open to the internet (IPv6)", "AWS-EC2-003")],
            ),
        ]
        good = [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **anywhere4},
            {**ssh, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        ]
        total = max(self.n(100), len(kinds))
        kinds += [(good, [])] * (total - len(kinds))
        for i, (permissions, broken) in enumerate(kinds):
            region = REGIONS[i % len(REGIONS)]
            ec2 = self.client("ec2", region)
            group = ec2.create_security_group(
                GroupName=f"bench-sg-{i:04d}", Description="bench", VpcId=self.vpcs[region]
            )["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
            for what, control in broken:
                self.account.bad(what, control, region, group)
        self.account.counts["security groups"] = total

    def default_vpcs(self) -> None:
        """Each region's default VPC, as AWS makes it, cleaned up in all but the last."""
        for index, region in enumerate(REGIONS):
            ec2 = self.client("ec2", region)
            vpc = self.vpcs[region]
            # Moto's default VPC has no internet gateway: without one, Prowler sees no
            # public subnet and so no exposed database (we judge the flag alone).
            gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
            [main] = ec2.describe_route_tables(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc]},
                    {"Name": "association.main", "Values": ["true"]},
                ]
            )["RouteTables"]
            ec2.create_route(
                RouteTableId=main["RouteTableId"],
                DestinationCidrBlock="0.0.0.0/0",
                GatewayId=gateway,
            )
            [default] = ec2.describe_security_groups(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc]},
                    {"Name": "group-name", "Values": ["default"]},
                ]
            )["SecurityGroups"]
            last = index == len(REGIONS) - 1
            if last:
                self.account.bad(
                    "default security group allows traffic",
                    "AWS-EC2-004",
                    region,
                    default["GroupId"],
                )
                self.account.bad("EBS encryption by default off", "AWS-EC2-005", region)
                self.account.bad("VPC without flow logs", "AWS-EC2-008", region, vpc)
            else:
                if default["IpPermissions"]:
                    ec2.revoke_security_group_ingress(
                        GroupId=default["GroupId"], IpPermissions=default["IpPermissions"]
                    )
                if default["IpPermissionsEgress"]:
                    ec2.revoke_security_group_egress(
                        GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"]
                    )
                ec2.enable_ebs_encryption_by_default()
                ec2.create_flow_logs(
                    ResourceIds=[vpc],
                    ResourceType="VPC",
                    TrafficType="ALL",
                    LogDestinationType="s3",
                    LogDestination=f"arn:aws:s3:::{self.log_buckets[region]}",
                )

    def machines(self) -> None:
        """EBS volumes and instances: one of each misconfigured in all regions but the last."""
        for index, region in enumerate(REGIONS):
            ec2 = self.client("ec2", region)
            last = index == len(REGIONS) - 1
            zone = f"{region}a"
            for v in range(self.n(3)):
                encrypted = not (v == 0 and not last)
                key = {"KmsKeyId": self.kms_keys[region]} if encrypted else {}
                volume = ec2.create_volume(
                    AvailabilityZone=zone, Size=8, Encrypted=encrypted, **key
                )
                if not encrypted:
                    self.account.bad(
                        "unencrypted EBS volume", "AWS-EC2-006", region, volume["VolumeId"]
                    )
            # Moto makes a customer key, never rotated, for a volume encrypted without one.
            root_volume = {"VolumeSize": 8, "Encrypted": True, "KmsKeyId": self.kms_keys[region]}
            for v in range(self.n(2)):
                tokens = "optional" if v == 0 and not last else "required"
                [instance] = ec2.run_instances(
                    ImageId="ami-12345678",
                    MinCount=1,
                    MaxCount=1,
                    InstanceType="t3.micro",
                    MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": "enabled"},
                    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": root_volume}],
                )["Instances"]
                if tokens == "optional":
                    self.account.bad(
                        "instance allowing IMDSv1", "AWS-EC2-007", region, instance["InstanceId"]
                    )
        self.account.counts["EBS volumes"] = self.n(3) * len(REGIONS)
        self.account.counts["EC2 instances"] = self.n(2) * len(REGIONS)

    def rds(self) -> None:
        """Database instances, each with at most one fault; public ones exposed on 5432."""
        faults = [f for f, (count, *_) in RDS_FAULTS.items() for _ in range(self.n(count))]
        total = max(self.n(20), len(faults))
        faults += [""] * (total - len(faults))
        public_groups: dict[str, str] = {}
        for region in REGIONS:
            ec2 = self.client("ec2", region)
            vpc = self.vpcs[region]
            subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
            self.client("rds", region).create_db_subnet_group(
                DBSubnetGroupName="bench-default",
                DBSubnetGroupDescription="bench",
                SubnetIds=subnets,
            )
            group = ec2.create_security_group(
                GroupName="bench-db-public", Description="bench", VpcId=vpc
            )["GroupId"]
            ec2.authorize_security_group_ingress(
                GroupId=group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            )
            public_groups[region] = group
        for i, fault in enumerate(faults):
            region = REGIONS[i % len(REGIONS)]
            name = f"bench-db-{i:04d}"
            params: dict[str, Any] = {
                "DBInstanceIdentifier": name,
                "Engine": "postgres",
                "DBInstanceClass": "db.t3.micro",
                "AllocatedStorage": 20,
                "MasterUsername": "bench",
                "MasterUserPassword": "bench-password-1",
                "StorageEncrypted": fault != "unencrypted",
                "PubliclyAccessible": fault == "public",
                "BackupRetentionPeriod": 0 if fault == "no-backups" else 7,
                "MultiAZ": fault != "single-az",
                "DeletionProtection": fault != "deletable",
                "DBSubnetGroupName": "bench-default",
            }
            if fault == "public":
                params["VpcSecurityGroupIds"] = [public_groups[region]]
            arn = self.client("rds", region).create_db_instance(**params)["DBInstance"][
                "DBInstanceArn"
            ]
            if fault:
                _, what, control = RDS_FAULTS[fault]
                self.account.bad(what, control, region, arn)
        self.account.counts["RDS instances"] = total
        self.account.counts["security groups"] += len(REGIONS)

    def regional_services(self) -> None:
        """GuardDuty and Config on in every region but the last."""
        for region in REGIONS[:-1]:
            self.client("guardduty", region).create_detector(Enable=True)
            config = self.client("config", region)
            config.put_configuration_recorder(
                ConfigurationRecorder={
                    "name": "default",
                    "roleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/bench-config",
                    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
                }
            )
            config.put_delivery_channel(
                DeliveryChannel={"name": "default", "s3BucketName": self.log_buckets[region]}
            )
            config.start_configuration_recorder(ConfigurationRecorderName="default")
        self.account.bad("GuardDuty off", "AWS-GD-001", REGIONS[-1])
        self.account.bad("AWS Config not recording", "AWS-CFG-001", REGIONS[-1])

    def logs(self) -> None:
        """Log groups with a retention, but for the first few."""
        total = self.n(6)
        for i in range(total):
            region = REGIONS[i % len(REGIONS)]
            logs = self.client("logs", region)
            name = f"/bench/app-{i:04d}"
            logs.create_log_group(logGroupName=name)
            if i < self.n(2):
                self.account.bad("log group kept forever", "AWS-LOGS-001", region, f":{name}")
            else:
                logs.put_retention_policy(logGroupName=name, retentionInDays=400)
        self.account.counts["log groups"] = total


# -- findings of both tools --------------------------------------------------------


@dataclass(frozen=True)
class Failed:
    """A FAIL of one tool: its rule (our control or a Prowler check), region, resource."""

    rule: str
    region: str
    text: str  # resource id, name and message: what a seeded token is looked for in


def matches(item: Seeded, failed: Failed) -> bool:
    """Whether a FAIL is about the seeded item (its region, and its resource if named)."""
    if item.region != GLOBAL and failed.region != item.region:
        return False
    return item.token is None or item.token in failed.text


def found(item: Seeded, fails: list[Failed], rules: list[str]) -> bool:
    """Whether one of `rules` failed on the seeded item."""
    return any(f.rule in rules and matches(item, f) for f in fails)


# -- Sealtrail -----------------------------------------------------------------------


@dataclass
class SealtrailRun:
    """One Sealtrail run: its times and what it found."""

    seconds: float
    cli_seconds: float
    engine_seconds: float  # collect + evaluate alone, no database
    load: Load  # of the moto server during the worker's scan
    fails: list[Failed]
    errors: list[str]
    evaluations: int


def sealtrail_scan(moto: MotoServer, work: Path) -> SealtrailRun:
    """The product path in a fresh data directory, then the CLI on the same one."""
    data_dir = work / "sealtrail"
    shutil.rmtree(data_dir, ignore_errors=True)
    # Moto listens on loopback, which accounts may reach only when the operator allows it.
    runtime = Runtime.build(
        Settings(data_dir=data_dir, log_level="warning", endpoint_allowlist="127.0.0.1")
    )
    runtime.migrate()
    with runtime.factory() as session, session.begin():
        identity.create_tenant(session, TENANT)
        tenant = identity.get_tenant(session, TENANT)
        admin = identity.create_api_key(session, tenant, "bench", [Scope.admin]).key
    auth = {"Authorization": f"Bearer {admin}"}
    base = "/api/v1/compliance"
    with TestClient(create_app(runtime)) as client:
        account = {
            "name": ACCOUNT,
            "account_id": ACCOUNT_ID,
            "regions": list(REGIONS),
            "access_keys": {"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY},
            "endpoint_url": moto.url,
        }
        r = client.post(f"{base}/accounts", json=account, headers=auth)
        r.raise_for_status()
        before, started = moto.load(), time.perf_counter()
        r = client.post(f"{base}/scans", json={"account": ACCOUNT}, headers=auth)
        r.raise_for_status()
        ran = runtime.scan_worker().run_once(r.json()["id"])
        seconds, load = time.perf_counter() - started, moto.load() - before
        scan = client.get(f"{base}/scans/{r.json()['id']}", headers=auth).json()
        if ran != 1 or scan["status"] != "succeeded":
            raise RuntimeError(f"the Sealtrail scan did not succeed: {scan}")
        findings = client.get(f"{base}/findings/export", headers=auth).json()
    runtime.close()
    fails = [
        Failed(f["control_id"], f["region"], f"{f['resource_id']} {f['details']}")
        for f in findings
        if f["result"] == "FAIL"
    ]
    errors = sorted(
        {
            f"{f['control_id']} {f['region']}: {f['details']}"
            for f in findings
            if f["result"] == "ERROR"
        }
    )
    started = time.perf_counter()
    cli = subprocess.run(
        [
            str(BIN / "sealtrail"),
            "scan",
            "aws",
            "--account",
            ACCOUNT,
            "--tenant",
            TENANT,
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        env={
            **clean_environment(),
            "SEALTRAIL_LOG_LEVEL": "warning",
            "SEALTRAIL_ENDPOINT_ALLOWLIST": "127.0.0.1",
        },
        check=False,
    )
    cli_seconds = time.perf_counter() - started
    if cli.returncode != 0:
        raise RuntimeError(
            f"sealtrail scan aws failed ({cli.returncode}):\n{cli.stdout}{cli.stderr}"
        )
    keys = AwsCredentials(ACCESS_KEY, SECRET_KEY)
    spec = AccountSpec("aws", ACCOUNT_ID, REGIONS, keys, moto.url)
    started = time.perf_counter()
    evaluate(load_library(), collect(spec))
    engine_seconds = time.perf_counter() - started
    return SealtrailRun(seconds, cli_seconds, engine_seconds, load, fails, errors, len(findings))


def clean_environment() -> dict[str, str]:
    """This environment without AWS or Sealtrail settings: nothing reaches a real account."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SEALTRAIL_", "MOTO_"))
    }


# -- Prowler -------------------------------------------------------------------------


@dataclass
class ProwlerRun:
    """One Prowler run: its times, its findings per check, the errors it logged."""

    seconds: float
    scan_seconds: float | None  # Prowler's own "Scan completed ... in N s" (checks only)
    load: Load
    fails: list[Failed]
    results: Counter[tuple[str, str]]  # (check, status) -> findings
    errors: list[str]
    returncode: int


PROGRESS = re.compile(r"\|\s*\d+/\d+ \[100%\] in ([\d.]+)s")
# One record of Prowler's JSON log; a message may run over several lines (HTML bodies).
LOG_RECORD = re.compile(r'^\{"timestamp": .*?"filename": "([^"]+)".*?"message": "(.*)$', re.M)


def prowler_scan(prowler: Path, moto: MotoServer, work: Path) -> ProwlerRun:
    """`prowler aws` on the matching checks against the moto server, its output parsed."""
    out = work / "prowler"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    config = out / "config.yaml"
    config.write_text(json.dumps(PROWLER_CONFIG))  # JSON is YAML
    checks = sorted({c for cs in PROWLER_CHECKS.values() for c in cs})
    env = {
        **clean_environment(),
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGIONS[0],
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    command = [
        str(prowler),
        "aws",
        "--checks",
        *checks,
        "--region",
        *REGIONS,
        "--scan-unused-services",
        "--config-file",
        str(config),
        # Moto answers at once or not at all: retries would only add back-off on the calls
        # it cannot serve (see the report), not change what is found. With Prowler's
        # default (3 attempts) a run took 36 s instead of 26 s here.
        "--aws-retries-max-attempts",
        "0",
        "--output-formats",
        "json-ocsf",
        "--output-directory",
        str(out),
        "--output-filename",
        "prowler",
        "--log-level",
        "ERROR",
        "--log-file",
        str(out / "prowler.log"),
        "--no-banner",
        "--no-color",
        "--ignore-exit-code-3",
    ]
    before, started = moto.load(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds, load = time.perf_counter() - started, moto.load() - before
    (out / "stdout.txt").write_text(done.stdout + done.stderr)
    report = out / "prowler.ocsf.json"
    if not report.exists():
        raise RuntimeError(
            f"Prowler wrote no report (exit {done.returncode}); see {out / 'stdout.txt'}"
        )
    findings = json.loads(report.read_text() or "[]")
    results: Counter[tuple[str, str]] = Counter()
    fails = []
    for f in findings:
        check = f["metadata"]["event_code"]
        results[(check, f["status_code"])] += 1
        if f["status_code"] == "FAIL":
            resource = (f.get("resources") or [{}])[0]
            text = (
                f"{resource.get('uid', '')} {resource.get('name', '')} {f.get('status_detail', '')}"
            )
            fails.append(Failed(check, f.get("cloud", {}).get("region", ""), text))
    progress = PROGRESS.findall(done.stdout + done.stderr)
    log = (out / "prowler.log").read_text() if (out / "prowler.log").exists() else ""
    errors = [f"{m.group(1)} {m.group(2)}" for m in LOG_RECORD.finditer(log)]
    return ProwlerRun(
        seconds,
        float(progress[-1]) if progress else None,
        load,
        fails,
        results,
        errors,
        done.returncode,
    )


# -- the moto server -----------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What the moto server did: requests served (its access log) and CPU seconds used."""

    requests: int
    cpu: float

    def __sub__(self, other: Load) -> Load:
        return Load(self.requests - other.requests, self.cpu - other.cpu)


class MotoServer:
    """`moto_server` in its own process, so that neither tool shares its interpreter."""

    def __init__(self, work: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = work / "moto.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> MotoServer:
        log = self.log.open("ab")
        env = {
            **clean_environment(),
            # Moto builds ~800 AMIs per EC2 region otherwise: slow, and neither tool needs them.
            "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
            # AWS-managed policies exist in every real account (and one is attached).
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
        }
        port = self.url.rsplit(":", 1)[1]
        self.proc = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", port],
            stdout=log,
            stderr=log,
            env=env,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}; see moto.log")
            try:
                httpx.get(f"{self.url}/moto-api/", timeout=1)
                return self
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def load(self) -> Load:
        """The server's load so far (Linux: its CPU time from /proc)."""
        assert self.proc is not None
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(stat[11]) + int(stat[12])  # utime, stime (fields 14 and 15)
        return Load(self.log.read_bytes().count(b" HTTP/1.1"), ticks / os.sysconf("SC_CLK_TCK"))


# -- the report ----------------------------------------------------------------------


def print_table(
    seeded: list[Seeded], ours: list[Failed], theirs: list[Failed] | None
) -> list[Seeded]:
    """Each kind of seeded misconfiguration, found by whom; returns what only Prowler found."""
    kinds: dict[tuple[str, str], list[Seeded]] = defaultdict(list)
    for item in seeded:
        kinds[(item.what, item.control)].append(item)
    print(f"  {'seeded misconfiguration':<46} {'control':<12} {'Sealtrail':>9}  Prowler")
    only_prowler: list[Seeded] = []
    not_both: list[str] = []
    totals = Counter[str]()
    for (what, control), items in kinds.items():
        checks = PROWLER_CHECKS[control]
        by_us = [i for i in items if found(i, ours, [control])]
        by_them = [i for i in items if theirs is not None and found(i, theirs, checks)]
        totals.update(seeded=len(items), us=len(by_us), them=len(by_them))
        column = f"{len(by_them)}/{len(items)}" if checks else "n/a"
        if theirs is None:
            column = "-"
        print(f"  {what:<46} {control:<12} {len(by_us):>4}/{len(items):<4}  {column}")
        only_prowler += [i for i in by_them if i not in by_us]
        for i in items:
            if i not in by_us or (theirs is not None and checks and i not in by_them):
                not_both.append(
                    f"    {control} {i.region} {i.token or '(account/region)'}: "
                    f"Sealtrail {'yes' if i in by_us else 'NO'}, "
                    f"Prowler {'yes' if i in by_them else 'NO' if theirs is not None else '-'}"
                )
    them = f"{totals['them']}/{totals['seeded']}" if theirs is not None else "-"
    print(f"  {'total':<46} {'':<12} {totals['us']:>4}/{totals['seeded']:<4}  {them}")
    if not_both:
        print("  not found by both:")
        print("\n".join(not_both))
    return only_prowler


def print_extra(seeded: list[Seeded], ours: list[Failed], theirs: list[Failed] | None) -> None:
    """FAILs that match no seeded item: moto's defaults, or a rule judging differently."""
    lines = []
    for control, checks in sorted(PROWLER_CHECKS.items()):
        mine = [i for i in seeded if i.control == control]
        extra_us = [f for f in ours if f.rule == control and not any(matches(i, f) for i in mine)]
        extra_them = [
            f
            for f in theirs or []
            if f.rule in checks
            # A check mapped to several controls is judged against all of their items.
            and not any(matches(i, f) for i in seeded if f.rule in PROWLER_CHECKS[i.control])
        ]
        if extra_us or extra_them:
            sample = (extra_us + extra_them)[0].text[:100]
            lines.append(
                f"  {control:<12} Sealtrail {len(extra_us):>3}  Prowler {len(extra_them):>3}"
                f"   e.g. {sample}"
            )
    print("FAILs beyond the seeded list:" + ("" if lines else " none"))
    print("\n".join(lines)) if lines else None


def print_prowler_coverage(prowler: Path, run: ProwlerRun) -> None:
    """What each mapped check said; a check with no finding could not judge anything."""
    print("Prowler, findings per check (none: it judged nothing on this account):")
    for control, checks in sorted(PROWLER_CHECKS.items()):
        for check in checks or ["(no matching check)"]:
            statuses = {s: n for (c, s), n in run.results.items() if c == check}
            state = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "none"
            print(f"  {control:<12} {check:<62} {state}")
    kinds = Counter(error_kind(prowler, e) for e in run.errors)
    print(f"Prowler logged {len(run.errors)} errors, {len(kinds)} kinds (Prowler file:line):")
    for kind, n in kinds.most_common():
        print(f"  {n:>4} x {kind}")


def error_kind(prowler: Path, record: str) -> str:
    """One line per kind of error (not per region, bucket or user), with Prowler's method."""
    where, _, message = record.partition(" ")
    error = re.search(r"\b(\w+(?:Error|Exception))\b", message)
    call = re.search(
        r"calling the (\w+) operation|/v20180820/([\w/]+)|KeyError:\d+ -- (.+?)\"", message
    )
    kind = f"{where} {prowler_method(prowler, where)}: {error.group(1) if error else message[:80]}"
    if call:
        kind += " " + next(g for g in call.groups() if g)
    if "invalid XML" in message:
        kind += " (moto answered an HTML error page)"
    return kind


@cache
def prowler_method(prowler: Path, where: str) -> str:
    """The method of Prowler's source around `file.py:line` (its log names no operation)."""
    name, _, line = where.partition(":")
    venv = prowler.resolve().parent.parent
    for source in venv.glob(f"lib/python*/site-packages/prowler/providers/aws/services/*/{name}"):
        lines = source.read_text().splitlines()[: int(line)]
        for text in reversed(lines):
            if text.lstrip().startswith("def "):
                return text.strip()[4:].split("(")[0]
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the seed sizes")
    parser.add_argument("--skip-prowler", action="store_true")
    parser.add_argument("--prowler", type=Path, default=PROWLER, help="the prowler executable")
    args = parser.parse_args()
    configure_logging("warning", "console")
    if not args.skip_prowler and not args.prowler.exists():
        sys.exit(f"{args.prowler} not found: `make bench` installs Prowler, or --skip-prowler")
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scan-", dir=RESULTS) as tmp:
        work = Path(tmp)
        with MotoServer(work) as moto:
            started = time.perf_counter()
            account = Seeder(moto.url, args.scale).seed()
            print(
                f"seeded moto at {moto.url} in {time.perf_counter() - started:.1f} s: "
                + ", ".join(f"{n} {kind}" for kind, n in account.counts.items())
                + f" in {len(REGIONS)} regions; {len(account.seeded)} misconfigurations",
                flush=True,
            )
            ours: list[SealtrailRun] = []
            theirs: list[ProwlerRun] = []
            for run in range(1, args.runs + 1):
                ours.append(sealtrail_scan(moto, work))
                line = (
                    f"[run {run}] Sealtrail {ours[-1].seconds:.2f} s "
                    f"(CLI, new process: {ours[-1].cli_seconds:.2f} s)"
                )
                if not args.skip_prowler:
                    theirs.append(prowler_scan(args.prowler, moto, work))
                    line += f", Prowler {theirs[-1].seconds:.2f} s"
                print(line, flush=True)
            if theirs:
                kept = RESULTS / "scan-prowler-last"
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(work / "prowler", kept)
    report(args, account, ours, theirs)


def report(
    args: argparse.Namespace,
    account: Account,
    ours: list[SealtrailRun],
    theirs: list[ProwlerRun],
) -> None:
    """The medians with their ratio to Prowler's run, then who found what."""
    last = ours[-1]
    print(
        f"== one moto account, {len(REGIONS)} regions, scale {args.scale:g}, "
        f"median of {args.runs} run(s)"
    )
    worker = median([r.seconds for r in ours])
    figures = [
        (f"Sealtrail, POST scan + worker ({len(PROWLER_CHECKS)} controls)", worker),
        ("Sealtrail, `sealtrail scan aws` in a new process", median([r.cli_seconds for r in ours])),
        (
            "Sealtrail, collect + evaluate alone (no database)",
            median([r.engine_seconds for r in ours]),
        ),
    ]
    baseline = median([r.seconds for r in theirs]) if theirs else None
    if baseline is not None:
        checks = len({c for cs in PROWLER_CHECKS.values() for c in cs})
        print(f"  {f'Prowler, {checks} checks, whole run (baseline)':<52} {baseline:7.2f} s")
    for label, seconds in figures:
        ratio = f"  x{baseline / seconds:4.1f} faster than Prowler" if baseline else ""
        print(f"  {label:<52} {seconds:7.2f} s{ratio}")
    phases = [r.scan_seconds for r in theirs if r.scan_seconds is not None]
    if phases:
        phase = median(phases)
        print(
            f"  {'Prowler, its checks phase alone (its progress bar)':<52} {phase:7.2f} s"
            f"  (the worker is x{phase / worker:.1f} faster than this part alone)"
        )
    load = ours[-1].load
    print(
        f"  moto served the worker's scan {load.requests} requests, {load.cpu:.1f} CPU s"
        + (
            f"; Prowler's run {theirs[-1].load.requests} requests, {theirs[-1].load.cpu:.1f} CPU s"
            if theirs
            else ""
        )
    )
    print(f"Seeded misconfigurations found (last run, {last.evaluations} Sealtrail results):")
    only_prowler = print_table(account.seeded, last.fails, theirs[-1].fails if theirs else None)
    print_extra(account.seeded, last.fails, theirs[-1].fails if theirs else None)
    print(f"Sealtrail could not evaluate: {len(last.errors) or 'nothing'}")
    for error in last.errors:
        print(f"  {error[:160]}")
    if theirs:
        if theirs[-1].returncode:
            print(f"Prowler exited with {theirs[-1].returncode}")
        print_prowler_coverage(args.prowler, theirs[-1])
        if only_prowler:
            print("SEEDED, FOUND BY PROWLER AND MISSED BY SEALTRAIL:")
            for item in only_prowler:
                print(f"  {item.control} {item.what}: {item.region} {item.token or ''}")
        else:
            print("Nothing seeded that Prowler finds is missed by Sealtrail.")


if __name__ == "__main__":
    main()
