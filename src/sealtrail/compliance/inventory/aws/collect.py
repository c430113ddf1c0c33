"""The AWS collection: every requested resource type, services and regions at once.

One task per (service, region) — one per service for the global ones — runs in a
thread pool; the tasks share the clients (see `session`). A task never raises for an
AWS failure: it hands back `CollectionError`s and `unavailable` fields, so the other
services and regions go on.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass

import structlog
from botocore.exceptions import UnknownRegionError

from sealtrail.compliance.inventory.aws import (
    cloudtrail,
    config,
    ec2,
    guardduty,
    iam,
    kms,
    logs,
    rds,
    s3,
)
from sealtrail.compliance.inventory.aws.calls import CallFailed, reading_answers
from sealtrail.compliance.inventory.aws.scope import Batch, Scope
from sealtrail.compliance.inventory.aws.session import (
    ClientOptions,
    Clients,
    open_session,
    partition_of,
)
from sealtrail.compliance.inventory.model import GLOBAL, AccountSpec, CollectionError, Inventory
from sealtrail.errors import ValidationFailed

log = structlog.get_logger("sealtrail.compliance")
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Collector:
    """A service's collector: the types it makes and whether it runs once per region."""

    service: str
    types: frozenset[str]
    regional: bool
    run: Callable[[Scope, str, frozenset[str]], Batch]


COLLECTORS = (
    Collector("iam", iam.TYPES, False, iam.collect),
    Collector("s3", s3.TYPES, False, s3.collect),
    Collector("cloudtrail", cloudtrail.TYPES, False, cloudtrail.collect),
    Collector("ec2", ec2.TYPES, True, ec2.collect),
    Collector("rds", rds.TYPES, True, rds.collect),
    Collector("kms", kms.TYPES, True, kms.collect),
    Collector("guardduty", guardduty.TYPES, True, guardduty.collect),
    Collector("config", config.TYPES, True, config.collect),
    Collector("logs", logs.TYPES, True, logs.collect),
)
RESOURCE_TYPES = frozenset().union(*(c.types for c in COLLECTORS))
# Types whose documents are `global`; S3 buckets are listed globally but live in regions.
GLOBAL_TYPES = frozenset({*iam.TYPES, s3.ACCOUNT, cloudtrail.ACCOUNT})


def collect(
    spec: AccountSpec,
    *,
    resource_types: set[str] | None = None,
    progress: Progress | None = None,
    options: ClientOptions | None = None,
) -> Inventory:
    """Collect `resource_types` (all by default) from the account of `spec`."""
    wanted = _wanted(resource_types)
    partition = _partition(spec.regions)
    options = options or ClientOptions()
    inventory = Inventory(
        account=spec.account_id, regions=spec.regions, collected_types=set(wanted)
    )
    try:
        with reading_answers():
            session = open_session(spec, options)
    except CallFailed as failure:
        inventory.errors.extend(_failed(wanted, spec.regions, failure))
        return inventory
    scope = Scope(
        account_id=spec.account_id,
        partition=partition,
        regions=spec.regions,
        clients=Clients(session, spec, options),
        max_workers=options.max_workers,
    )
    tasks = [
        (collector, region)
        for collector in COLLECTORS
        if collector.types & wanted
        for region in (spec.regions if collector.regional else (GLOBAL,))
    ]
    with ThreadPoolExecutor(options.max_workers, thread_name_prefix="sealtrail-aws") as pool:
        labels: dict[Future[Batch], str] = {
            pool.submit(_run, collector, scope, region, collector.types & wanted): (
                f"{collector.service} {region}"
            )
            for collector, region in tasks
        }
        for done, future in enumerate(as_completed(labels), start=1):
            batch = future.result()
            inventory.resources.extend(batch.resources)
            inventory.errors.extend(batch.errors)
            if progress is not None:
                progress(done, len(labels), labels[future])
    inventory.resources.sort(key=lambda r: (r.type, r.region, r.arn))
    inventory.errors.sort(key=lambda e: (e.resource_type, e.region, e.operation))
    return inventory


def _wanted(resource_types: set[str] | None) -> frozenset[str]:
    if resource_types is None:
        return RESOURCE_TYPES
    unknown = set(resource_types) - RESOURCE_TYPES
    if unknown:
        raise ValidationFailed("unknown AWS resource types", details=sorted(unknown))
    return frozenset(resource_types)


def _partition(regions: tuple[str, ...]) -> str:
    if not regions:
        raise ValidationFailed("no region to scan")
    try:
        partitions = {partition_of(region) for region in regions}
    except UnknownRegionError as exc:
        raise ValidationFailed(str(exc), details=list(regions)) from exc
    if len(partitions) > 1:
        raise ValidationFailed("regions of one scan share a partition", details=list(regions))
    return partitions.pop()


def _run(collector: Collector, scope: Scope, region: str, types: frozenset[str]) -> Batch:
    """One task. A failure its collector did not handle (an answer it could not read)
    leaves every type of the task unknown in the task's regions: ERROR, not a failed scan."""
    try:
        with reading_answers():
            return collector.run(scope, region, types)
    except CallFailed as failure:
        log.warning(
            "collect.task_failed", task=f"{collector.service} {region}", reason=str(failure)
        )
        regions = scope.regions if region == GLOBAL else (region,)
        return Batch(errors=_failed(types, regions, failure))


def _failed(
    types: frozenset[str], regions: tuple[str, ...], failure: CallFailed
) -> list[CollectionError]:
    """`failure` as the error of every type in `types`, in `regions` or globally."""
    return [
        CollectionError(resource_type, region, failure.operation, failure.reason)
        for resource_type in sorted(types)
        for region in ((GLOBAL,) if resource_type in GLOBAL_TYPES else regions)
    ]
