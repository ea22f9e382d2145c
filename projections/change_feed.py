"""The change feed: every change of list membership, of a public section and of the measures in
force, as CloudEvents 1.0 items other departments consume (issue 23; docs/feeds.md).

Seed 八(十五) asks for systems that are interconnected, 六(十) for joint punishment that runs
itself (联合奖惩自动化). For each commit that touches an enterprise, its public items are derived
again (`projections.items.items_of`, what the public view and the lists show), the items a feed
carries are compared with what the feed last said of that enterprise (`feed_state`), and each
difference becomes one CloudEvent in `feed_items`, keyed by the commit's last log position and
its rank in the commit. The id is a UUID of (USCC, recorded time, item, type): the same log gives
the same ids, in a rebuild and in a replay.

Withdrawals are items too: an item whose end moves earlier (a repair, a removal, an annulment)
or that is known to end (expiry, e.g. SDL-30's 3 years) says from when consumers must stop using
the data; an item that disappears altogether (a correction or retraction of what it rests on)
says to stop using all of it.

Gap-free pull: the rows and the model's position commit in one transaction, one runner at a
time (the `projection_state` row lock), in log order, so a reader that reads `feed_items` up to
the model's position (the safe watermark, read in the same snapshot) never sees a row after one
that a later commit could still add before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
import psycopg
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from eventsourcing.persistence import Mapper
from psycopg import Connection
from psycopg.types.json import Jsonb

from domain.context import RuleContext
from domain.history import AnyFact
from domain.measures import list_of_kind, measures_for, shown
from projections import log
from projections.bitemporal import Item
from projections.items import items_of
from projections.readmodel import (
    Page,
    Progress,
    ReadModel,
    RebuildReport,
    State,
    lock_states,
    record_failures,
    save_derivation,
    save_position,
)

NAME = "change_feed"
TYPE_PREFIX = "cn.gov.tj.scjg.credit."
SOURCE = "urn:tj-msc:credit-ledger"
ID_NAMESPACE = uuid.UUID("5b0a3c1e-6f5e-4d0b-9a47-2e3f1c7d2301")
NOTIFY_CHANNEL = "change_feed"
"""`NOTIFY` after a page that added items: wakes relays; never carries data."""

FEED_KINDS: dict[str, tuple[str, str, str]] = {
    "serious_list": ("serious", "listed", "removed"),
    "abnormal_list": ("abnormal", "listed", "removed"),
    "key_sector_list": ("key_sector", "listed", "removed"),
    "exposure_board": ("exposure", "published", "publication_stopped"),
    "penalty_publicity": ("penalty", "published", "publication_stopped"),
    "typical_case": ("case", "published", "publication_stopped"),
}
"""Derived item kind → (noun, verb at its start, verb at its end) of the CloudEvent type."""

FEED_TYPES = sorted(
    {f"{TYPE_PREFIX}{noun}.{verb}" for noun, start, end in FEED_KINDS.values() for verb in (start, end, "corrected")}
    | {f"{TYPE_PREFIX}measure.{verb}" for verb in ("imposed", "lifted")}
)

Entry = dict[str, Any]
Snapshot = dict[str, Entry]


def snapshot(items: Sequence[Item]) -> Snapshot:
    """What the feed says of an enterprise: its items of the feed's kinds, by (kind, subject, start)."""
    out: Snapshot = {}
    for item in items:
        if item.kind in FEED_KINDS:
            key = f"{item.kind}|{item.subject}|{item.start.isoformat() if item.start else ''}"
            out[key] = {
                "kind": item.kind,
                "subject": item.subject,
                "from": item.start.isoformat() if item.start else None,
                "until": item.end.isoformat() if item.end else None,
                "body": orjson.loads(item.body),
            }
    return out


REASONS = (  # the record types of the commit that explain a change, most specific first
    ("repair.granted", "repair"),
    ("repair.revoked", "repair_revoked"),
    ("penalty.revoked", "annulment"),
    ("serious.removed", "removal"),
    ("abnormal.removed", "removal"),
    ("record.retracted", "retraction"),
    ("record.corrected", "correction"),
)


def _reason(commit_types: set[str], fallback: str) -> str:
    for record_type, reason in REASONS:
        if record_type in commit_types:
            return reason
    return fallback


