"""Bounded numeric parameters: every id, index and count a route takes is parsed once,
into the range its column can hold, so an out-of-range number is a `422` naming the
parameter and never reaches a driver (SQLite overflows past 2^63, PostgreSQL's INTEGER
columns past 2^31)."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval
from pydantic import AfterValidator, StringConstraints

from sealtrail.db.base import MAX_ID

# The dead-letter queue's message ids: SQLite INTEGER PRIMARY KEY values.
MAX_QUEUE_ID = 2**63 - 1
# Ledger indexes and tree sizes (BIGINT), with room above any real tree.
MAX_LEDGER_SIZE = 2**62
# Ids replayed by one request: each is one bound variable of one statement.
MAX_REPLAY_IDS = 1000

RowId = Annotated[int, Interval(ge=1, le=MAX_ID)]
"""The id of a row of an INTEGER-keyed table (scans, findings, exceptions, ...)."""

LedgerIndex = Annotated[int, Interval(ge=0, le=MAX_LEDGER_SIZE)]
"""A leaf's index in a tenant's ledger, or a tree size that may be 0."""

TreeSize = Annotated[int, Interval(ge=1, le=MAX_LEDGER_SIZE)]
"""The size of a non-empty tree."""

LedgerResume = Annotated[int, Interval(ge=-1, le=MAX_LEDGER_SIZE)]
"""A ledger index to resume after; -1 is before the first leaf."""


def _queue_id(value: str) -> str:
    if not 1 <= int(value) <= MAX_QUEUE_ID:
        raise ValueError(f"not a dead-letter id: must be between 1 and {MAX_QUEUE_ID}")
    return value


DeadLetterId = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,19}$"), AfterValidator(_queue_id)
]
"""A dead letter's id, as the API shows it: decimal digits within the queue's range."""
