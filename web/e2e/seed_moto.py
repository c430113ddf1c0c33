"""Seeds a moto server with a few misconfigured AWS resources for the web UI's e2e test."""

from __future__ import annotations

import sys

import boto3

REGION = "us-east-1"


def seed(endpoint_url: str) -> None:
    """A bucket without public access block, a user without MFA, SSH open to the world."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )

    def client(service: str):  # type: ignore[no-untyped-def]
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

    client("s3").create_bucket(Bucket="e2e-customer-exports")
    iam = client("iam")
    iam.create_user(UserName="e2e-console-user")
    iam.create_login_profile(UserName="e2e-console-user", Password="Correct-Horse-9!")
    ec2 = client("ec2")
    group = ec2.create_security_group(GroupName="e2e-ssh-open", Description="e2e")
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )


if __name__ == "__main__":
    seed(sys.argv[1])
