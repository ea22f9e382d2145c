"""The complete horizon (issue 25, part 2: an answer as known at T never changes).

`design.md` promises that `known_at=T` shows every record committed by T. A record's time is
stamped at insert and its commit follows, so a read between the two would miss a record that
`known_at=T` includes once it commits. Reads past the horizon first ask for a new one here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg.rows import tuple_row


def horizon(conn: Connection[Any]) -> tuple[datetime, int]:
    """A moment by which every record is committed, and the head of the log then (issue 25,
    part 2). Writers stamp `recorded_at` and commit while holding the event table's EXCLUSIVE lock
    (adapters/recorder.py); SHARE mode waits for the writer in flight and holds off the next for
    an instant, so every record stamped before this moment is committed, and any later one is
    stamped after it (the microsecond taken off covers a stamp in the same microsecond)."""
    with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
        cur.execute("LOCK TABLE ledger_events IN SHARE MODE")
        row = cur.execute(
            "SELECT clock_timestamp() - interval '1 microsecond', coalesce(max(notification_id), 0) FROM ledger_events"
        ).fetchone()
    assert row is not None
    return row[0], int(row[1])
