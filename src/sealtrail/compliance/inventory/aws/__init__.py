"""AWS collectors: one module per service, `collect` runs them all (see `collect`)."""

from sealtrail.compliance.inventory.aws.collect import RESOURCE_TYPES, collect
from sealtrail.compliance.inventory.aws.session import ClientOptions

__all__ = ["RESOURCE_TYPES", "ClientOptions", "collect"]
