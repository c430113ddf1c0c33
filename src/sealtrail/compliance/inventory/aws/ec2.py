"""EC2 and VPC, per region: EBS encryption by default, security groups, volumes,
instances, VPCs with their flow logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sealtrail.compliance.inventory.aws.calls import CallFailed, call, field_value, pages
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.model import Resource

ACCOUNT = "aws.ec2.account"
SECURITY_GROUP = "aws.ec2.security_group"
VOLUME = "aws.ec2.volume"
INSTANCE = "aws.ec2.instance"
VPC = "aws.ec2.vpc"
TYPES = frozenset({ACCOUNT, SECURITY_GROUP, VOLUME, INSTANCE, VPC})


def collect(scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """The EC2 documents of `types` in `region`."""
    ec2 = scope.client("ec2", region)
    batch = Batch()
    readers: dict[str, Callable[[], list[Resource]]] = {
        ACCOUNT: lambda: [_account(scope, ec2, region)],
        SECURITY_GROUP: lambda: [
            _security_group(scope, region, group)
            for group in pages(ec2, "DescribeSecurityGroups", "SecurityGroups")
        ],
        VOLUME: lambda: [
            _volume(scope, region, volume) for volume in pages(ec2, "DescribeVolumes", "Volumes")
        ],
        INSTANCE: lambda: [
            _instance(scope, region, instance)
            for instance in pages(ec2, "DescribeInstances", "Reservations[].Instances[]")
        ],
        VPC: lambda: _vpcs(scope, ec2, region),
    }
    for resource_type in sorted(types):
        try:
            batch.resources.extend(readers[resource_type]())
        except CallFailed as failure:
            batch.fail([resource_type], region, failure)
    return batch


def _account(scope: Scope, ec2: Any, region: str) -> Resource:
    answer = call(ec2, "GetEbsEncryptionByDefault")
    return Resource(
        arn=scope.account_arn("ec2", region),
        type=ACCOUNT,
        region=region,
        account=scope.account_id,
        name=region,
        config={"ebs_encryption_by_default": bool(answer["EbsEncryptionByDefault"])},
    )


def _security_group(scope: Scope, region: str, group: dict[str, Any]) -> Resource:
    return Resource(
        arn=scope.arn("ec2", region, f"security-group/{group['GroupId']}"),
        type=SECURITY_GROUP,
        region=region,
        account=scope.account_id,
        name=group["GroupName"],
        config={
            "group_id": group["GroupId"],
            "group_name": group["GroupName"],
            "vpc_id": group.get("VpcId"),
            "is_default": group["GroupName"] == "default",
            "ingress": [_rule(p) for p in group.get("IpPermissions", [])],
            "egress": [_rule(p) for p in group.get("IpPermissionsEgress", [])],
        },
    )


def _rule(permission: dict[str, Any]) -> dict[str, Any]:
    # A rule that names only security groups or prefix lists stays, with empty ranges:
    # it still lets traffic in, which the default-group control must see.
    return {
        "protocol": str(permission["IpProtocol"]),
        "from_port": permission.get("FromPort"),
        "to_port": permission.get("ToPort"),
        "ipv4_ranges": [r["CidrIp"] for r in permission.get("IpRanges", [])],
        "ipv6_ranges": [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])],
    }


def _volume(scope: Scope, region: str, volume: dict[str, Any]) -> Resource:
    volume_id = volume["VolumeId"]
    return Resource(
        arn=scope.arn("ec2", region, f"volume/{volume_id}"),
        type=VOLUME,
        region=region,
        account=scope.account_id,
        name=_name_tag(volume) or volume_id,
        config={
            "volume_id": volume_id,
            "encrypted": bool(volume.get("Encrypted", False)),
            "state": volume["State"],
            "attached": bool(volume.get("Attachments")),
        },
    )


def _instance(scope: Scope, region: str, instance: dict[str, Any]) -> Resource:
    instance_id = instance["InstanceId"]
    metadata = instance.get("MetadataOptions", {})
    return Resource(
        arn=scope.arn("ec2", region, f"instance/{instance_id}"),
        type=INSTANCE,
        region=region,
        account=scope.account_id,
        name=_name_tag(instance) or instance_id,
        config={
            "instance_id": instance_id,
            "state": instance["State"]["Name"],
            "http_tokens": metadata.get("HttpTokens", "optional"),
            "http_endpoint": metadata.get("HttpEndpoint", "enabled"),
        },
    )


def _vpcs(scope: Scope, ec2: Any, region: str) -> list[Resource]:
    vpcs = pages(ec2, "DescribeVpcs", "Vpcs")
    unavailable: dict[str, str] = {}
    flow_logs = field_value(
        unavailable, "flow_log_ids", lambda: pages(ec2, "DescribeFlowLogs", "FlowLogs")
    )
    by_vpc: dict[str, list[str]] = {}
    for flow_log in flow_logs or []:
        by_vpc.setdefault(flow_log["ResourceId"], []).append(flow_log["FlowLogId"])
    return [
        Resource(
            arn=scope.arn("ec2", region, f"vpc/{vpc['VpcId']}"),
            type=VPC,
            region=region,
            account=scope.account_id,
            name=_name_tag(vpc) or vpc["VpcId"],
            config={
                "vpc_id": vpc["VpcId"],
                "is_default": bool(vpc.get("IsDefault", False)),
                "flow_log_ids": None if flow_logs is None else sorted(by_vpc.get(vpc["VpcId"], [])),
            },
            unavailable=dict(unavailable),
        )
        for vpc in vpcs
    ]


def _name_tag(item: dict[str, Any]) -> str | None:
    return next((t["Value"] for t in item.get("Tags", []) if t["Key"] == "Name"), None)
