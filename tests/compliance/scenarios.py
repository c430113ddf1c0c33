"""For every control in docs/design/compliance-controls.md, a moto state where it passes
and one where it fails.

`SCENARIOS[control_id]` holds two seed functions. Each takes a `Seed` (admin clients on
a moto account, in one region), creates named resources (`s3-005-pass`,
`s3-005-fail` ...) and returns the ARN of the resource the control judges. The two
seeds of a control may share a fresh account (one `mock_aws()`), except where
`own_account` is set: those controls judge a singleton (the password policy, the EBS
default of a region, the CloudTrail account, a default security group) whose pass and
fail states cannot live side by side. Seeds of different controls may clash (several
judge the same singleton): give each control its own account.

Moto has no API for a few states (root MFA, root access keys, credentials that are
months old). Those seeds set moto's backend directly, which only works in-process;
`Scenario.backend_only` names the side that does, with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto.iam.models import iam_backends

STRONG_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "PasswordReusePrevention": 24,
    "MaxPasswordAge": 90,
}
MONTHS_AGO = timedelta(days=120)
INTERNET = "0.0.0.0/0"
MOTO_AMI = "ami-12c6146b"  # among moto's default images; moto checks no image id by default


@dataclass(frozen=True)
class Seed:
    """Admin access to a fresh moto account, in `region`."""

    session: boto3.Session
    region: str = "eu-west-1"
    account_id: str = "123456789012"
    endpoint_url: str | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        """An admin client of `service` (in the seed's region by default)."""
        return self.session.client(  # type: ignore[call-overload]
            service, region_name=region or self.region, endpoint_url=self.endpoint_url
        )

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        """An ARN in this account and region ("" for global services)."""
        where = self.region if region is None else region
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"


SeedFn = Callable[[Seed], str]


@dataclass(frozen=True)
class Scenario:
    """A control, the type it judges, and a seed where it passes and one where it fails."""

    control_id: str
    resource_type: str
    passing: SeedFn
    failing: SeedFn
    own_account: bool = False  # True: the pass and fail seeds cannot share an account
    backend_only: dict[str, str] = field(default_factory=dict)  # "pass"/"fail" -> why


# --- IAM -------------------------------------------------------------------------------


def _iam_backend(seed: Seed) -> Any:
    # In-process only: moto keeps IAM per account and partition.
    return iam_backends[seed.account_id]["aws"]


def _root(seed: Seed) -> str:
    return f"arn:aws:iam::{seed.account_id}:root"


def _user(seed: Seed, name: str) -> str:
    return f"arn:aws:iam::{seed.account_id}:user/{name}"


def root_mfa_enabled(seed: Seed) -> str:
    """Root MFA on: moto has no API for it (AccountMFAEnabled is fixed at 0)."""
    _iam_backend(seed).account_summary._account_mfa_enabled = 1
    return _root(seed)


def root_mfa_missing(seed: Seed) -> str:
    """Moto's root account has no MFA."""
    return _root(seed)


def root_without_keys(seed: Seed) -> str:
    """Moto's root account has no access keys."""
    return _root(seed)


def root_with_keys(seed: Seed) -> str:
    """Root access keys present: moto has no API for them (fixed at 0)."""
    _iam_backend(seed).account_summary._account_access_keys_present = 1
    return _root(seed)


def _password_policy(**overrides: Any) -> SeedFn:
    def seed_policy(seed: Seed) -> str:
        policy = {k: v for k, v in {**STRONG_PASSWORD_POLICY, **overrides}.items() if v is not None}
        seed.client("iam").update_account_password_policy(**policy)
        return _root(seed)

    return seed_policy


def _console_user(seed: Seed, name: str) -> Any:
    iam = seed.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
    return iam


def console_user_with_mfa(seed: Seed) -> str:
    """A console user with a virtual MFA device."""
    iam = _console_user(seed, "iam-010-pass")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="iam-010-pass")
    iam.enable_mfa_device(
        UserName="iam-010-pass",
        SerialNumber=device["VirtualMFADevice"]["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    return _user(seed, "iam-010-pass")


def console_user_without_mfa(seed: Seed) -> str:
    """A console user without MFA."""
    _console_user(seed, "iam-010-fail")
    return _user(seed, "iam-010-fail")


def _user_with_keys(seed: Seed, name: str, count: int = 1) -> list[str]:
    iam = seed.client("iam")
    iam.create_user(UserName=name)
    return [iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"] for _ in range(count)]


def _age_keys(seed: Seed, name: str, by: timedelta) -> None:
    # Moto stamps keys with "now" and has no API to back-date them.
    for key in _iam_backend(seed).users[name].access_keys:
        key.create_date = datetime.now(UTC) - by


def credentials_in_use(seed: Seed) -> str:
    """A user without a console password whose only key was used just now."""
    iam = seed.client("iam")
    iam.create_user(UserName="iam-011-pass")
    key = iam.create_access_key(UserName="iam-011-pass")["AccessKey"]
    # A signed call with the key makes moto record its last use (in-process and server).
    boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=seed.region,
    ).client("sts", endpoint_url=seed.endpoint_url).get_caller_identity()
    return _user(seed, "iam-011-pass")


def credentials_unused(seed: Seed) -> str:
    """A password last used 200 days ago and an active key made 120 days ago, never used."""
    _console_user(seed, "iam-011-fail")
    seed.client("iam").create_access_key(UserName="iam-011-fail")
    user = _iam_backend(seed).users["iam-011-fail"]
    user.password_last_used = datetime.now(UTC) - timedelta(days=200)
    _age_keys(seed, "iam-011-fail", MONTHS_AGO)
    return _user(seed, "iam-011-fail")


def fresh_access_key(seed: Seed) -> str:
    """An active key created now."""
    _user_with_keys(seed, "iam-012-pass")
    return _user(seed, "iam-012-pass")


def stale_access_key(seed: Seed) -> str:
    """An active key created 120 days ago."""
    _user_with_keys(seed, "iam-012-fail")
    _age_keys(seed, "iam-012-fail", MONTHS_AGO)
    return _user(seed, "iam-012-fail")


def _policy(seed: Seed, name: str, statement: dict[str, Any]) -> str:
    document = {"Version": "2012-10-17", "Statement": [statement]}
    created = seed.client("iam").create_policy(PolicyName=name, PolicyDocument=json.dumps(document))
    return str(created["Policy"]["Arn"])


READ_REPORTS = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}


def scoped_policy(seed: Seed) -> str:
    """A customer-managed policy that reads one bucket."""
    return _policy(seed, "iam-013-pass", READ_REPORTS)


def admin_policy(seed: Seed) -> str:
    """A customer-managed policy granting "*" on "*"."""
    return _policy(seed, "iam-013-fail", {"Effect": "Allow", "Action": "*", "Resource": "*"})


def permissions_through_group(seed: Seed) -> str:
    """A user whose only permissions come from a group."""
    iam = seed.client("iam")
    iam.create_user(UserName="iam-014-pass")
    iam.create_group(GroupName="iam-014-readers")
    iam.attach_group_policy(
        GroupName="iam-014-readers", PolicyArn=_policy(seed, "iam-014-pass-reports", READ_REPORTS)
    )
    iam.add_user_to_group(GroupName="iam-014-readers", UserName="iam-014-pass")
    return _user(seed, "iam-014-pass")


def permissions_on_user(seed: Seed) -> str:
    """A user with a managed policy attached and an inline policy of its own."""
    iam = seed.client("iam")
    iam.create_user(UserName="iam-014-fail")
    iam.attach_user_policy(
        UserName="iam-014-fail", PolicyArn=_policy(seed, "iam-014-fail-reports", READ_REPORTS)
    )
    iam.put_user_policy(
        UserName="iam-014-fail",
        PolicyName="own",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
            }
        ),
    )
    return _user(seed, "iam-014-fail")


