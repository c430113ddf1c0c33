"""What a collector task works on (`Scope`) and what it hands back (`Batch`).

Account-level singletons get ARN-shaped identifiers in one style,
`arn:<partition>:<service>:<region or "">:<account>:account` (S3 Block Public Access
of the account is `arn:aws:s3::123456789012:account`, the EBS default of a region
`arn:aws:ec2:eu-west-1:123456789012:account`); the IAM account is the real
`arn:aws:iam::<account>:root`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sealtrail.compliance.inventory.aws.calls import CallFailed, reading_answers
from sealtrail.compliance.inventory.aws.session import Clients
from sealtrail.compliance.inventory.model import CollectionError, Resource

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Scope:
    """The account, the scanned regions and the clients a collector task uses."""

    account_id: str
    partition: str
    regions: tuple[str, ...]
    clients: Clients
    max_workers: int

    @property
    def home_region(self) -> str:
        """The region whose endpoints serve the global calls (IAM, ListBuckets)."""
        return self.regions[0]

    def client(self, service: str, region: str) -> Any:
        """The shared client of `service` in `region`."""
        return self.clients.get(service, region)

    def arn(self, service: str, region: str, resource: str) -> str:
        """An ARN of this account ("" as the region for global resources)."""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def account_arn(self, service: str, region: str = "") -> str:
        """The identifier of an account-level singleton (see the module docstring)."""
        return self.arn(service, region, "account")

    def each(self, describe: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`describe` every item, a few at a time, in order.

        An answer of an unexpected shape raises the `CallFailed` of the call that gave
        it, named in the thread that made the call.
        """

        def read(item: T) -> R:
            with reading_answers():
                return describe(item)

        if len(items) <= 1:
            return [read(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(read, items))


@dataclass
class Batch:
    """The resources one task collected, and the calls that failed."""

    resources: list[Resource] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)

    def fail(self, resource_types: Iterable[str], region: str, failure: CallFailed) -> None:
        """Record that `failure` left `resource_types` in `region` unknown."""
        self.errors.extend(
            CollectionError(resource_type, region, failure.operation, failure.reason)
            for resource_type in sorted(resource_types)
        )
