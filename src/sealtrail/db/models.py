"""Imports every domain's tables so that one metadata describes the whole schema."""

from sealtrail.compliance import models as _compliance  # noqa: F401
from sealtrail.db.base import Base
from sealtrail.events import models as _events  # noqa: F401
from sealtrail.identity import models as _identity  # noqa: F401
from sealtrail.ledger import models as _ledger  # noqa: F401

metadata = Base.metadata
