"""The collection as a whole: type filtering, progress, credentials, failures of the
endpoint itself (refused, silent, throttling) and a moto server standing in for AWS."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from moto.core.authorization import enable_iam_authentication
from moto.server import ThreadedMotoServer

from sealtrail.compliance.inventory import model
from sealtrail.compliance.inventory.aws import RESOURCE_TYPES, ClientOptions, collect
from sealtrail.compliance.inventory.aws.collect import GLOBAL_TYPES
from sealtrail.compliance.inventory.aws.session import Clients
from sealtrail.compliance.inventory.model import GLOBAL, AwsCredentials
from sealtrail.errors import ValidationFailed
from tests.compliance.conftest import ACCOUNT_ID, REGIONS, Moto, admin_session, closed_port

FAST = ClientOptions(max_attempts=1, connect_timeout=1, read_timeout=1)


def test_the_collected_types_are_exactly_those_of_the_inventory_contract() -> None:
    documented = set(re.findall(r"^- `(aws\.[a-z0-9_.]+)`", Path(model.__file__).read_text(), re.M))
    assert documented == RESOURCE_TYPES


def test_a_full_collection_yields_every_type_and_reports_progress(moto: Moto) -> None:
    moto.client("s3").create_bucket(Bucket="one-bucket")
    calls: list[tuple[int, int, str]] = []

    inventory = collect(
        moto.spec(), progress=lambda done, total, label: calls.append((done, total, label))
    )

    assert inventory.errors == []
    assert inventory.collected_types == RESOURCE_TYPES
    assert (inventory.account, inventory.regions) == (ACCOUNT_ID, REGIONS)
    present = {r.type for r in inventory.resources}
    assert present == RESOURCE_TYPES - {
        "aws.iam.user",
        "aws.iam.policy",
        "aws.ec2.volume",
        "aws.ec2.instance",
        "aws.rds.instance",
        "aws.kms.key",
        "aws.logs.log_group",
    }
    assert {r.region for r in inventory.resources if r.type in GLOBAL_TYPES} == {GLOBAL}
    tasks = 3 + 6 * len(REGIONS)  # iam, s3, cloudtrail once; six services per region
    assert [(done, total) for done, total, _ in calls] == [(n, tasks) for n in range(1, tasks + 1)]
    labels = {label for _, _, label in calls}
    assert len(labels) == tasks
    assert {"iam global", "s3 global", "ec2 eu-west-1", "logs ap-southeast-2"} <= labels


def test_only_the_requested_types_are_collected_and_no_other_service_is_called(moto: Moto) -> None:
    moto.client("s3").create_bucket(Bucket="only-this")
    keys = moto.scanner("iam:*", "ec2:*", "kms:*", "rds:*", "cloudtrail:*", "config:*", "logs:*")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types={"aws.s3.bucket"})

    assert inventory.errors == []  # a call to any denied service would be one
    assert inventory.collected_types == {"aws.s3.bucket"}
    assert [r.name for r in inventory.resources] == ["only-this"]


def test_unknown_resource_types_are_refused(moto: Moto) -> None:
    with pytest.raises(ValidationFailed) as raised:
        collect(moto.spec(), resource_types={"aws.s3.bucket", "aws.s3.object"})
    assert raised.value.details == ["aws.s3.object"]


@pytest.mark.parametrize("regions", [(), ("moon-1",), ("eu-west-1", "cn-north-1")])
def test_regions_that_cannot_be_scanned_together_are_refused(
    moto: Moto, regions: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationFailed):
        collect(moto.spec(regions=regions))


def make_role(moto: Moto, external_id: str) -> str:
    """A role the "scanner" user may assume with `external_id`; it may not use IAM."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:user/scanner"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }
    iam = moto.client("iam")
    arn = iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    iam.put_role_policy(
        RoleName="auditor",
        PolicyName="audit",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
                ],
            }
        ),
    )
    return str(arn)


def test_the_role_is_assumed_with_its_external_id_and_its_permissions_apply(moto: Moto) -> None:
    moto.client("s3").create_bucket(Bucket="seen-by-role")
    keys = moto.scanner()
    role_arn = make_role(moto, "sealtrail-7f3a")
    credentials = AwsCredentials(
        keys.access_key_id, keys.secret_access_key, None, role_arn, "sealtrail-7f3a"
    )

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(credentials=credentials), resource_types={"aws.s3.bucket", "aws.iam.user"}
        )

    assert [r.name for r in inventory.resources] == ["seen-by-role"]
    [error] = inventory.errors
    assert (error.resource_type, error.operation) == ("aws.iam.user", "iam:ListUsers")
    assert "assumed-role/auditor/sealtrail-collector" in error.reason


