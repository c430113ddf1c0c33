"""Hooks: the policy-reading checks, on the tricky shapes real policies take."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sealtrail.compliance.inventory.model import Resource
from sealtrail.compliance.library.hooks import (
    HOOKS,
    at_most_one_active_access_key,
    bucket_policy_not_public,
    bucket_policy_requires_tls,
    policy_grants_no_full_admin,
)

BUCKET_ARN = "arn:aws:s3:::data-bucket"


def bucket(policy: Any, arn: str = BUCKET_ARN) -> Resource:
    name = arn.rsplit(":", 1)[-1]
    return Resource(arn, "aws.s3.bucket", "eu-west-1", "1", name, {"name": name, "policy": policy})


def doc(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal: Any, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
        **extra,
    }


@pytest.mark.parametrize(
    "statement",
    [
        allow("*"),
        allow({"AWS": "*"}),
        allow({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
        allow(["*"]),
        {**allow("*"), "Effect": "allow"},  # Effect is case-insensitive
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*"},
        allow("*", Condition={"Bool": {"aws:SecureTransport": "true"}}),  # restricts nobody
        allow("*", Condition={"StringLike": {"aws:PrincipalArn": "*"}}),  # wildcard value
        allow("*", Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),  # whole internet
        allow("*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),  # negated
        allow("*", Condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),  # IfExists
        {**allow("*"), "Action": None, "NotAction": "s3:DeleteObject"},
    ],
)
def test_bucket_policy_open_to_everyone_is_public(statement: dict[str, Any]) -> None:
    passed, details = bucket_policy_not_public(bucket(doc(statement)))
    assert not passed
    assert "with no condition restricting the caller" in details


@pytest.mark.parametrize(
    "policy",
    [
        None,
        doc(allow({"AWS": "arn:aws:iam::111122223333:role/reader"})),
        doc(allow({"Service": "logging.s3.amazonaws.com"})),
        doc(allow({"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"})),
        doc({**allow("*"), "Effect": "Deny"}),
        doc(allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
        doc(allow("*", Condition={"StringEquals": {"AWS:SourceVpce": ["vpce-1", "vpce-2"]}})),
        doc(allow("*", Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}})),
        doc(allow("*", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::1:dist/E1"}})),
        doc(allow("*", Condition={"ForAnyValue:StringEquals": {"aws:SourceAccount": "1"}})),
        json.dumps(doc(allow({"AWS": "arn:aws:iam::1:root"}))),  # JSON text
        doc(allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), "junk"),
    ],
)
def test_bucket_policy_that_pins_callers_is_not_public(policy: Any) -> None:
    assert bucket_policy_not_public(bucket(policy))[0]


def test_single_statement_not_in_a_list_is_read() -> None:
    assert not bucket_policy_not_public(bucket({"Statement": allow("*")}))[0]


TLS_DENY: dict[str, Any] = {
    "Sid": "TLSOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


@pytest.mark.parametrize(
    "statement",
    [
        TLS_DENY,
        {**TLS_DENY, "Principal": {"AWS": "*"}},
        {**TLS_DENY, "Action": ["s3:GetObject", "s3:*"]},
        {**TLS_DENY, "Action": "*"},
        {**TLS_DENY, "Resource": "*"},
        {**TLS_DENY, "Resource": f"{BUCKET_ARN}*"},
        {**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": False}}},
        {**TLS_DENY, "Condition": {"BoolIfExists": {"AWS:SecureTransport": ["false"]}}},
    ],
)
def test_deny_without_tls_covering_everything_passes(statement: dict[str, Any]) -> None:
    passed, details = bucket_policy_requires_tls(bucket(doc(allow("*"), statement)))
    assert passed
    assert "denies all S3 actions" in details


@pytest.mark.parametrize(
    "statement",
    [
        {**TLS_DENY, "Effect": "Allow"},
        {**TLS_DENY, "Action": "s3:GetObject"},  # not every action
        {**{k: v for k, v in TLS_DENY.items() if k != "Action"}, "NotAction": "s3:ListBucket"},
        {**TLS_DENY, "Principal": {"AWS": "arn:aws:iam::1:root"}},  # not every caller
        {**{k: v for k, v in TLS_DENY.items() if k != "Principal"}, "NotPrincipal": {"AWS": "x"}},
        {**TLS_DENY, "Resource": f"{BUCKET_ARN}/*"},  # objects only, not the bucket
        {**TLS_DENY, "Resource": "arn:aws:s3:::other-bucket/*"},
        {**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {**TLS_DENY, "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
        {k: v for k, v in TLS_DENY.items() if k != "Condition"},  # would deny everything
    ],
)
def test_deny_that_leaves_plain_http_open_fails(statement: dict[str, Any]) -> None:
    passed, details = bucket_policy_requires_tls(bucket(doc(statement)))
    assert not passed
    assert "aws:SecureTransport" in details


def test_tls_deny_uses_the_bucket_partition() -> None:
    arn = "arn:aws-cn:s3:::data-bucket"
    statement = {**TLS_DENY, "Resource": [arn, f"{arn}/*"]}
    assert bucket_policy_requires_tls(bucket(doc(statement), arn))[0]
    assert not bucket_policy_requires_tls(bucket(doc(TLS_DENY), arn))[0]


def test_no_bucket_policy_means_no_tls_requirement() -> None:
    passed, details = bucket_policy_requires_tls(bucket(None))
    assert not passed
    assert "no bucket policy" in details


def iam_policy(*statements: Any) -> Resource:
    return Resource(
        "arn:aws:iam::1:policy/p",
        "aws.iam.policy",
        "global",
        "1",
        "p",
        {"document": doc(*statements)},
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["*"]},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"a": "b"}}},
    ],
)
def test_policy_allowing_every_action_on_every_resource_is_full_admin(statement: Any) -> None:
    passed, details = policy_grants_no_full_admin(iam_policy({"Sid": "Admin", **statement}))
    assert not passed
    assert details == 'statement \'Admin\' allows Action "*" on Resource "*"'


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},  # broad, but not *:*
        {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret"},
    ],
)
def test_scoped_policies_are_not_full_admin(statement: Any) -> None:
    assert policy_grants_no_full_admin(iam_policy(statement))[0]


def test_unreadable_policy_document_fails() -> None:
    res = Resource("arn", "aws.iam.policy", "global", "1", "p", {"document": "{not json"})
    assert policy_grants_no_full_admin(res) == (
        False,
        "the policy document is missing or not valid JSON",
    )


def test_access_key_count_ignores_inactive_keys() -> None:
    def user(*active: bool) -> Resource:
        keys = [{"id": f"K{n}", "active": a} for n, a in enumerate(active)]
        return Resource("arn", "aws.iam.user", "global", "1", "u", {"access_keys": keys})

    assert at_most_one_active_access_key(user()) == (True, "0 active access keys")
    assert at_most_one_active_access_key(user(True, False, False))[0]
    assert at_most_one_active_access_key(user(True, False, True)) == (
        False,
        "2 access keys are active: K0, K2",
    )


def test_hooks_register_under_their_function_name_with_the_fields_they_read() -> None:
    assert HOOKS["bucket_policy_requires_tls"].reads == {"policy", "name"}
    assert HOOKS["policy_grants_no_full_admin"].function is policy_grants_no_full_admin
