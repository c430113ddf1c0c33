"""EC2 and VPC collection: EBS defaults, security groups, volumes, instances, VPCs."""

from __future__ import annotations

from moto.core.authorization import enable_iam_authentication

from sealtrail.compliance.inventory.aws import collect
from tests.compliance.conftest import ACCOUNT_ID, REGIONS, Moto, by_name

EC2_TYPES = {
    "aws.ec2.account",
    "aws.ec2.security_group",
    "aws.ec2.volume",
    "aws.ec2.instance",
    "aws.ec2.vpc",
}
AMI = "ami-12c6146b"  # one of moto's built-in images


def named(name: str, kind: str) -> list[dict[str, object]]:
    """A Name tag for `kind` ("volume", "instance", "vpc")."""
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def test_ebs_encryption_by_default_is_reported_per_region(moto: Moto) -> None:
    moto.client("ec2", "eu-west-1").enable_ebs_encryption_by_default()

    accounts = collect(moto.spec(), resource_types={"aws.ec2.account"}).resources

    assert {(a.region, a.arn, a.config["ebs_encryption_by_default"]) for a in accounts} == {
        ("us-east-1", f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:account", False),
        ("eu-west-1", f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:account", True),
        ("ap-southeast-2", f"arn:aws:ec2:ap-southeast-2:{ACCOUNT_ID}:account", False),
    }


def test_security_groups_list_their_rules(moto: Moto) -> None:
    ec2 = moto.client("ec2", "eu-west-1")
    group_id = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            },
        ],
    )

    groups = collect(moto.spec(regions=("eu-west-1",)), resource_types={"aws.ec2.security_group"})

    web = by_name(groups.resources)["web"]
    assert web.arn == f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:security-group/{group_id}"
    assert (web.config["group_id"], web.config["group_name"], web.config["is_default"]) == (
        group_id,
        "web",
        False,
    )
    assert web.config["vpc_id"].startswith("vpc-")
    assert sorted(web.config["ingress"], key=lambda r: r["from_port"]) == [
        {
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "ipv4_ranges": ["10.0.0.0/8"],
            "ipv6_ranges": [],
        },
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "ipv4_ranges": ["0.0.0.0/0"],
            "ipv6_ranges": ["::/0"],
        },
    ]
    assert web.config["egress"] == [
        {
            "protocol": "-1",
            "from_port": None,
            "to_port": None,
            "ipv4_ranges": ["0.0.0.0/0"],
            "ipv6_ranges": [],
        }
    ]
    default = by_name(groups.resources)["default"]
    assert default.config["is_default"] is True


def test_volumes_instances_and_vpcs_show_both_values(moto: Moto) -> None:
    ec2 = moto.client("ec2", "ap-southeast-2")
    secure = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        TagSpecifications=named("secure", "instance"),
    )["Instances"][0]
    ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "disabled"},
        TagSpecifications=named("legacy", "instance"),
    )
    encrypted = ec2.create_volume(
        AvailabilityZone=secure["Placement"]["AvailabilityZone"],
        Size=8,
        Encrypted=True,
        TagSpecifications=named("encrypted", "volume"),
    )
    ec2.attach_volume(
        VolumeId=encrypted["VolumeId"], InstanceId=secure["InstanceId"], Device="/dev/sdf"
    )
    ec2.create_volume(
        AvailabilityZone="ap-southeast-2a", Size=8, TagSpecifications=named("plain", "volume")
    )
    logged_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=named("logged", "vpc"))
    moto.client("s3", "ap-southeast-2").create_bucket(
        Bucket="flow-logs", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    [flow_log_id] = ec2.create_flow_logs(
        ResourceIds=[logged_vpc["Vpc"]["VpcId"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs",
    )["FlowLogIds"]

    inventory = collect(
        moto.spec(regions=("ap-southeast-2",)),
        resource_types={"aws.ec2.volume", "aws.ec2.instance", "aws.ec2.vpc"},
    )

    volumes = by_name(inventory.of_type("aws.ec2.volume"))
    assert volumes["encrypted"].config == {
        "volume_id": encrypted["VolumeId"],
        "encrypted": True,
        "state": "in-use",
        "attached": True,
    }
    assert volumes["encrypted"].arn.endswith(f":volume/{encrypted['VolumeId']}")
    assert (volumes["plain"].config["encrypted"], volumes["plain"].config["attached"]) == (
        False,
        False,
    )
    assert volumes["plain"].config["state"] == "available"
    instances = by_name(inventory.of_type("aws.ec2.instance"))
    assert instances["secure"].config == {
        "instance_id": secure["InstanceId"],
        "state": "running",
        "http_tokens": "required",
        "http_endpoint": "enabled",
    }
    assert instances["secure"].arn == (
        f"arn:aws:ec2:ap-southeast-2:{ACCOUNT_ID}:instance/{secure['InstanceId']}"
    )
    legacy = instances["legacy"].config
    assert (legacy["http_tokens"], legacy["http_endpoint"]) == ("optional", "disabled")
    vpcs = {v.config["is_default"]: v for v in inventory.of_type("aws.ec2.vpc")}
    assert vpcs[False].name == "logged"
    assert vpcs[False].config == {
        "vpc_id": logged_vpc["Vpc"]["VpcId"],
        "is_default": False,
        "flow_log_ids": [flow_log_id],
    }
    assert vpcs[True].config["flow_log_ids"] == []


def test_denied_ec2_is_a_collection_error_per_type_and_region(moto: Moto) -> None:
    keys = moto.scanner("ec2:*")

    with enable_iam_authentication():
        inventory = collect(moto.spec(credentials=keys), resource_types=EC2_TYPES)

    assert inventory.resources == []
    operations = {
        "aws.ec2.account": "ec2:GetEbsEncryptionByDefault",
        "aws.ec2.security_group": "ec2:DescribeSecurityGroups",
        "aws.ec2.volume": "ec2:DescribeVolumes",
        "aws.ec2.instance": "ec2:DescribeInstances",
        "aws.ec2.vpc": "ec2:DescribeVpcs",
    }
    assert {(e.resource_type, e.region, e.operation) for e in inventory.errors} == {
        (rtype, region, operation) for rtype, operation in operations.items() for region in REGIONS
    }
    # Moto answers AccessDenied where EC2 itself says UnauthorizedOperation.
    assert all(e.reason.startswith("AccessDenied: ") for e in inventory.errors)


def test_denied_flow_logs_leave_the_vpcs_with_that_field_unavailable(moto: Moto) -> None:
    keys = moto.scanner("ec2:DescribeFlowLogs")

    with enable_iam_authentication():
        inventory = collect(
            moto.spec(regions=("eu-west-1",), credentials=keys), resource_types={"aws.ec2.vpc"}
        )

    assert inventory.errors == []
    [vpc] = inventory.resources
    assert vpc.config["is_default"] is True
    assert vpc.config["flow_log_ids"] is None
    assert vpc.unavailable["flow_log_ids"].startswith("ec2:DescribeFlowLogs: AccessDenied")