def one_active_key(seed: Seed) -> str:
    """One active key and one deactivated."""
    keys = _user_with_keys(seed, "iam-015-pass", count=2)
    seed.client("iam").update_access_key(
        UserName="iam-015-pass", AccessKeyId=keys[1], Status="Inactive"
    )
    return _user(seed, "iam-015-pass")


def two_active_keys(seed: Seed) -> str:
    """Two active keys."""
    _user_with_keys(seed, "iam-015-fail", count=2)
    return _user(seed, "iam-015-fail")


# --- S3 --------------------------------------------------------------------------------

ALL_BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def account_blocks_public_access(seed: Seed) -> str:
    """Account-level Block Public Access, all four settings on."""
    seed.client("s3control").put_public_access_block(
        AccountId=seed.account_id, PublicAccessBlockConfiguration=ALL_BLOCKED
    )
    return seed.arn("s3", "account", region="")


def account_blocks_some_public_access(seed: Seed) -> str:
    """Account-level Block Public Access with public policies allowed."""
    seed.client("s3control").put_public_access_block(
        AccountId=seed.account_id,
        PublicAccessBlockConfiguration={**ALL_BLOCKED, "BlockPublicPolicy": False},
    )
    return seed.arn("s3", "account", region="")


def _bucket(name: str, configure: Callable[[Any], None] | None = None) -> SeedFn:
    def seed_bucket(seed: Seed) -> str:
        s3 = seed.client("s3")
        location = (
            {}
            if seed.region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": seed.region}}
        )
        s3.create_bucket(Bucket=name, **location)
        if configure is not None:
            configure(s3)
        return f"arn:aws:s3:::{name}"

    return seed_bucket