def test_a_wrong_external_id_leaves_every_type_and_region_in_error(moto: Moto) -> None:
    keys = moto.scanner()
    role_arn = make_role(moto, "sealtrail-7f3a")
    credentials = AwsCredentials(
        keys.access_key_id, keys.secret_access_key, None, role_arn, "guess"
    )
    wanted = {"aws.s3.bucket", "aws.iam.user"}

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=credentials), resource_types=wanted)

    assert inventory.resources == []
    assert inventory.collected_types == wanted
    assert {(e.resource_type, e.region, e.operation) for e in inventory.errors} == {
        ("aws.iam.user", GLOBAL, "sts:AssumeRole"),
        *(("aws.s3.bucket", region, "sts:AssumeRole") for region in REGIONS),
    }
    assert all(e.reason.startswith("AccessDenied: ") for e in inventory.errors)


def test_a_refused_endpoint_is_an_error_for_every_type_and_nothing_else(moto: Moto) -> None:
    spec = moto.spec(regions=("eu-west-1",), endpoint_url=f"http://127.0.0.1:{closed_port()}")

    inventory = collect(spec, options=FAST)

    assert inventory.resources == []
    assert {e.resource_type for e in inventory.errors} == RESOURCE_TYPES
    assert all(e.reason.startswith("EndpointConnectionError: ") for e in inventory.errors)


def test_an_endpoint_that_never_answers_times_out_into_an_error(moto: Moto) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        spec = moto.spec(
            regions=("eu-west-1",), endpoint_url=f"http://127.0.0.1:{silent.getsockname()[1]}"
        )
        inventory = collect(
            spec,
            resource_types={"aws.logs.log_group"},
            options=ClientOptions(max_attempts=1, read_timeout=0.3),
        )

    [error] = inventory.errors
    assert (error.operation, error.region) == ("logs:DescribeLogGroups", "eu-west-1")
    assert error.reason.startswith("ReadTimeoutError: ")


class Throttling(BaseHTTPRequestHandler):
    """Answers every request as CloudWatch Logs does when it throttles."""

    requests = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).requests += 1
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def throttling_endpoint() -> Iterator[str]:
    """A local endpoint that throttles every call."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Throttling)
    Throttling.requests = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_throttling_is_retried_then_reported(moto: Moto, throttling_endpoint: str) -> None:
    spec = moto.spec(regions=("eu-west-1",), endpoint_url=throttling_endpoint)

    inventory = collect(
        spec, resource_types={"aws.logs.log_group"}, options=ClientOptions(max_attempts=2)
    )

    [error] = inventory.errors
    assert error.operation == "logs:DescribeLogGroups"
    assert error.reason == "ThrottlingException: Rate exceeded"
    assert Throttling.requests == 2  # the first attempt and one retry


@pytest.fixture
def moto_server() -> Iterator[str]:
    """A moto server on a free local port, as users run it instead of AWS."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=closed_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    admin_session().client("s3", endpoint_url=url)  # warm the models before the clock starts
    yield url
    server.stop()


def test_a_moto_server_endpoint_is_collected_like_aws(moto_server: str) -> None:
    session = admin_session()
    for region in REGIONS:
        location = {} if region == "us-east-1" else {"LocationConstraint": region}
        session.client("s3", region_name=region, endpoint_url=moto_server).create_bucket(
            Bucket=f"served-{region}", CreateBucketConfiguration=location
        )
    spec = model.AccountSpec(
        "aws", ACCOUNT_ID, REGIONS, AwsCredentials("testing", "testing"), moto_server
    )
    # Seeded through the collectors' own client: s3control needs its host name fixed.
    Clients(session, spec, ClientOptions()).get("s3control", "us-east-1").put_public_access_block(
        AccountId=ACCOUNT_ID,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )

    inventory = collect(spec, resource_types={"aws.s3.bucket", "aws.s3.account"})

    assert inventory.errors == []
    buckets = {(r.name, r.region) for r in inventory.of_type("aws.s3.bucket")}
    assert buckets == {(f"served-{region}", region) for region in REGIONS}
    [account] = inventory.of_type("aws.s3.account")
    assert account.config["public_access_block"] == {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": True,
    }
