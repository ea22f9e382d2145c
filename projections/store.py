"""SQL of the interval read model: reading the event log, writing rows, reading rows.

Tables come from `migrations/0004.projection-items.sql`: slots `projection_items_a|b` behind
the view `projection_items`, and `projection_state` (live slot and log position); enterprises
whose items could not be derived go to `projection_failures` (`migrations/0006`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from psycopg import AsyncConnection, Connection, sql

from projections.items import Item, canonical
from projections.timeline import Changes, Row

STATE = "items"
VIEW = "projection_items"
COLUMNS = (
    "uscc",
    "kind",
    "subject",
    "effective",
    "recorded",
    "fingerprint",
    "district",
    "name",
    "body",
    "facet",
    "member",
    "derivation",
)

# One row per event of the log: the record_log row must belong to the same event (the join on
# the originator guards against record_log rows of other event tables, e.g. contract tests).
EVENTS = """
SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, r.uscc, r.recorded_at
FROM ledger_events e
JOIN record_log r ON r.notification_id = e.notification_id
 AND r.originator_id = e.originator_id AND r.originator_version = e.originator_version
"""


def slot_table(slot: str) -> sql.Identifier:
    assert slot in ("a", "b")
    return sql.Identifier(f"projection_items_{slot}")


def lock_state(conn: Connection[Any]) -> tuple[str, int]:
    """The live slot and position, locked until the transaction ends (one writer at a time)."""
    row = conn.execute("SELECT slot, position FROM projection_state WHERE name = %s FOR UPDATE", (STATE,)).fetchone()
    assert row is not None, "projection_state has no row: migrations not applied?"
    return str(row[0]), int(row[1])


def read_state(conn: Connection[Any]) -> tuple[str, int]:
    row = conn.execute("SELECT slot, position FROM projection_state WHERE name = %s", (STATE,)).fetchone()
    assert row is not None
    return str(row[0]), int(row[1])


def save_position(conn: Connection[Any], position: int, slot: str | None = None) -> None:
    conn.execute(
        "UPDATE projection_state SET position = %s, slot = coalesce(%s, slot), updated_at = clock_timestamp() "
        "WHERE name = %s",
        (position, slot, STATE),
    )


FACETED = 2
"""The first derivation with list facets (migration 0009); 1 had list rows alone."""
LEGAL_FIDELITY = 3
"""Issue 18 mended what the rules derive (thresholds, combinations, restrictions, provisional
marks before 2021-09-01, the 2014 list on the serious list, district successors, ...): rows of
derivation 2 hold the old answers until a rebuild (migration 0020 starts an empty ledger at 3)."""
DERIVATION = LEGAL_FIDELITY
"""What `items.items_of` derives, as `projection_state.derivation` records it of the live slot.
A rebuild brings the live slot to this; rows projected by an older derivation stay as they were
until then."""


def derivation(conn: Connection[Any]) -> int:
    row = conn.execute("SELECT derivation FROM projection_state WHERE name = %s", (STATE,)).fetchone()
    assert row is not None
    return int(row[0])


def save_derivation(conn: Connection[Any], value: int = DERIVATION) -> None:
    conn.execute("UPDATE projection_state SET derivation = %s WHERE name = %s", (value, STATE))


def head(conn: Connection[Any]) -> int:
    row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM ledger_events").fetchone()
    return int(row[0]) if row else 0


def next_page(conn: Connection[Any], after: int, limit: int) -> list[tuple[int, str | None, datetime | None]]:
    """(notification_id, uscc, recorded_at) of the next events; uscc None for an event
    without a record_log row (not a ledger record: skipped, but its position counts)."""
    rows = conn.execute(
        "SELECT e.notification_id, r.uscc, r.recorded_at FROM ledger_events e "
        "LEFT JOIN record_log r ON r.notification_id = e.notification_id AND r.originator_id = e.originator_id "
        "WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s",
        (after, limit),
    ).fetchall()
    if len(rows) == limit and rows[-1][2] is not None:
        # Never split the records of one recorded time (one commit) across pages: a page would
        # otherwise derive a state at that time from part of them, a state no reader could see.
        rows += conn.execute(
            "SELECT r.notification_id, r.uscc, r.recorded_at FROM record_log r "
            "WHERE r.notification_id > %s AND r.recorded_at = %s ORDER BY r.notification_id",
            (rows[-1][0], rows[-1][2]),
        ).fetchall()
    return [(int(n), u, at) for n, u, at in rows]


def histories(conn: Connection[Any], usccs: Sequence[str], upto: int) -> list[tuple]:
    return conn.execute(
        EVENTS + " WHERE r.uscc = ANY(%s) AND r.notification_id <= %s ORDER BY r.uscc, r.notification_id",
        (list(usccs), upto),
    ).fetchall()


def open_rows(conn: Connection[Any], slot: str, usccs: Sequence[str]) -> dict[str, dict[str, datetime]]:
    query = sql.SQL("SELECT uscc, fingerprint, lower(recorded) FROM {} WHERE uscc = ANY(%s) AND upper_inf(recorded)")
    out: dict[str, dict[str, datetime]] = {}
    for uscc, fp, since in conn.execute(query.format(slot_table(slot)), (list(usccs),)):
        out.setdefault(uscc, {})[fp] = since
    return out


def apply(conn: Connection[Any], slot: str, changes: Changes) -> None:
    """Close (or, when opened at the same moment, delete) stored rows; insert new rows."""
    table = slot_table(slot)
    if changes.close:
        cols = [list(c) for c in zip(*changes.close, strict=True)]
        conn.execute(
            sql.SQL(
                "DELETE FROM {t} USING unnest(%s::text[], %s::text[], %s::timestamptz[]) AS c(uscc, fp, at) "
                "WHERE {t}.uscc = c.uscc AND {t}.fingerprint = c.fp AND upper_inf({t}.recorded) "
                "AND lower({t}.recorded) >= c.at"
            ).format(t=table),
            cols,
        )
        conn.execute(
            sql.SQL(
                "UPDATE {t} SET recorded = tstzrange(lower({t}.recorded), c.at) "
                "FROM unnest(%s::text[], %s::text[], %s::timestamptz[]) AS c(uscc, fp, at) "
                "WHERE {t}.uscc = c.uscc AND {t}.fingerprint = c.fp AND upper_inf({t}.recorded)"
            ).format(t=table),
            cols,
        )
    if changes.insert:
        copy_rows(conn, slot, changes.insert)


def copy_rows(conn: Connection[Any], slot: str, rows: Iterable[Row]) -> int:
    n = 0
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        slot_table(slot), sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    )
    with conn.cursor() as cur, cur.copy(query) as copy:
        for row in rows:
            copy.write_row(as_tuple(row))
            n += 1
    return n


def as_tuple(row: Row) -> tuple:
    item = row.item
    name = district = facet = member = None
    if item.kind == "basic_info":
        body = orjson.loads(item.body)
        name, district = body.get("name"), body.get("district_code")
    elif "/" in item.kind:  # a list row's facet (items.facets)
        body = orjson.loads(item.body)
        facet, member = body["facet"], body["member"]
    # Ranges as their text form: COPY parses them (much cheaper than psycopg's range dumper).
    effective = f"[{item.start or ''},{item.end or ''})"
    recorded = f'["{row.since.isoformat()}",{_quoted(row.until)})'
    return (
        row.uscc,
        item.kind,
        item.subject,
        effective,
        recorded,
        item.fingerprint,
        district,
        name,
        item.body,
        facet,
        member,
        DERIVATION,
    )


def _quoted(moment: datetime | None) -> str:
    return f'"{moment.isoformat()}"' if moment is not None else ""


def record_failures(conn: Connection[Any], failures: Sequence[tuple[str, int, str]]) -> None:
    """(uscc, position, error) of enterprises skipped by the projector or the rebuild."""
    if failures:
        cols = [list(c) for c in zip(*failures, strict=True)]
        conn.execute(
            "INSERT INTO projection_failures (uscc, position, error) "
            "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[]) "
            "ON CONFLICT (uscc, position) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at",
            cols,
        )


def failures(conn: Connection[Any], latest: int = 5) -> dict[str, Any]:
    """How many failures are recorded, and the latest few."""
    row = conn.execute("SELECT count(*) FROM projection_failures").fetchone()
    rows = conn.execute(
        "SELECT uscc, position, error, failed_at FROM projection_failures ORDER BY failed_at DESC, position DESC "
        "LIMIT %s",
        (latest,),
    ).fetchall()
    return {
        "count": int(row[0]) if row else 0,
        "latest": [{"uscc": u, "position": int(p), "error": e, "failed_at": at.isoformat()} for u, p, e, at in rows],
    }


def forget_failures_before(conn: Connection[Any], moment: datetime) -> None:
    """After a rebuild derived every enterprise again: failures older than it are settled."""
    conn.execute("DELETE FROM projection_failures WHERE failed_at < %s", (moment,))


ITEMS_AT = (
    "SELECT kind, subject, lower(effective), upper(effective), body::text FROM projection_items "
    "WHERE uscc = %s AND recorded @> %s::timestamptz AND effective @> %s::date"
)
# psycopg prepares ITEMS_AT after a few executions on a connection: its generic plan, which
# does not know the dates, can only find the enterprise's rows by the (uscc, kind) btree, since
# the list indexes are partial (migration 0008). Before 0008 it ANDed the list GiST index over
# the whole table into them: 50-150 ms instead of 0.3 ms at a million records.


def items_at(conn: Connection[Any], uscc: str, as_of: date, known_at: datetime) -> list[Item] | None:
    """The enterprise's items valid on `as_of` as held at `known_at`; None if unknown then."""
    return _items(conn.execute(ITEMS_AT, (uscc, known_at, as_of)).fetchall())