def _block(name: str, settings: dict[str, bool]) -> Callable[[Any], None]:
    return lambda s3: s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=settings
    )


def _acl(name: str, acl: str) -> Callable[[Any], None]:
    return lambda s3: s3.put_bucket_acl(Bucket=name, ACL=acl)


def _bucket_policy(name: str, *statements: dict[str, Any]) -> Callable[[Any], None]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return lambda s3: s3.put_bucket_policy(Bucket=name, Policy=json.dumps(document))


def _read_by(name: str, principal: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }


def _deny_plain_http(name: str) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _encrypt(name: str) -> Callable[[Any], None]:
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
    return lambda s3: s3.put_bucket_encryption(
        Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]}
    )


def _without_encryption(name: str) -> Callable[[Any], None]:
    # Real S3 encrypts new buckets with SSE-S3; moto 5.2 does not, but be explicit.
    return lambda s3: s3.delete_bucket_encryption(Bucket=name)


def _versioning(name: str, status: str) -> Callable[[Any], None]:
    return lambda s3: s3.put_bucket_versioning(
        Bucket=name, VersioningConfiguration={"Status": status}
    )


def _log_to(name: str, target: str) -> Callable[[Any], None]:
    def configure(s3: Any) -> None:
        location = s3.get_bucket_location(Bucket=name)["LocationConstraint"]
        extra = {"CreateBucketConfiguration": {"LocationConstraint": location}} if location else {}
        s3.create_bucket(Bucket=target, **extra)
        s3.put_bucket_acl(Bucket=target, ACL="log-delivery-write")
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "s3/"}},
        )

    return configure


# --- EC2 -------------------------------------------------------------------------------


def _group(seed: Seed, name: str, *permissions: dict[str, Any]) -> str:
    ec2 = seed.client("ec2")
    group_id = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(permissions))
    return seed.arn("ec2", f"security-group/{group_id}")


def _tcp(port: int, cidr: str = INTERNET, *, ipv6: bool = False) -> dict[str, Any]:
    ranges = {"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ipv6 else {"IpRanges": [{"CidrIp": cidr}]}
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}


def _ingress_group(name: str, *permissions: dict[str, Any]) -> SeedFn:
    return lambda seed: _group(seed, name, *permissions)


def _default_group(seed: Seed) -> tuple[Any, str]:
    ec2 = seed.client("ec2")
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"
    ]
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )
    return ec2, groups["SecurityGroups"][0]["GroupId"]


def default_group_closed(seed: Seed) -> str:
    """The default VPC's default group with every rule revoked."""
    ec2, group_id = _default_group(seed)
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(
            GroupId=group_id, IpPermissions=group["IpPermissionsEgress"]
        )
    return seed.arn("ec2", f"security-group/{group_id}")


def default_group_open(seed: Seed) -> str:
    """The default group as AWS makes it: all traffic from itself, all traffic out."""
    ec2, group_id = _default_group(seed)
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    if not group["IpPermissions"]:  # moto leaves out AWS's self-referencing rule
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}],
        )
    return seed.arn("ec2", f"security-group/{group_id}")


def _ebs_default(enabled: bool) -> SeedFn:
    def seed_default(seed: Seed) -> str:
        if enabled:
            seed.client("ec2").enable_ebs_encryption_by_default()
        return seed.arn("ec2", "account")

    return seed_default


