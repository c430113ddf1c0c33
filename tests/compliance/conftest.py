"""Fixtures for the compliance tests: an in-process moto account and ways to reach it.

Every test runs with fake AWS credentials in the environment and no AWS profile, so
nothing can reach a real account by accident.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sealtrail.compliance.inventory.aws.session import new_session
from sealtrail.compliance.inventory.model import AccountSpec, AwsCredentials
from sealtrail.config import Settings

ACCOUNT_ID = "123456789012"  # moto's default account
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
OUTSIDE_REGION = "us-west-2"  # exists in moto, never scanned
FAKE_KEYS = AwsCredentials(access_key_id="testing", secret_access_key="testing")


@pytest.fixture(autouse=True)
def _fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    # Moto builds ~800 AMIs for every EC2 region of every fresh account: seconds per test.
    # It does not check image ids unless told to, so tests need none of them.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


LOOPBACK_ALLOWLIST = "127.0.0.0/8,::1"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The root settings, with loopback allowlisted as an operator would for a local
    moto server: the tests reach stand-in endpoints on 127.0.0.1."""
    settings.endpoint_allowlist = LOOPBACK_ALLOWLIST
    return settings


@dataclass(frozen=True)
class Moto:
    """An in-process moto account: admin clients to seed it, specs to collect it."""

    session: boto3.Session

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """An admin client of `service` in `region`."""
        return self.session.client(service, region_name=region)  # type: ignore[call-overload]

    def spec(
        self,
        regions: tuple[str, ...] = REGIONS,
        credentials: AwsCredentials = FAKE_KEYS,
        endpoint_url: str | None = None,
    ) -> AccountSpec:
        """What `collect` needs to reach this account."""
        return AccountSpec("aws", ACCOUNT_ID, regions, credentials, endpoint_url)

    def scanner(self, *denied: str, name: str = "scanner") -> AwsCredentials:
        """Keys of a user allowed everything except the `denied` IAM actions.

        Moto checks them only inside `enable_iam_authentication()` ("IAM-like access
        control"), where the admin keys of `client` stop working: seed first.
        """
        statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
        if denied:
            statements.append({"Effect": "Deny", "Action": list(denied), "Resource": "*"})
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name,
            PolicyName="scan",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return AwsCredentials(key["AccessKeyId"], key["SecretAccessKey"])


def admin_session(region: str = "us-east-1") -> boto3.Session:
    """A Session with the environment's fake keys, sharing the collectors' parsed models."""
    return new_session(None, None, None, region)


@pytest.fixture
def moto() -> Iterator[Moto]:
    """A fresh moto account, every service mocked in-process."""
    with mock_aws():
        yield Moto(admin_session())


def closed_port() -> int:
    """A local TCP port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def by_name(resources: list[Any]) -> dict[str, Any]:
    """Resources keyed by name (names are unique within one test's seed)."""
    return {r.name: r for r in resources}
