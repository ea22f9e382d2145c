"""Reading the event log for read models: pages of positions, and the records they hold.

Every read model follows the same log (the eventsourcing notification log, `ledger_events`,
joined with `record_log` for the USCC and the recorded time). A page never splits the records
of one recorded time (one commit): a read model would otherwise derive a state at that time
from part of them, a state no reader could see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import resolve_topic
from psycopg import Connection

from domain.enterprise import Enterprise
from domain.history import AnyFact, Fact
from domain.records import stored_data

# One row per event of the log: the record_log row must belong to the same event (the join on
# the originator guards against record_log rows of other event tables, e.g. contract tests).
EVENTS = """
SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, r.uscc, r.recorded_at
FROM ledger_events e
JOIN record_log r ON r.notification_id = e.notification_id
 AND r.originator_id = e.originator_id AND r.originator_version = e.originator_version
"""
EventRow = tuple[Any, ...]
"""A row of `EVENTS`: (notification_id, originator_id, version, topic, state, uscc, recorded_at)."""


@dataclass(frozen=True)
class Position:
    """One position of a page: its event's enterprise and recorded time (None: not a record,
    e.g. an event of another application sharing the table; skipped, but its position counts)."""

    id: int
    uscc: str | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class Logged:
    """A record of the log with its position."""

    position: int
    uscc: str
    fact: AnyFact


def head(conn: Connection[Any]) -> int:
    row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM ledger_events").fetchone()
    return int(row[0]) if row else 0


def next_page(conn: Connection[Any], after: int, limit: int) -> list[Position]:
    """The positions after `after`, about `limit` of them, never splitting a recorded time."""
    rows = conn.execute(
        "SELECT e.notification_id, r.uscc, r.recorded_at FROM ledger_events e "
        "LEFT JOIN record_log r ON r.notification_id = e.notification_id AND r.originator_id = e.originator_id "
        "WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s",
        (after, limit),
    ).fetchall()
    if len(rows) == limit and rows[-1][2] is not None:
        rows += conn.execute(
            "SELECT r.notification_id, r.uscc, r.recorded_at FROM record_log r "
            "WHERE r.notification_id > %s AND r.recorded_at = %s ORDER BY r.notification_id",
            (rows[-1][0], rows[-1][2]),
        ).fetchall()
    return [Position(int(n), u, at) for n, u, at in rows]


def histories(conn: Connection[Any], usccs: Sequence[str], upto: int) -> list[EventRow]:
    """Every event of these enterprises up to position `upto`, by enterprise then position."""
    return conn.execute(
        EVENTS + " WHERE r.uscc = ANY(%s) AND r.notification_id <= %s ORDER BY r.uscc, r.notification_id",
        (list(usccs), upto),
    ).fetchall()


def events_between(conn: Connection[Any], after: int, upto: int) -> list[EventRow]:
    """The events of positions (after, upto], in log order."""
    return conn.execute(
        EVENTS + " WHERE e.notification_id > %s AND e.notification_id <= %s ORDER BY e.notification_id",
        (after, upto),
    ).fetchall()


def decode(mapper: Mapper[UUID], rows: Sequence[EventRow]) -> list[Logged]:
    """Rows of `EVENTS` → records with their positions and recorded times: the same facts
    `application.reads.Reads.history` builds through the library (the parity tests hold the two
    paths together), without building event objects when the stored state is plain."""
    out: list[Logged] = []
    for position, originator_id, version, topic, state, uscc, recorded_at in rows:
        raw = bytes(state)
        if mapper.cipher:
            raw = mapper.cipher.decrypt(raw)
        if mapper.compressor:
            raw = mapper.compressor.decompress(raw)
        body = orjson.loads(raw)
        record_type = _record_type(topic)
        when = body.get("effective_on")
        if (
            record_type is None
            or "class_version" in body
            or not isinstance(when, dict)
            or when.get("_type_") != "date_iso"
        ):
            event = mapper.to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))
            assert isinstance(event, Enterprise.Recorded)
            fact: AnyFact = replace(event.as_fact(), recorded_at=recorded_at)
        else:
            source = body["source"]
            fact = Fact(
                type=record_type,
                effective_on=date.fromisoformat(when["_data_"]),
                department=source["department"],
                record_id=source["record_id"],
                operator=source.get("operator", ""),
                data=stored_data(record_type, body["data"]),
                sequence=version,
                recorded_at=recorded_at,
            )
        out.append(Logged(int(position), uscc, fact))
    return out


def by_enterprise(logged: Sequence[Logged]) -> dict[str, list[AnyFact]]:
    """Each enterprise's facts in log order."""
    out: dict[str, list[AnyFact]] = defaultdict(list)
    for one in logged:
        out[one.uscc].append(one.fact)
    return out


@cache
def _record_type(topic: str) -> str | None:
    cls = resolve_topic(topic)
    if isinstance(cls, type) and issubclass(cls, Enterprise.Recorded):
        return cls.record_type
    return None
