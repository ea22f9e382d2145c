"""The application recorder: the library's, plus one `record_log` row and one audit leaf per event
(and, for the events of an effective risk run, one `risk_run_log` row instead of a record_log row).

Both are written inside the library's insert transaction, after its
`LOCK TABLE … IN EXCLUSIVE MODE`, so that:
- `recorded_at` is read from the database clock while writers are serialised, and strictly
  increases from one transaction to the next along the notification log (design.md, "Time"),
  so that `known_at` can always tell two commits apart;
- a second record under a used `(department, record_id)` fails the whole transaction with
  the library's `IntegrityError`, exactly like a version conflict, so intake retries it;
- every committed event has its leaf (docs/audit.md), at the next position of the Merkle tree:
  the leaves are a gap-free prefix of the log in notification-id order at every commit. The
  database computes them (`audit_leaf_hash`, migration 0040) in one more statement of the same
  pipeline: no round trip and no Python work is added under the lock.

Without the `records` keyword (the library's own recorder tests) it behaves as the library's,
except that the events travel as four binary arrays rather than one text array of a composite
type: the same rows, lock, notification and RETURNING, for less of Python's time under the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.records import LoggedRecord

INSERT_RECORD_LOG = """
INSERT INTO record_log (notification_id, originator_id, originator_version, uscc, record_type,
                        effective_on, department, record_id, fingerprint, recorded_at)
SELECT r.notification_id, r.originator_id, r.originator_version, r.uscc, r.record_type,
       r.effective_on, r.department, r.record_id, r.fingerprint, now_.at
FROM unnest(%b::bigint[], %b::uuid[], %b::bigint[], %b::text[], %b::text[], %b::date[],
            %b::text[], %b::text[], %b::text[])
     AS r(notification_id, originator_id, originator_version, uscc, record_type, effective_on,
          department, record_id, fingerprint),
     (SELECT greatest(clock_timestamp(),
                      coalesce((SELECT max(recorded_at) FROM record_log) + interval '1 microsecond',
                               '-infinity'),
                      coalesce((SELECT max(recorded_at) FROM risk_run_log) + interval '1 microsecond',
                               '-infinity')) AS at) AS now_
"""

# The events of an effective risk run (domain/risk/run.py, issue 19): no record_log row (they are
# about no one enterprise), but a recorded time taken the same way, under the same lock.
INSERT_RISK_RUN_LOG = """
INSERT INTO risk_run_log (notification_id, originator_id, originator_version, recorded_at)
SELECT r.notification_id, r.originator_id, r.originator_version, now_.at
FROM unnest(%b::bigint[], %b::uuid[], %b::bigint[]) AS r(notification_id, originator_id, originator_version),
     (SELECT greatest(clock_timestamp(),
                      coalesce((SELECT max(recorded_at) FROM record_log) + interval '1 microsecond',
                               '-infinity'),
                      coalesce((SELECT max(recorded_at) FROM risk_run_log) + interval '1 microsecond',
                               '-infinity')) AS at) AS now_
"""


# Every event after the last leaf gets its leaf: this transaction's, and any that a writer
# without leaves (code older than migration 0040, during an upgrade) committed before it. The
# bound is repeated on record_log so that both sides are read from the last leaf on (without it
# the planner merge-joins the whole of record_log: 33 ms a batch at 100,000 events, growing).
APPEND_LEAVES = """
INSERT INTO audit_leaves (position, notification_id, leaf_hash)
SELECT last.position + row_number() OVER (ORDER BY e.notification_id), e.notification_id,
       audit_leaf_hash(e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, r)
FROM (SELECT coalesce((SELECT max(position) FROM audit_leaves), -1) AS position,
             coalesce((SELECT max(notification_id) FROM audit_leaves), 0) AS notification_id) AS last
JOIN {schema}.{table} e ON e.notification_id > last.notification_id
LEFT JOIN record_log r ON r.notification_id = e.notification_id AND r.notification_id > last.notification_id
"""


class LedgerRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The library's INSERT takes one array of a composite type, which psycopg writes as text
        # in Python, element by element, while the table lock is held (a fifth of an import's
        # time). Four arrays of plain types in binary (`%b`) carry the same rows for much less.
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) RETURNING notification_id"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        self.append_leaves_statement = SQL(APPEND_LEAVES).format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)
        )

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_events_statement,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if not notification_ids:
            return notification_ids
        entries: Sequence[LoggedRecord] | None = kwargs.get("records")
        with curs.connection.pipeline():
            # Leaving the nested pipeline block syncs, so a duplicate key surfaces here
            # as an IntegrityError and the library rolls the whole save back.
            if entries:
                curs.execute(INSERT_RECORD_LOG, self._record_log_columns(stored_events, notification_ids, entries))
            if kwargs.get("risk_run"):
                columns = [
                    list(notification_ids),
                    [e.originator_id for e in stored_events],
                    [e.originator_version for e in stored_events],
                ]
                curs.execute(INSERT_RISK_RUN_LOG, columns)
            curs.execute(self.append_leaves_statement)  # after record_log: the leaves cover its rows
        return notification_ids

    @staticmethod
    def _record_log_columns(
        stored_events: Sequence[StoredEvent],
        notification_ids: Sequence[int],
        entries: Sequence[LoggedRecord],
    ) -> list[list[Any]]:
        by_event = {(e.originator_id, e.originator_version): e for e in entries}
        rows = []
        for stored, notification_id in zip(stored_events, notification_ids, strict=True):
            entry = by_event[(stored.originator_id, stored.originator_version)]  # type: ignore[index]
            rows.append((notification_id, entry))
        return [
            [n for n, _ in rows],
            [e.originator_id for _, e in rows],
            [e.originator_version for _, e in rows],
            [e.uscc for _, e in rows],
            [e.record_type for _, e in rows],
            [e.effective_on for _, e in rows],
            [e.department for _, e in rows],
            [e.record_id for _, e in rows],
            [e.fingerprint for _, e in rows],
        ]