def changes(
    uscc: str,
    old: Snapshot,
    new: Snapshot,
    recorded_at: datetime,
    commit_types: set[str],
    ctx: RuleContext,
) -> list[dict[str, Any]]:
    """The CloudEvents (as JSON objects) that one commit's change of an enterprise makes: pure."""
    out: list[dict[str, Any]] = []

    def emit(key: str, entry: Entry, verb: str, extra: dict[str, Any]) -> None:
        noun = FEED_KINDS[entry["kind"]][0]
        kind_type = f"{TYPE_PREFIX}{noun}.{verb}"
        data = {
            "uscc": uscc,
            "kind": entry["kind"],
            "subject": entry["subject"],
            "from": entry["from"],
            "until": entry["until"],
            "rules": entry["body"].get("rules", []),
            "records": entry["body"].get("records", []),
            "public": entry["body"],
            **extra,
        }
        listed = list_of_kind(entry["kind"])
        measures = None
        if listed is not None and entry["from"]:
            measures = shown(measures_for(listed, date.fromisoformat(entry["from"]), ctx.reference), ctx.reference)
            data["measures"] = measures
        out.append(_event(uscc, recorded_at, key, kind_type, data))
        if measures is not None and verb in ("listed", "removed"):
            measure_type = f"{TYPE_PREFIX}measure.{'imposed' if verb == 'listed' else 'lifted'}"
            out.append(_event(uscc, recorded_at, key, measure_type, data))

    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if after is not None and before is None:
            emit(key, after, FEED_KINDS[after["kind"]][1], {"change": "start", "withdrawal": False})
            if after["until"] is not None:  # known to end (expiry): say so now
                reason = _reason(commit_types, "expiry")
                emit(key, after, FEED_KINDS[after["kind"]][2], _stop(after["until"], reason))
        elif after is None and before is not None:  # annulled, retracted or corrected away
            reason = _reason(commit_types, "correction")
            emit(key, before, FEED_KINDS[before["kind"]][2], _stop(before["from"], reason, whole=True))
        elif after is not None and before is not None:
            if after["until"] != before["until"]:
                ended_earlier = after["until"] is not None and (
                    before["until"] is None or after["until"] < before["until"]
                )
                if ended_earlier:
                    reason = _reason(commit_types, "expiry")
                    emit(key, after, FEED_KINDS[after["kind"]][2], _stop(after["until"], reason))
                else:  # the end moved later or went (e.g. a repair revoked): the item holds again
                    emit(key, after, FEED_KINDS[after["kind"]][1], {"change": "extended", "withdrawal": False})
            elif after["body"] != before["body"]:
                emit(key, after, "corrected", {"change": "corrected", "withdrawal": False})
    return out


def _stop(on: str | None, reason: str, whole: bool = False) -> dict[str, Any]:
    return {
        "change": "withdrawn" if whole else "end",
        "withdrawal": True,
        "stop_using_from": on,
        "reason": reason,
        "instruction": "stop using this data from stop_using_from"
        if not whole
        else "this item no longer holds at all: stop using it and delete copies",
    }


