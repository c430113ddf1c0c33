"""IAM: the account (root and password policy), users, customer-managed policies.

IAM is global: every call goes to the home region's client and every document has
the region `global`.
"""

from __future__ import annotations

from typing import Any

from sealtrail.compliance.inventory.aws.calls import (
    CallFailed,
    call,
    call_or_absent,
    field_value,
    pages,
    policy_document,
    rfc3339,
)
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import GLOBAL, Resource

ACCOUNT = "aws.iam.account"
USER = "aws.iam.user"
POLICY = "aws.iam.policy"
TYPES = frozenset({ACCOUNT, USER, POLICY})
NO_SUCH_ENTITY = ("NoSuchEntity",)


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The IAM documents of `types`."""
    iam = scope.client("iam", scope.home_region)
    batch = Batch()
    if ACCOUNT in types:
        _account(scope, iam, batch)
    if USER in types:
        try:
            users = pages(iam, "ListUsers", "Users")
        except CallFailed as failure:
            batch.fail([USER], GLOBAL, failure)
        else:
            batch.resources.extend(scope.each(lambda user: _user(scope, iam, user), users))
    if POLICY in types:
        try:
            policies = pages(iam, "ListPolicies", "Policies", Scope="Local")
        except CallFailed as failure:
            batch.fail([POLICY], GLOBAL, failure)
        else:
            batch.resources.extend(scope.each(lambda p: _policy(scope, iam, p), policies))
    return batch


def _account(scope: Scope, iam: Any, batch: Batch) -> None:
    try:
        summary = call(iam, "GetAccountSummary")["SummaryMap"]
    except CallFailed as failure:
        batch.fail([ACCOUNT], GLOBAL, failure)
        return
    unavailable: dict[str, str] = {}
    password_policy = field_value(
        unavailable,
        "password_policy",
        lambda: call_or_absent(iam, "GetAccountPasswordPolicy", NO_SUCH_ENTITY),
    )
    config = {
        "root_mfa_enabled": summary.get("AccountMFAEnabled", 0) == 1,
        "root_access_keys_present": summary.get("AccountAccessKeysPresent", 0) >= 1,
        "password_policy": _password_policy(password_policy["PasswordPolicy"])
        if password_policy
        else None,
    }
    batch.resources.append(
        Resource(
            arn=f"arn:{scope.partition}:iam::{scope.account_id}:root",
            type=ACCOUNT,
            region=GLOBAL,
            account=scope.account_id,
            name=scope.account_id,
            config=config,
            unavailable=unavailable,
        )
    )


def _password_policy(policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "minimum_length": policy.get("MinimumPasswordLength", 6),
        "require_symbols": policy.get("RequireSymbols", False),
        "require_numbers": policy.get("RequireNumbers", False),
        "require_uppercase": policy.get("RequireUppercaseCharacters", False),
        "require_lowercase": policy.get("RequireLowercaseCharacters", False),
        # 0 and absent both mean "not set": no reuse prevention, passwords never expire
        # (ExpirePasswords is false then).
        "reuse_prevention": policy.get("PasswordReusePrevention") or None,
        "max_age_days": policy.get("MaxPasswordAge") or None,
    }


def _user(scope: Scope, iam: Any, user: dict[str, Any]) -> Resource:
    name = user["UserName"]
    unavailable: dict[str, str] = {}
    login_profile = field_value(
        unavailable,
        "console_access",
        lambda: call_or_absent(iam, "GetLoginProfile", NO_SUCH_ENTITY, UserName=name) or {},
    )
    mfa_devices = field_value(
        unavailable,
        "mfa_enabled",
        lambda: pages(iam, "ListMFADevices", "MFADevices", UserName=name),
    )
    config = {
        "user_name": name,
        "created": rfc3339(user["CreateDate"]),
        "console_access": None if login_profile is None else bool(login_profile),
        "mfa_enabled": None if mfa_devices is None else bool(mfa_devices),
        "password_last_used": rfc3339(user.get("PasswordLastUsed")),
        "access_keys": field_value(unavailable, "access_keys", lambda: _access_keys(iam, name)),
        "attached_policies": field_value(
            unavailable,
            "attached_policies",
            lambda: pages(
                iam, "ListAttachedUserPolicies", "AttachedPolicies[].PolicyArn", UserName=name
            ),
        ),
        "inline_policies": field_value(
            unavailable, "inline_policies", lambda: _inline_policies(iam, name)
        ),
    }
    return Resource(
        arn=user["Arn"],
        type=USER,
        region=GLOBAL,
        account=scope.account_id,
        name=name,
        config=config,
        unavailable=unavailable,
    )


def _access_keys(iam: Any, user_name: str) -> list[dict[str, Any]]:
    keys = []
    for key in pages(iam, "ListAccessKeys", "AccessKeyMetadata", UserName=user_name):
        last_used = call(iam, "GetAccessKeyLastUsed", AccessKeyId=key["AccessKeyId"])
        keys.append(
            {
                "id": key["AccessKeyId"],
                "active": key["Status"] == "Active",
                "created": rfc3339(key["CreateDate"]),
                "last_used": rfc3339(last_used.get("AccessKeyLastUsed", {}).get("LastUsedDate")),
            }
        )
    return keys


def _inline_policies(iam: Any, user_name: str) -> list[dict[str, Any]]:
    return [
        {
            "name": policy_name,
            "document": policy_document(
                call(iam, "GetUserPolicy", UserName=user_name, PolicyName=policy_name)[
                    "PolicyDocument"
                ]
            ),
        }
        for policy_name in pages(iam, "ListUserPolicies", "PolicyNames", UserName=user_name)
    ]


def _policy(scope: Scope, iam: Any, policy: dict[str, Any]) -> Resource:
    unavailable: dict[str, str] = {}
    version = field_value(
        unavailable,
        "document",
        lambda: call(
            iam, "GetPolicyVersion", PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"]
        ),
    )
    return Resource(
        arn=policy["Arn"],
        type=POLICY,
        region=GLOBAL,
        account=scope.account_id,
        name=policy["PolicyName"],
        config={
            "name": policy["PolicyName"],
            "attached": policy.get("AttachmentCount", 0) > 0,
            "document": policy_document(version["PolicyVersion"]["Document"]) if version else None,
        },
        unavailable=unavailable,
    )
