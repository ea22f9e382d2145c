"""The risk-class read model (issue 19, docs/risk.md): what class an enterprise had on a date, as
the ledger knew it at a moment. Internal (RISK-02): only the risk routes read it.

It follows the log like every read model, from its own position:

- an effective run (a `RiskRun` aggregate: events without a record_log row, their recorded time
  in risk_run_log) becomes a `risk_runs` row and one `risk_run_classes` row per enterprise, all
  applied with the page that holds the run's first event (the run was committed whole);
- an enterprise whose page records may be special cases (`domain.risk.rescore.TRIGGER_TYPES`),
  or that a new run did not see in time, is derived again: its re-scores are bitemporal rows of
  `risk_rescores` (effective date, recorded range), changed as `projections.bitemporal` changes
  items, at the recorded times of its records and of the runs.

The class on `as_of` known at `known_at`: the latest run dated on or before `as_of` recorded by
`known_at`, unless a re-score held at `known_at` is dated after that run (or stands in for it).
Rebuilt from zero in one transaction, page by page as the runner applies them (rows deleted,
not truncated: readers keep the old rows until it commits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any
from uuid import UUID

import orjson
import psycopg
from eventsourcing.persistence import Mapper, StoredEvent
from psycopg import Connection

from adapters.risk_store import load_book
from domain.context import RuleContext
from domain.history import AnyFact
from domain.risk.model import ModelBook
from domain.risk.rescore import TRIGGER_TYPES, Rescore, RunRef, rescores
from domain.risk.run import RiskRun
from projections import log
from projections.bitemporal import Changes, Item, Row, canonical
from projections.lists import decode_cursor, encode_cursor
from projections.readmodel import (
    Page,
    Progress,
    ReadModel,
    RebuildReport,
    lock_states,
    save_derivation,
    save_position,
)

NAME = "risk_classes"
TABLES = ("risk_runs", "risk_run_classes", "risk_rescores")
PAGE = 2000


class RiskClasses(ReadModel):
    name = NAME
    title = "risk classes A-D (internal, RISK-02): effective runs and special-case re-scores"
    derivation = 1

    def __init__(self) -> None:
        self._book: tuple[tuple[Any, ...], ModelBook] | None = None

    def stored_tables(self) -> tuple[str, ...]:
        return TABLES

    # --- the runner -------------------------------------------------------------------

    def apply(self, conn: Connection[Any], state: Any, page: Page, ctx: RuleContext) -> int:
        if not page.positions:
            return 0
        changed = 0
        work: dict[str, set[datetime]] = {}
        unlogged = [p.id for p in page.positions if p.uscc is None]
        if unlogged:
            for run in self._runs_in(conn, page.mapper, unlogged):
                changed += self._store_run(conn, run)
                # Special cases recorded after the run's input cut but before the run: it did not
                # see them; re-derive those enterprises at the run's recorded time.
                for (uscc,) in conn.execute(
                    "SELECT DISTINCT uscc FROM record_log WHERE recorded_at > coalesce(%s, '-infinity'::timestamptz) "
                    "AND recorded_at < %s AND record_type = ANY(%s)",
                    (run["input_cut"], run["recorded_at"], sorted(TRIGGER_TYPES)),
                ):
                    work.setdefault(uscc, set()).add(run["recorded_at"])
        for uscc, at in conn.execute(
            "SELECT uscc, recorded_at FROM record_log WHERE notification_id > %s AND notification_id <= %s "
            "AND record_type = ANY(%s)",
            (page.first - 1, page.last, sorted(TRIGGER_TYPES)),
        ):
            work.setdefault(uscc, set()).add(at)
        if work:
            changed += self._rescore(conn, page.mapper, work, page.last, ctx)
        return changed

    def _runs_in(self, conn: Connection[Any], mapper: Mapper[UUID], positions: Sequence[int]) -> list[dict[str, Any]]:
        """The runs whose first event is at one of these positions, decoded whole."""
        firsts = conn.execute(
            "SELECT e.notification_id, e.originator_id, l.recorded_at FROM ledger_events e "
            "JOIN risk_run_log l ON l.notification_id = e.notification_id "
            "WHERE e.notification_id = ANY(%s) AND e.originator_version = 1 ORDER BY e.notification_id",
            (list(positions),),
        ).fetchall()
        out = []
        for position, originator_id, recorded_at in firsts:
            events = [
                mapper.to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))
                for version, topic, state in conn.execute(
                    "SELECT originator_version, topic, state FROM ledger_events WHERE originator_id = %s "
                    "ORDER BY originator_version",
                    (originator_id,),
                )
            ]
            header = events[0]
            assert isinstance(header, RiskRun.Recorded), f"position {position}: not a risk run"
            entries = [e for ev in events[1:] if isinstance(ev, RiskRun.Classified) for e in ev.entries]
            out.append(
                {
                    "run_id": header.originator_id,
                    "position": int(position),
                    "recorded_at": recorded_at,
                    "on_date": header.on,
                    "model_version": header.model_version,
                    "model_digest": header.model_digest,
                    "input_position": header.input_position,
                    "input_cut": None if header.input_cut is None else datetime.fromisoformat(header.input_cut),
                    "input_digest": header.input_digest,
                    "department": header.department,
                    "operator": header.operator,
                    "distribution": header.distribution,
                    "entries": entries,
                }
            )
        return out

    def _store_run(self, conn: Connection[Any], run: dict[str, Any]) -> int:
        columns = [k for k in run if k != "entries"]
        conn.execute(
            f"INSERT INTO risk_runs ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            [orjson.dumps(run[c]).decode() if c == "distribution" else run[c] for c in columns],
        )
        with (
            conn.cursor() as cur,
            cur.copy("COPY risk_run_classes (run_id, uscc, class, score, sector, district) FROM STDIN") as copy,
        ):
            for uscc, risk_class, score, sector, district in run["entries"]:
                copy.write_row((run["run_id"], uscc, risk_class, score, sector, district))
        return 1 + len(run["entries"])

    def _rescore(
        self, conn: Connection[Any], mapper: Mapper[UUID], work: dict[str, set[datetime]], upto: int, ctx: RuleContext
    ) -> int:
        book = self.book(conn)
        runs = run_refs(conn)
        usccs = sorted(work)
        stored: dict[str, dict[str, datetime]] = {}
        for uscc, fp, since in conn.execute(
            "SELECT uscc, fingerprint, lower(recorded) FROM risk_rescores WHERE uscc = ANY(%s) AND upper_inf(recorded)",
            (usccs,),
        ):
            stored.setdefault(uscc, {})[fp] = since
        changes = Changes()
        rows = log.histories(conn, usccs, upto)
        for uscc, group in groupby(rows, key=lambda r: r[5]):
            history = [one.fact for one in log.decode(mapper, list(group))]
            evolve_at(uscc, history, stored.get(uscc, {}), work[uscc], derive_with(runs, book, ctx), changes)
        write(conn, changes)
        return len(changes.close) + len(changes.insert)

    def book(self, conn: Connection[Any]) -> ModelBook:
        """The models, read again only when one was loaded since."""
        row = conn.execute("SELECT count(*), max(loaded_at) FROM risk_models").fetchone()
        key = tuple(row) if row else ()
        if self._book is None or self._book[0] != key:
            self._book = (key, load_book(conn))
        return self._book[1]

    # --- the rebuild ------------------------------------------------------------------

    def rebuild(
        self,
        conninfo: str,
        mapper: Mapper[UUID],
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
            for table in TABLES:
                conn.execute(f"DELETE FROM {table}")
            position = 0
            while position < target:
                page = Page(conn, mapper, [p for p in log.next_page(conn, position, PAGE) if p.id <= target])
                if not page.positions:
                    break
                rows += self.apply(conn, state, page, ctx)
                events += len(page.positions)
                position = page.last
                if on_progress:
                    on_progress(events)
            save_position(conn, self.name, target)
            save_derivation(conn, self.name, self.derivation)
        return RebuildReport(self.name, state.slot, events, rows, target)


# --- bitemporal re-scores ---------------------------------------------------------------


def item_of(rescore: Rescore) -> Item:
    a = rescore.assessment
    body = {
        "on": rescore.on.isoformat(),
        "class": a.risk_class,
        "score": a.score,
        "score_class": a.score_class,
        "sector": a.sector,
        "district": a.district,
        "model_version": a.model_version,
        "for_run": rescore.for_run,
        "cause": {"department": rescore.cause[0], "record_id": rescore.cause[1], "kind": rescore.cause_kind},
        "history_cut": rescore.history_cut.isoformat(),
    }
    subject = "\x1f".join((*rescore.cause, rescore.for_run or "", rescore.on.isoformat()))
    return Item("rescore", subject, rescore.on, None, canonical(body))


DeriveAt = Callable[[Sequence[AnyFact], datetime], list[Item]]


def derive_with(runs: Sequence[RunRef], book: ModelBook, ctx: RuleContext) -> DeriveAt:
    def derive(history: Sequence[AnyFact], at: datetime) -> list[Item]:
        known = [r for r in runs if r.recorded_at <= at]
        return [item_of(r) for r in rescores(history, known, book, ctx)]

    return derive


def evolve_at(
    uscc: str,
    history: Sequence[AnyFact],
    stored_open: dict[str, datetime],
    moments: Iterable[datetime],
    derive: DeriveAt,
    changes: Changes,
) -> Changes:
    """`projections.bitemporal.evolve`, for a derivation that depends on the moment as well as on
    the history known then (the runs known then)."""
    current: dict[str, tuple[Item | None, datetime, bool]] = {fp: (None, at, True) for fp, at in stored_open.items()}
    count = 0
    for at in sorted(set(moments)):
        while count < len(history) and (history[count].recorded_at or at) <= at:
            count += 1
        derived = {item.fingerprint: item for item in derive(history[:count], at)}
        for fp in [fp for fp in current if fp not in derived]:
            item, since, stored = current.pop(fp)
            if stored:
                changes.close.append((uscc, fp, at))
            elif since < at and item is not None:
                changes.insert.append(Row(uscc, item, since, at))
        for fp, item in derived.items():
            if fp not in current:
                current[fp] = (item, at, False)
    for item, since, stored in current.values():
        if not stored and item is not None:
            changes.insert.append(Row(uscc, item, since, None))
    return changes


def write(conn: Connection[Any], changes: Changes) -> None:
    if changes.close:
        cols = [list(c) for c in zip(*changes.close, strict=True)]
        conn.execute(
            "DELETE FROM risk_rescores t USING unnest(%s::text[], %s::text[], %s::timestamptz[]) AS c(uscc, fp, at) "
            "WHERE t.uscc = c.uscc AND t.fingerprint = c.fp AND upper_inf(t.recorded) AND lower(t.recorded) >= c.at",
            cols,
        )
        conn.execute(
            "UPDATE risk_rescores t SET recorded = tstzrange(lower(t.recorded), c.at) "
            "FROM unnest(%s::text[], %s::text[], %s::timestamptz[]) AS c(uscc, fp, at) "
            "WHERE t.uscc = c.uscc AND t.fingerprint = c.fp AND upper_inf(t.recorded)",
            cols,
        )
    if changes.insert:
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY risk_rescores (uscc, on_date, recorded, fingerprint, class, score, sector, district, for_run, body) "
                "FROM STDIN"
            ) as copy,
        ):
            for row in changes.insert:
                body = orjson.loads(row.item.body)
                until = f'"{row.until.isoformat()}"' if row.until is not None else ""
                copy.write_row(
                    (
                        row.uscc,
                        row.item.start,
                        f'["{row.since.isoformat()}",{until})',
                        row.item.fingerprint,
                        body["class"],
                        body["score"],
                        body["sector"],
                        body["district"],
                        body["for_run"],
                        row.item.body,
                    )
                )


def run_refs(conn: Connection[Any]) -> list[RunRef]:
    return [
        RunRef(str(run_id), on, version, cut, at)
        for run_id, on, version, cut, at in conn.execute(
            "SELECT run_id, on_date, model_version, input_cut, recorded_at FROM risk_runs ORDER BY recorded_at"
        )
    ]


# --- reads ------------------------------------------------------------------------------

RUN_COLUMNS = (
    "run_id, position, recorded_at, on_date, model_version, model_digest, input_position, input_cut, input_digest, "
    "department, operator, distribution"
)


def _run(row: Sequence[Any]) -> dict[str, Any]:
    keys = [c.strip() for c in RUN_COLUMNS.split(",")]
    return dict(zip(keys, row, strict=True))


def run_in_force(conn: Connection[Any], as_of: date, known_at: datetime) -> dict[str, Any] | None:
    """The latest effective run dated on or before `as_of` that the ledger held at `known_at`."""
    row = conn.execute(
        f"SELECT {RUN_COLUMNS} FROM risk_runs WHERE on_date <= %s AND recorded_at <= %s "
        "ORDER BY on_date DESC, recorded_at DESC LIMIT 1",
        (as_of, known_at),
    ).fetchone()
    return None if row is None else _run(row)


def run(conn: Connection[Any], run_id: UUID) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {RUN_COLUMNS} FROM risk_runs WHERE run_id = %s", (run_id,)).fetchone()
    return None if row is None else _run(row)


RESCORES_HELD = (
    "FROM risk_rescores s WHERE s.on_date <= %(as_of)s AND s.recorded @> %(known_at)s::timestamptz "
    "AND (%(run_on)s::date IS NULL OR s.on_date > %(run_on)s::date OR s.for_run = %(run_id)s::uuid)"
)


def class_at(conn: Connection[Any], uscc: str, as_of: date, known_at: datetime) -> dict[str, Any] | None:
    """The enterprise's class on `as_of` as known at `known_at`, with where it comes from (a run,
    or a re-score and its cause); None when it had none."""
    in_force = run_in_force(conn, as_of, known_at)
    params = {
        "uscc": uscc,
        "as_of": as_of,
        "known_at": known_at,
        "run_on": in_force["on_date"] if in_force else None,
        "run_id": in_force["run_id"] if in_force else None,
    }
    row = conn.execute(
        "SELECT s.body::text, lower(s.recorded) " + RESCORES_HELD + " AND s.uscc = %(uscc)s "
        "ORDER BY s.on_date DESC, lower(s.recorded) DESC, s.fingerprint DESC LIMIT 1",
        params,
    ).fetchone()
    if row is not None:
        body = orjson.loads(row[0])
        return {
            "basis": "special_case",
            "class": body["class"],
            "score": body["score"],
            "sector": body["sector"],
            "district": body["district"],
            "model_version": body["model_version"],
            "on": date.fromisoformat(body["on"]),
            "run_id": body["for_run"],
            "recorded_at": row[1],
            "history_cut": datetime.fromisoformat(body["history_cut"]),
            "cause": body["cause"],
        }
    if in_force is None:
        return None
    found = conn.execute(
        "SELECT class, score, sector, district FROM risk_run_classes WHERE run_id = %s AND uscc = %s",
        (in_force["run_id"], uscc),
    ).fetchone()
    if found is None:
        return None
    return {
        "basis": "run",
        "class": found[0],
        "score": found[1],
        "sector": found[2],
        "district": found[3],
        "model_version": in_force["model_version"],
        "on": in_force["on_date"],
        "run_id": str(in_force["run_id"]),
        "recorded_at": in_force["recorded_at"],
        "history_cut": in_force["input_cut"],
        "cause": None,
    }


def members(
    conn: Connection[Any],
    as_of: date,
    known_at: datetime,
    *,
    risk_class: str | None = None,
    sector: str | None = None,
    district: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """The enterprises of a class (or every class) on `as_of` as known at `known_at`, in USCC
    order, paged by cursor (the token of the other lists)."""
    in_force = run_in_force(conn, as_of, known_at)
    after = decode_cursor(cursor)[0] if cursor else ""
    params: dict[str, Any] = {
        "as_of": as_of,
        "known_at": known_at,
        "run_on": in_force["on_date"] if in_force else None,
        "run_id": in_force["run_id"] if in_force else None,
        "class": risk_class,
        "sector": sector,
        "district": district,
        "after": after,
        "limit": limit + 1,
    }
    filters = (
        " AND (%(class)s::text IS NULL OR {a}.class = %(class)s) AND (%(sector)s::text IS NULL OR {a}.sector = %(sector)s)"
        " AND (%(district)s::text IS NULL OR {a}.district = %(district)s) AND {a}.uscc > %(after)s"
    )
    query = (
        "WITH s AS MATERIALIZED (SELECT DISTINCT ON (s.uscc) s.uscc, s.class, s.score, s.sector, s.district "
        + RESCORES_HELD
        + " ORDER BY s.uscc, s.on_date DESC, lower(s.recorded) DESC, s.fingerprint DESC) "
        "SELECT * FROM ("
        "(SELECT b.uscc, b.class, b.score, b.sector, b.district, 'run' AS basis FROM risk_run_classes b "
        "WHERE b.run_id = %(run_id)s::uuid"
        + filters.format(a="b")
        + " AND NOT EXISTS (SELECT 1 FROM s WHERE s.uscc = b.uscc) "
        "ORDER BY b.uscc LIMIT %(limit)s) "
        "UNION ALL (SELECT s.uscc, s.class, s.score, s.sector, s.district, 'special_case' FROM s WHERE true"
        + filters.format(a="s")
        + " ORDER BY s.uscc LIMIT %(limit)s)) x ORDER BY uscc LIMIT %(limit)s"
    )
    found = conn.execute(query, params).fetchall()
    more = len(found) > limit
    found = found[:limit]
    names = _names(conn, [r[0] for r in found], as_of, known_at)
    return {
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "class": risk_class,
        "run_id": None if in_force is None else str(in_force["run_id"]),
        "members": [
            {
                "uscc": uscc,
                "name": names.get(uscc),
                "class": c,
                "score": score,
                "sector": s,
                "district_code": d,
                "basis": basis,
            }
            for uscc, c, score, s, d, basis in found
        ],
        "next_cursor": encode_cursor((found[-1][0], "", "")) if more and found else None,
    }


def _names(conn: Connection[Any], usccs: list[str], as_of: date, known_at: datetime) -> dict[str, str]:
    """The enterprises' names from the public items (basic information) then."""
    if not usccs:
        return {}
    rows = conn.execute(
        "SELECT DISTINCT ON (uscc) uscc, name FROM projection_items WHERE uscc = ANY(%s) AND kind = 'basic_info' "
        "AND recorded @> %s::timestamptz ORDER BY uscc, upper(effective) DESC NULLS FIRST",
        (usccs, known_at),
    ).fetchall()
    return {u: n for u, n in rows if n}
