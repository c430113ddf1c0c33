"""IAM collection: the account, users and customer-managed policies, field by field."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from moto.core.authorization import enable_iam_authentication
from moto.iam.models import iam_backends

from sealtrail.compliance.inventory.aws import collect
from sealtrail.compliance.inventory.aws.calls import policy_document
from tests.compliance.conftest import ACCOUNT_ID, Moto, by_name

ALL_IAM = {"aws.iam.account", "aws.iam.user", "aws.iam.policy"}
READ_LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}],
}


@pytest.mark.parametrize(
    "given",
    [
        READ_LOGS,
        json.dumps(READ_LOGS),
        "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22"
        "%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22logs%3AGet%2A%22%2C%20%22Resource%22"
        "%3A%20%22%2A%22%7D%5D%7D",
    ],
)
def test_policy_documents_are_json_whether_given_parsed_plain_or_url_encoded(given: object) -> None:
    assert policy_document(given) == READ_LOGS


def test_account_reports_the_password_policy_and_the_root_flags(moto: Moto) -> None:
    moto.client("iam").update_account_password_policy(
        MinimumPasswordLength=12,
        RequireSymbols=True,
        RequireNumbers=False,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=False,
        PasswordReusePrevention=5,
        MaxPasswordAge=60,
    )
    # Moto has no API for root MFA; its account summary is the only place to set it.
    iam_backends[ACCOUNT_ID]["aws"].account_summary._account_mfa_enabled = 1

    [account] = collect(moto.spec(), resource_types={"aws.iam.account"}).resources

    assert (account.arn, account.type, account.region, account.name) == (
        f"arn:aws:iam::{ACCOUNT_ID}:root",
        "aws.iam.account",
        "global",
        ACCOUNT_ID,
    )
    assert account.config == {
        "root_mfa_enabled": True,
        "root_access_keys_present": False,
        "password_policy": {
            "minimum_length": 12,
            "require_symbols": True,
            "require_numbers": False,
            "require_uppercase": True,
            "require_lowercase": False,
            "reuse_prevention": 5,
            "max_age_days": 60,
        },
    }
    assert account.unavailable == {}


def test_a_password_policy_without_expiry_or_reuse_rules_says_none_for_them(moto: Moto) -> None:
    moto.client("iam").update_account_password_policy(MinimumPasswordLength=14)

    [account] = collect(moto.spec(), resource_types={"aws.iam.account"}).resources

    policy = account.config["password_policy"]
    assert (policy["reuse_prevention"], policy["max_age_days"]) == (None, None)
    assert (policy["minimum_length"], policy["require_symbols"]) == (14, False)


def test_account_without_a_password_policy_says_none(moto: Moto) -> None:
    iam_backends[ACCOUNT_ID]["aws"].account_summary._account_access_keys_present = 1

    [account] = collect(moto.spec(), resource_types={"aws.iam.account"}).resources

    assert account.config == {
        "root_mfa_enabled": False,
        "root_access_keys_present": True,
        "password_policy": None,
    }


def test_users_are_described_with_console_mfa_keys_and_policies(moto: Moto) -> None:
    iam = moto.client("iam")
    policy_arn = iam.create_policy(PolicyName="read-logs", PolicyDocument=json.dumps(READ_LOGS))[
        "Policy"
    ]["Arn"]
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-Battery-9")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.attach_user_policy(UserName="alice", PolicyArn=policy_arn)
    iam.put_user_policy(UserName="alice", PolicyName="own", PolicyDocument=json.dumps(READ_LOGS))
    alice_key = iam.create_access_key(UserName="alice")["AccessKey"]
    boto3.Session(  # a signed call makes moto record the key's last use
        aws_access_key_id=alice_key["AccessKeyId"],
        aws_secret_access_key=alice_key["SecretAccessKey"],
        region_name="us-east-1",
    ).client("sts").get_caller_identity()
    iam_backends[ACCOUNT_ID]["aws"].users["alice"].password_last_used = datetime(
        2024, 5, 1, 12, 30, tzinfo=UTC
    )
    iam.create_user(UserName="bob")
    bob_keys = [iam.create_access_key(UserName="bob")["AccessKey"] for _ in range(2)]
    iam.update_access_key(UserName="bob", AccessKeyId=bob_keys[1]["AccessKeyId"], Status="Inactive")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Correct-Horse-Battery-9")

    users = by_name(collect(moto.spec(), resource_types={"aws.iam.user"}).resources)

    assert set(users) == {"alice", "bob", "carol"}
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    assert (alice.arn, alice.region) == (f"arn:aws:iam::{ACCOUNT_ID}:user/alice", "global")
    assert alice.config["user_name"] == "alice"
    assert alice.config["created"].endswith("Z")
    assert (alice.config["console_access"], alice.config["mfa_enabled"]) == (True, True)
    assert alice.config["password_last_used"] == "2024-05-01T12:30:00Z"
    [key] = alice.config["access_keys"]
    assert (key["id"], key["active"]) == (alice_key["AccessKeyId"], True)
    assert key["created"].endswith("Z")
    assert key["last_used"].endswith("Z")
    assert alice.config["attached_policies"] == [policy_arn]
    assert alice.config["inline_policies"] == [{"name": "own", "document": READ_LOGS}]
    assert (bob.config["console_access"], bob.config["mfa_enabled"]) == (False, False)
    assert bob.config["password_last_used"] is None
    assert [(k["id"], k["active"], k["last_used"]) for k in bob.config["access_keys"]] == [
        (bob_keys[0]["AccessKeyId"], True, None),
        (bob_keys[1]["AccessKeyId"], False, None),
    ]
    assert (bob.config["attached_policies"], bob.config["inline_policies"]) == ([], [])
    assert (carol.config["console_access"], carol.config["mfa_enabled"]) == (True, False)
    assert carol.config["access_keys"] == []
    assert all(u.unavailable == {} for u in users.values())


def test_customer_managed_policies_carry_their_default_version(moto: Moto) -> None:
    iam = moto.client("iam")
    admin = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    used = iam.create_policy(PolicyName="used", PolicyDocument=json.dumps(READ_LOGS))["Policy"]
    iam.create_policy_version(
        PolicyArn=used["Arn"], PolicyDocument=json.dumps(admin), SetAsDefault=True
    )
    iam.create_user(UserName="dave")
    iam.attach_user_policy(UserName="dave", PolicyArn=used["Arn"])
    iam.create_policy(PolicyName="unused", PolicyDocument=json.dumps(READ_LOGS))

    policies = by_name(collect(moto.spec(), resource_types={"aws.iam.policy"}).resources)

    assert set(policies) == {"used", "unused"}
    assert policies["used"].arn == used["Arn"]
    assert policies["used"].config == {"name": "used", "attached": True, "document": admin}
    assert policies["unused"].config == {"name": "unused", "attached": False, "document": READ_LOGS}


def test_denied_iam_is_a_collection_error_for_each_type(moto: Moto) -> None:
    keys = moto.scanner("iam:*")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types=ALL_IAM)

    assert inventory.resources == []
    assert {(e.resource_type, e.region, e.operation) for e in inventory.errors} == {
        ("aws.iam.account", "global", "iam:GetAccountSummary"),
        ("aws.iam.user", "global", "iam:ListUsers"),
        ("aws.iam.policy", "global", "iam:ListPolicies"),
    }
    assert all(e.reason.startswith("AccessDenied: ") for e in inventory.errors)
    assert inventory.collected_types == ALL_IAM


def test_a_denied_detail_call_marks_only_that_field_unavailable(moto: Moto) -> None:
    iam = moto.client("iam")
    iam.create_policy(PolicyName="loose", PolicyDocument=json.dumps(READ_LOGS))
    keys = moto.scanner(
        "iam:GetAccessKeyLastUsed", "iam:GetAccountPasswordPolicy", "iam:GetPolicyVersion"
    )

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types=ALL_IAM)

    assert inventory.errors == []
    [account] = inventory.of_type("aws.iam.account")
    assert set(account.unavailable) == {"password_policy"}
    assert account.unavailable["password_policy"].startswith(
        "iam:GetAccountPasswordPolicy: AccessDenied: "
    )
    assert account.config["root_mfa_enabled"] is False
    [scanner] = inventory.of_type("aws.iam.user")
    assert set(scanner.unavailable) == {"access_keys"}
    assert "iam:GetAccessKeyLastUsed: AccessDenied" in scanner.unavailable["access_keys"]
    assert scanner.config["access_keys"] is None
    assert scanner.config["inline_policies"][0]["name"] == "scan"
    [loose] = inventory.of_type("aws.iam.policy")
    assert set(loose.unavailable) == {"document"}
    assert (loose.config["name"], loose.config["attached"]) == ("loose", False)