def _volume(name: str, *, encrypted: bool) -> SeedFn:
    def seed_volume(seed: Seed) -> str:
        volume = seed.client("ec2").create_volume(
            AvailabilityZone=f"{seed.region}a",
            Size=8,
            Encrypted=encrypted,
            TagSpecifications=[
                {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )
        return seed.arn("ec2", f"volume/{volume['VolumeId']}")

    return seed_volume


def _instance(name: str, *, http_tokens: str) -> SeedFn:
    def seed_instance(seed: Seed) -> str:
        ec2 = seed.client("ec2")
        instance = ec2.run_instances(
            ImageId=MOTO_AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            MetadataOptions={"HttpTokens": http_tokens, "HttpEndpoint": "enabled"},
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )["Instances"][0]
        return seed.arn("ec2", f"instance/{instance['InstanceId']}")

    return seed_instance


def _vpc(name: str, *, flow_logs: bool) -> SeedFn:
    def seed_vpc(seed: Seed) -> str:
        ec2 = seed.client("ec2")
        vpc_id = ec2.create_vpc(
            CidrBlock="10.20.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}],
        )["Vpc"]["VpcId"]
        if flow_logs:
            _bucket(f"{name}-flow-logs")(seed)
            ec2.create_flow_logs(
                ResourceIds=[vpc_id],
                ResourceType="VPC",
                TrafficType="ALL",
                LogDestinationType="s3",
                LogDestination=f"arn:aws:s3:::{name}-flow-logs",
            )
        return seed.arn("ec2", f"vpc/{vpc_id}")

    return seed_vpc


# --- RDS, KMS --------------------------------------------------------------------------

COMPLIANT_DB: dict[str, Any] = {
    "StorageEncrypted": True,
    "PubliclyAccessible": False,
    "BackupRetentionPeriod": 7,
    "MultiAZ": True,
    "DeletionProtection": True,
}


def _db(name: str, **overrides: Any) -> SeedFn:
    def seed_db(seed: Seed) -> str:
        created = seed.client("rds").create_db_instance(
            DBInstanceIdentifier=name,
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="sealtrail",
            MasterUserPassword="not-a-real-secret-1",
            **{**COMPLIANT_DB, **overrides},
        )
        return str(created["DBInstance"]["DBInstanceArn"])

    return seed_db


def _key(*, rotation: bool) -> SeedFn:
    def seed_key(seed: Seed) -> str:
        kms = seed.client("kms")
        key = kms.create_key(Description="kms-001-pass" if rotation else "kms-001-fail")
        if rotation:
            kms.enable_key_rotation(KeyId=key["KeyMetadata"]["KeyId"])
        return str(key["KeyMetadata"]["Arn"])

    return seed_key


# --- CloudTrail, GuardDuty, Config, Logs -----------------------------------------------


def _trail(seed: Seed, name: str, *, logging: bool = True, **settings: Any) -> None:
    bucket = f"{name}-trail-logs"
    _bucket(bucket)(seed)
    cloudtrail = seed.client("cloudtrail")
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, **settings)
    if logging:
        cloudtrail.start_logging(Name=name)


def _trails(*trails: tuple[str, dict[str, Any]]) -> SeedFn:
    def seed_trails(seed: Seed) -> str:
        for name, trail_settings in trails:
            settings = dict(trail_settings)
            if settings.pop("kms", False):
                settings["KmsKeyId"] = seed.client("kms").create_key()["KeyMetadata"]["Arn"]
            _trail(seed, name, **settings)
        return seed.arn("cloudtrail", "account", region="")

    return seed_trails


def _detector(enable: bool | None) -> SeedFn:
    def seed_detector(seed: Seed) -> str:
        if enable is not None:
            seed.client("guardduty").create_detector(Enable=enable)
        return seed.arn("guardduty", "account")

    return seed_detector


def _recorder(*, started: bool) -> SeedFn:
    def seed_recorder(seed: Seed) -> str:
        config = seed.client("config")
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{seed.account_id}:role/config-recorder",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
            }
        )
        if started:
            _bucket("cfg-001-delivery")(seed)
            config.put_delivery_channel(
                DeliveryChannel={"name": "default", "s3BucketName": "cfg-001-delivery"}
            )
            config.start_configuration_recorder(ConfigurationRecorderName="default")
        return seed.arn("config", "account")

    return seed_recorder


def _log_group(name: str, retention: int | None) -> SeedFn:
    def seed_log_group(seed: Seed) -> str:
        logs = seed.client("logs")
        logs.create_log_group(logGroupName=name)
        if retention is not None:
            logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
        return seed.arn("logs", f"log-group:{name}")

    return seed_log_group