ITEMS_AT_MANY = (
    "SELECT q.n, i.kind, i.subject, lower(i.effective), upper(i.effective), i.body::text "
    "FROM unnest(%s::text[], %s::timestamptz[], %s::date[]) WITH ORDINALITY AS q(uscc, known_at, as_of, n) "
    "JOIN projection_items i ON i.uscc = q.uscc AND i.recorded @> q.known_at AND i.effective @> q.as_of"
)
# ITEMS_AT for several keys in one statement (the HTTP server's public views, batched by
# `api.batching`): a nested loop of (uscc, kind) index lookups, each row numbered by its key.


async def items_at_many_async(
    conn: AsyncConnection[Any], lookups: Sequence[tuple[str, date, datetime]]
) -> list[list[Item] | None]:
    """`items_at` of each (uscc, as_of, known_at), in one statement on an asyncio connection."""
    if not lookups:
        return []
    usccs, days, moments = zip(*lookups, strict=True)
    cursor = await conn.execute(ITEMS_AT_MANY, (list(usccs), list(moments), list(days)))
    rows: list[list[tuple]] = [[] for _ in lookups]
    for row in await cursor.fetchall():
        rows[row[0] - 1].append(row[1:])
    return [_items(r) for r in rows]


def _items(rows: Sequence[tuple]) -> list[Item] | None:
    if not rows:
        return None
    # jsonb's text has its own key order: back to the canonical form, as `items_of` writes it.
    return [Item(k, s, lo, hi, canonical(orjson.loads(b))) for k, s, lo, hi, b in rows if k != "known"]
