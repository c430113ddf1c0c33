"""Sessions and clients for one account: credentials, endpoint, retries and timeouts.

A boto3 Session is not thread-safe, a client is once created (boto3 guide,
"Multithreading or multiprocessing with clients"). `Clients` therefore creates each
(service, region) client once, under a lock, and the collector threads share it; a
shared client also shares its adaptive-retry rate limiter, which is what throttling
needs. The service models (large JSON files) are parsed once per process: every
Session gets the same botocore data loader, which only ever reads them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.loaders import Loader, create_loader

from sealtrail.compliance.inventory.aws.calls import call
from sealtrail.compliance.inventory.model import AccountSpec

ROLE_SESSION_NAME = "sealtrail-collector"
_LOADER: Loader = create_loader()


@dataclass(frozen=True)
class ClientOptions:
    """How patient the collectors are with an endpoint, and how many calls run at once."""

    max_attempts: int = 5  # adaptive retry mode; the first attempt included
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_workers: int = 8


def open_session(spec: AccountSpec, options: ClientOptions) -> boto3.Session:
    """A Session with the spec's keys (or the default chain); a role is assumed once.

    Raises `CallFailed` ("sts:AssumeRole") when the role cannot be assumed.
    """
    creds = spec.credentials
    base = new_session(
        creds.access_key_id, creds.secret_access_key, creds.session_token, spec.regions[0]
    )
    if creds.role_arn is None:
        return base
    sts = base.client(
        "sts",
        region_name=spec.regions[0],
        endpoint_url=spec.endpoint_url,
        config=_config(spec, options),
    )
    params: dict[str, Any] = {"RoleArn": creds.role_arn, "RoleSessionName": ROLE_SESSION_NAME}
    if creds.external_id is not None:
        params["ExternalId"] = creds.external_id
    # One hour of credentials (the STS default): a scan of one account takes minutes.
    assumed = call(sts, "AssumeRole", **params)["Credentials"]
    return new_session(
        assumed["AccessKeyId"],
        assumed["SecretAccessKey"],
        assumed["SessionToken"],
        spec.regions[0],
    )


def new_session(
    access_key_id: str | None,
    secret_access_key: str | None,
    session_token: str | None,
    region: str,
) -> boto3.Session:
    """A Session with these keys (None: the default chain) and the shared data loader."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
        region_name=region,
        botocore_session=core,
    )


def partition_of(region: str) -> str:
    """The partition of `region` ("aws", "aws-cn", "aws-us-gov" ...); raises UnknownRegionError."""
    return new_session(None, None, None, region).get_partition_for_region(region)


class Clients:
    """One client per (service, region), created under a lock and shared by threads."""

    def __init__(self, session: boto3.Session, spec: AccountSpec, options: ClientOptions) -> None:
        self._session = session
        self._account_id = spec.account_id
        self._endpoint_url = spec.endpoint_url
        self._config = _config(spec, options)
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}

    def get(self, service: str, region: str) -> Any:
        """The client of `service` in `region`."""
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service,  # type: ignore[call-overload]
                    region_name=region,
                    endpoint_url=self._endpoint_url,
                    config=self._config,
                )
                if service == "s3control" and self._endpoint_url is not None:
                    # The endpoint rules put the account in the host name
                    # ("123456789012.localhost"), which a local endpoint cannot resolve.
                    self._clients[key].meta.events.register(
                        "before-sign.s3-control", partial(_drop_host_prefix, self._account_id)
                    )
            return self._clients[key]


def _drop_host_prefix(account_id: str, request: AWSRequest, **_: Any) -> None:
    if request.url is not None:
        request.url = request.url.replace(f"://{account_id}.", "://", 1)


def _config(spec: AccountSpec, options: ClientOptions) -> Config:
    custom_endpoint = spec.endpoint_url is not None
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": options.max_attempts},
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        max_pool_connections=max(10, options.max_workers * 2),
        user_agent_extra="sealtrail",
        # LocalStack and moto serve every service on one host: no host prefixes and no
        # virtual-hosted bucket names.
        inject_host_prefix=not custom_endpoint,
        s3={"addressing_style": "path"} if custom_endpoint else None,
    )