def _scenarios() -> list[Scenario]:
    iam_account, user, bucket = "aws.iam.account", "aws.iam.user", "aws.s3.bucket"
    group, trails = "aws.ec2.security_group", "aws.cloudtrail.account"
    weak = {  # the one setting each password-policy control fails on
        "AWS-IAM-003": {"MinimumPasswordLength": 13},
        "AWS-IAM-004": {"RequireSymbols": False},
        "AWS-IAM-005": {"RequireNumbers": False},
        "AWS-IAM-006": {"RequireUppercaseCharacters": False},
        "AWS-IAM-007": {"RequireLowercaseCharacters": False},
        "AWS-IAM-008": {"PasswordReusePrevention": 5},
        "AWS-IAM-009": {"MaxPasswordAge": None},
    }
    no_api = "moto has no API for this state; set in its backend (in-process only)"
    old = "moto cannot back-date credentials; dates set in its backend (in-process only)"
    return [
        Scenario(
            "AWS-IAM-001",
            iam_account,
            root_mfa_enabled,
            root_mfa_missing,
            backend_only={"pass": no_api},
        ),
        Scenario(
            "AWS-IAM-002",
            iam_account,
            root_without_keys,
            root_with_keys,
            backend_only={"fail": no_api},
        ),
        *(
            Scenario(cid, iam_account, _password_policy(), _password_policy(**change))
            for cid, change in weak.items()
        ),
        Scenario("AWS-IAM-010", user, console_user_with_mfa, console_user_without_mfa),
        Scenario(
            "AWS-IAM-011",
            user,
            credentials_in_use,
            credentials_unused,
            backend_only={"fail": old},
        ),
        Scenario(
            "AWS-IAM-012", user, fresh_access_key, stale_access_key, backend_only={"fail": old}
        ),
        Scenario("AWS-IAM-013", "aws.iam.policy", scoped_policy, admin_policy),
        Scenario("AWS-IAM-014", user, permissions_through_group, permissions_on_user),
        Scenario("AWS-IAM-015", user, one_active_key, two_active_keys),
        Scenario(
            "AWS-S3-001",
            "aws.s3.account",
            account_blocks_public_access,
            account_blocks_some_public_access,
        ),
        Scenario(
            "AWS-S3-002",
            bucket,
            _bucket("s3-002-pass", _block("s3-002-pass", ALL_BLOCKED)),
            _bucket(
                "s3-002-fail",
                _block("s3-002-fail", {**ALL_BLOCKED, "RestrictPublicBuckets": False}),
            ),
        ),
        Scenario(
            "AWS-S3-003",
            bucket,
            _bucket("s3-003-pass", _acl("s3-003-pass", "private")),
            _bucket("s3-003-fail", _acl("s3-003-fail", "public-read")),
        ),
        Scenario(
            "AWS-S3-004",
            bucket,
            _bucket(
                "s3-004-pass",
                _bucket_policy("s3-004-pass", _read_by("s3-004-pass", {"AWS": "111122223333"})),
            ),
            _bucket("s3-004-fail", _bucket_policy("s3-004-fail", _read_by("s3-004-fail", "*"))),
        ),
        Scenario(
            "AWS-S3-005",
            bucket,
            _bucket("s3-005-pass", _encrypt("s3-005-pass")),
            _bucket("s3-005-fail", _without_encryption("s3-005-fail")),
        ),
        Scenario(
            "AWS-S3-006",
            bucket,
            _bucket("s3-006-pass", _versioning("s3-006-pass", "Enabled")),
            _bucket("s3-006-fail", _versioning("s3-006-fail", "Suspended")),
        ),
        Scenario(
            "AWS-S3-007",
            bucket,
            _bucket("s3-007-pass", _log_to("s3-007-pass", "s3-007-pass-logs")),
            _bucket("s3-007-fail"),
        ),
        Scenario(
            "AWS-S3-008",
            bucket,
            _bucket("s3-008-pass", _bucket_policy("s3-008-pass", _deny_plain_http("s3-008-pass"))),
            _bucket(
                "s3-008-fail",
                _bucket_policy("s3-008-fail", _read_by("s3-008-fail", {"AWS": "111122223333"})),
            ),
        ),
        Scenario(
            "AWS-EC2-001",
            group,
            _ingress_group("ec2-001-pass", _tcp(22, "10.0.0.0/8")),
            _ingress_group("ec2-001-fail", _tcp(22)),
        ),
        Scenario(
            "AWS-EC2-002",
            group,
            _ingress_group("ec2-002-pass", _tcp(3389, "192.168.0.0/16")),
            _ingress_group("ec2-002-fail", _tcp(3389, "::/0", ipv6=True)),
        ),
        Scenario(
            "AWS-EC2-003",
            group,
            _ingress_group("ec2-003-pass", _tcp(443)),
            _ingress_group(
                "ec2-003-fail", {"IpProtocol": "-1", "IpRanges": [{"CidrIp": INTERNET}]}
            ),
        ),
        Scenario("AWS-EC2-004", group, default_group_closed, default_group_open, own_account=True),
        Scenario("AWS-EC2-005", "aws.ec2.account", _ebs_default(True), _ebs_default(False)),
        Scenario(
            "AWS-EC2-006",
            "aws.ec2.volume",
            _volume("ec2-006-pass", encrypted=True),
            _volume("ec2-006-fail", encrypted=False),
        ),
        Scenario(
            "AWS-EC2-007",
            "aws.ec2.instance",
            _instance("ec2-007-pass", http_tokens="required"),
            _instance("ec2-007-fail", http_tokens="optional"),
        ),
        Scenario(
            "AWS-EC2-008",
            "aws.ec2.vpc",
            _vpc("ec2-008-pass", flow_logs=True),
            _vpc("ec2-008-fail", flow_logs=False),
        ),
        Scenario(
            "AWS-RDS-001",
            "aws.rds.instance",
            _db("rds-001-pass"),
            _db("rds-001-fail", StorageEncrypted=False),
        ),
        Scenario(
            "AWS-RDS-002",
            "aws.rds.instance",
            _db("rds-002-pass"),
            _db("rds-002-fail", PubliclyAccessible=True),
        ),
        Scenario(
            "AWS-RDS-003",
            "aws.rds.instance",
            _db("rds-003-pass"),
            _db("rds-003-fail", BackupRetentionPeriod=1),
        ),
        Scenario(
            "AWS-RDS-004",
            "aws.rds.instance",
            _db("rds-004-pass"),
            _db("rds-004-fail", MultiAZ=False),
        ),
        Scenario(
            "AWS-RDS-005",
            "aws.rds.instance",
            _db("rds-005-pass"),
            _db("rds-005-fail", DeletionProtection=False),
        ),
        Scenario("AWS-KMS-001", "aws.kms.key", _key(rotation=True), _key(rotation=False)),
        Scenario(
            "AWS-CT-001",
            trails,
            _trails(("ct-001-pass", {"IsMultiRegionTrail": True})),
            _trails(
                ("ct-001-fail-regional", {"IsMultiRegionTrail": False}),
                ("ct-001-fail-stopped", {"IsMultiRegionTrail": True, "logging": False}),
            ),
        ),
        Scenario(
            "AWS-CT-002",
            trails,
            _trails(("ct-002-pass", {"EnableLogFileValidation": True})),
            _trails(
                ("ct-002-fail-validated", {"EnableLogFileValidation": True}),
                ("ct-002-fail", {"EnableLogFileValidation": False}),
            ),
        ),
        Scenario(
            "AWS-CT-003",
            trails,
            _trails(("ct-003-pass", {"kms": True})),
            _trails(("ct-003-fail-encrypted", {"kms": True}), ("ct-003-fail", {})),
        ),
        Scenario("AWS-GD-001", "aws.guardduty.region", _detector(True), _detector(False)),
        Scenario(
            "AWS-CFG-001", "aws.config.region", _recorder(started=True), _recorder(started=False)
        ),
        Scenario(
            "AWS-LOGS-001",
            "aws.logs.log_group",
            _log_group("logs-001-pass", 365),
            _log_group("logs-001-fail", None),
        ),
    ]


SINGLETON_TYPES = frozenset(
    {
        "aws.iam.account",
        "aws.s3.account",
        "aws.ec2.account",
        "aws.cloudtrail.account",
        "aws.guardduty.region",
        "aws.config.region",
    }
)
SCENARIOS: dict[str, Scenario] = {
    s.control_id: replace(s, own_account=s.own_account or s.resource_type in SINGLETON_TYPES)
    for s in _scenarios()
}
