"""Changes one stored event in a Sealtrail SQLite database behind the platform's back."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from pathlib import Path


def tamper(database: Path, event_id: str, old: str, new: str) -> int:
    """Replace `old` by `new` in the stored document of `event_id`; the rows changed."""
    with sqlite3.connect(database) as db:
        cursor = db.execute(
            "UPDATE events SET doc = replace(doc, ?, ?) WHERE id = ?",
            (old, new, uuid.UUID(event_id).hex),
        )
        return cursor.rowcount


if __name__ == "__main__":
    changed = tamper(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])
    print(changed)
    sys.exit(0 if changed == 1 else 1)