def _event(uscc: str, recorded_at: datetime, key: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    identity = f"{uscc}|{recorded_at.isoformat()}|{key}|{event_type}"
    event = CloudEvent(
        {
            "id": str(uuid.uuid5(ID_NAMESPACE, identity)),
            "source": SOURCE,
            "type": event_type,
            "subject": uscc,
            "time": recorded_at,
            "datacontenttype": "application/json",
        },
        data,
    )
    parsed: dict[str, Any] = orjson.loads(JSONFormat().write(event))
    return parsed


def replay(history: Sequence[AnyFact], uscc: str, ctx: RuleContext) -> list[dict[str, Any]]:
    """The feed items of one enterprise from its history alone (commit by commit)."""
    out: list[dict[str, Any]] = []
    old: Snapshot = {}
    moments = sorted({f.recorded_at for f in history if f.recorded_at is not None})
    for moment in moments:
        known = [f for f in history if f.recorded_at is not None and f.recorded_at <= moment]
        new = snapshot(items_of(known, ctx))
        types = {f.type for f in history if f.recorded_at == moment}
        out += changes(uscc, old, new, moment, types, ctx)
        old = new
    return out


class ChangeFeed(ReadModel):
    name = NAME
    title = "change feed: CloudEvents of list, publicity and measure changes for other departments"

    def stored_tables(self) -> tuple[str, ...]:
        return ("feed_items", "feed_state")

    def apply(self, conn: Connection[Any], state: State, page: Page, ctx: RuleContext) -> int:
        commits: dict[datetime, list[log.Position]] = {}
        for p in page.positions:
            if p.uscc is not None and p.recorded_at is not None:
                commits.setdefault(p.recorded_at, []).append(p)
        if not commits:
            return 0
        usccs = sorted({p.uscc for ps in commits.values() for p in ps if p.uscc})
        saved = {
            u: s
            for u, s in conn.execute("SELECT uscc, snapshot FROM feed_state WHERE uscc = ANY(%s)", (usccs,)).fetchall()
        }
        decoded: dict[str, list[log.Logged]] = {}
        failures: list[tuple[str, int, str]] = []
        rows: list[tuple[int, int, str, str, str, datetime, Jsonb]] = []
        changed: dict[str, Snapshot] = {}
        for recorded_at, positions in commits.items():
            last = positions[-1].id
            n = 0
            for uscc in dict.fromkeys(p.uscc for p in positions if p.uscc):
                try:
                    if uscc not in decoded:
                        decoded[uscc] = log.decode(page.mapper, page.history_rows.get(uscc, []))
                    facts = [one.fact for one in decoded[uscc] if one.position <= last]
                    new = snapshot(items_of(facts, ctx))
                except Exception as exc:  # one enterprise's failure must not stop the feed
                    failures.append((uscc, last, f"{type(exc).__name__}: {exc}"))
                    continue
                types = {one.fact.type for one in decoded[uscc] if one.fact.recorded_at == recorded_at}
                old = changed.get(uscc, saved.get(uscc, {}))
                for event in changes(uscc, old, new, recorded_at, types, ctx):
                    rows.append((last, n, event["id"], event["type"], uscc, recorded_at, Jsonb(event)))
                    n += 1
                changed[uscc] = new
        if rows:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO feed_items (position, n, id, type, uscc, recorded_at, event) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    rows,
                )
            conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
        if changed:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO feed_state (uscc, snapshot) VALUES (%s, %s) "
                    "ON CONFLICT (uscc) DO UPDATE SET snapshot = excluded.snapshot",
                    [(u, Jsonb(s)) for u, s in changed.items()],
                )
        record_failures(conn, self.name, failures)
        return len(rows)

    def rebuild(
        self,
        conninfo: str,
        mapper: Mapper[uuid.UUID],
        ctx: RuleContext,
        *,
        workers: int | None = None,
        on_start: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> RebuildReport:
        events = rows = 0
        with psycopg.connect(conninfo) as conn, conn.transaction():
            state = lock_states(conn, [self.name])[self.name]
            target = log.head(conn)
            if on_start:
                on_start(target)
            conn.execute("DELETE FROM feed_items")
            conn.execute("DELETE FROM feed_state")
            position = 0
            while position < target:
                positions = [p for p in log.next_page(conn, position, 2000) if p.id <= target]
                if not positions:
                    break
                rows += self.apply(conn, state, Page(conn, mapper, positions), ctx)
                events += len(positions)
                position = positions[-1].id
                if on_progress:
                    on_progress(events)
            save_position(conn, self.name, target)
            save_derivation(conn, self.name, self.derivation)
        return RebuildReport(self.name, state.slot, events, rows, target)


# --- reading --------------------------------------------------------------------------------

Cursor = tuple[int, int]


def parse_cursor(text: str | None) -> Cursor | None:
    """`<position>-<rank>`; None for the start. ValueError for anything else."""
    if text is None or text == "":
        return None
    position, _, rank = text.partition("-")
    if not position.isdigit() or not rank.isdigit():
        raise ValueError("not a feed cursor")
    return int(position), int(rank)


def cursor_text(cursor: Cursor) -> str:
    return f"{cursor[0]}-{cursor[1]}"


def read_page(
    conn: Connection[Any], types: Sequence[str] | None, after: Cursor | None, limit: int, uscc: str | None = None
) -> tuple[list[tuple[Cursor, dict[str, Any]]], int]:
    """Items after the cursor, of these types (None: every type), up to the safe watermark (the
    model's position, read in the same statement's snapshot); and the watermark."""
    position, rank = after or (0, -1)
    rows = conn.execute(
        "WITH w AS (SELECT position FROM projection_state WHERE name = %(name)s) "
        "SELECT f.position, f.n, f.event, w.position FROM w LEFT JOIN LATERAL ("
        " SELECT position, n, event FROM feed_items"
        " WHERE (position, n) > (%(p)s, %(r)s) AND position <= w.position"
        " AND (%(types)s::text[] IS NULL OR type = ANY(%(types)s))"
        " AND (%(uscc)s::text IS NULL OR uscc = %(uscc)s)"
        " ORDER BY position, n LIMIT %(limit)s) f ON true",
        {
            "name": NAME,
            "p": position,
            "r": rank,
            "types": list(types) if types is not None else None,
            "limit": limit,
            "uscc": uscc,
        },
    ).fetchall()
    watermark = int(rows[0][3]) if rows else 0
    return [((int(p), int(n)), event) for p, n, event, _ in rows if p is not None], watermark


def item_by_id(conn: Connection[Any], item_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT event FROM feed_items WHERE id = %s", (item_id,)).fetchone()
    return dict(row[0]) if row else None
