"""Read models of dated items derived per enterprise, stored bitemporally, rebuilt beside the live ones.

A subclass names its table and gives the pure function from an enterprise's history to its
items (`derive`); everything else is here, the same for every such model:

- storage: two physical slots `<table>_a|b` behind the view `<table>` that readers query;
  `projection_state` says which slot is live. Columns: uscc, kind, subject, effective daterange,
  recorded tstzrange, fingerprint, body jsonb, then the model's own (`extra_columns`, filled by
  `extras`). Every index leads by enterprise or kind, so tables can be partitioned later.
- the runner's step (`apply`): each enterprise the page touches is derived again at each new
  recorded time (`bitemporal.evolve`), in memory, before anything is written; an enterprise whose
  derivation raises is left as it was and recorded in `projection_failures`, the others commit.
- the rebuild: the idle slot emptied and its indexes dropped; one REPEATABLE READ snapshot of the
  log read by one worker process per core (each a hash partition of the enterprises), each
  enterprise's whole bitemporal history COPYed; VACUUM (ANALYZE), indexes built, the log written
  meanwhile applied; then, under the state lock, the last pages applied, the view pointed at the
  new slot and the position saved in one transaction. Readers see the old or the new slot,
  never a mix. Rebuilt rows equal incrementally built ones (the contract tests compare them).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import groupby
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper
from psycopg import Connection, sql

from adapters import gc_policy
from domain.context import RuleContext
from domain.history import AnyFact
from projections import log
from projections.bitemporal import Changes, Item, Row, evolve
from projections.log import EventRow
from projections.readmodel import (
    Page,
    Progress,
    ReadModel,
    RebuildReport,
    State,
    forget_failures_before,
    lock_states,
    record_failures,
    save_derivation,
    save_position,
)

log_ = logging.getLogger(__name__)
BASE_COLUMNS = ("uscc", "kind", "subject", "effective", "recorded", "fingerprint", "body")
CHUNK = 2000  # events per fetch from the rebuild's snapshot cursor; rows per COPY
PAGE = 2000  # log positions per transaction when catching up


class EnterpriseModel(ReadModel):
    table: ClassVar[str]
    """The view readers query; the slots are `<table>_a` and `<table>_b`."""
    extra_columns: ClassVar[tuple[str, ...]] = ()
    index_statements: ClassVar[str]
    """SQL function (slot text) → setof text: the CREATE INDEX statements of a slot (a migration's)."""
    drop_indexes: ClassVar[str]
    """SQL function (slot text): drops a slot's indexes (before a bulk load)."""

    @abstractmethod
    def derive(self, history: Sequence[AnyFact], ctx: RuleContext) -> list[Item]:
        """Every dated item of one enterprise from its raw history as known at a moment. Pure:
        the replay path calls it too, so that reads agree with the stored rows."""

    def extras(self, item: Item) -> tuple[Any, ...]:
        """The values of `extra_columns` for an item's row."""
        return ()

    def stored_tables(self) -> tuple[str, ...]:
        return (self.table,)

    def slot_table(self, slot: str) -> sql.Identifier:
        assert slot in ("a", "b")
        return sql.Identifier(f"{self.table}_{slot}")

    # --- the runner -------------------------------------------------------------------

    def apply(self, conn: Connection[Any], state: State, page: Page, ctx: RuleContext) -> int:
        if not page.touched:
            return 0
        usccs = sorted(page.touched)
        stored = self.open_rows(conn, state.slot, usccs)
        changes = Changes()
        failed: list[tuple[str, int, str]] = []
        for uscc in usccs:
            try:
                one = self.changes_of(uscc, page.history_rows.get(uscc, []), stored.get(uscc, {}), page, ctx)
            except Exception as exc:  # one enterprise's bug must not hold up the whole log
                failed.append(self.failure(uscc, page.last_of[uscc], exc))
                continue
            changes.close += one.close
            changes.insert += one.insert
        self.write(conn, state.slot, changes)
        record_failures(conn, self.name, failed)
        return len(changes.close) + len(changes.insert)

    def changes_of(
        self, uscc: str, rows: Sequence[EventRow], stored_open: dict[str, datetime], page: Page, ctx: RuleContext
    ) -> Changes:
        """One enterprise's row changes from its rows of `log.EVENTS` (decoded here, so that a
        record that cannot be decoded fails this enterprise only)."""
        facts = [one.fact for one in log.decode(page.mapper, rows)]
        return evolve(uscc, facts, stored_open, page.touched[uscc], lambda h: self.derive(h, ctx))

    def failure(self, uscc: str, position: int, exc: Exception) -> tuple[str, int, str]:
        log_.error(
            "read model %s: %s failed at log position %d; skipped, its rows left as they were",
            self.name,
            uscc,
            position,
            exc_info=exc,
        )
        return uscc, position, f"{type(exc).__name__}: {exc}"[:2000]

    def open_rows(self, conn: Connection[Any], slot: str, usccs: Sequence[str]) -> dict[str, dict[str, datetime]]:
        query = sql.SQL(
            "SELECT uscc, fingerprint, lower(recorded) FROM {} WHERE uscc = ANY(%s) AND upper_inf(recorded)"
        )
        out: dict[str, dict[str, datetime]] = {}
        for uscc, fp, since in conn.execute(query.format(self.slot_table(slot)), (list(usccs),)):
            out.setdefault(uscc, {})[fp] = since
        return out

    def write(self, conn: Connection[Any], slot: str, changes: Changes) -> None:
        """Close (or, when opened at the same moment, delete) stored rows; insert new rows."""
        table = self.slot_table(slot)
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
            self.copy_rows(conn, slot, changes.insert)

    def copy_rows(self, conn: Connection[Any], slot: str, rows: Iterable[Row]) -> int:
        n = 0
        columns = sql.SQL(", ").join(map(sql.Identifier, (*BASE_COLUMNS, *self.extra_columns)))
        query = sql.SQL("COPY {} ({}) FROM STDIN").format(self.slot_table(slot), columns)
        with conn.cursor() as cur, cur.copy(query) as copy:
            for row in rows:
                copy.write_row(self.as_tuple(row))
                n += 1
        return n

    def as_tuple(self, row: Row) -> tuple[Any, ...]:
        item = row.item
        # Ranges as their text form: COPY parses them (much cheaper than psycopg's range dumper).
        effective = f"[{item.start or ''},{item.end or ''})"
        until = f'"{row.until.isoformat()}"' if row.until is not None else ""
        recorded = f'["{row.since.isoformat()}",{until})'
        return (row.uscc, item.kind, item.subject, effective, recorded, item.fingerprint, item.body, *self.extras(item))

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
        workers = workers or max(1, min(os.cpu_count() or 1, 8))
        clock = _Steps()
        with psycopg.connect(conninfo, autocommit=True) as ctl:
            started = ctl.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
            live = lock_free_state(ctl, self.name).slot
            target = "b" if live == "a" else "a"
            ctl.execute(sql.SQL("TRUNCATE {}").format(self.slot_table(target)))
            ctl.execute(sql.SQL("SELECT {}(%s)").format(sql.Identifier(self.drop_indexes)), (target,))
        with psycopg.connect(conninfo) as reader, psycopg.connect(conninfo) as writer:
            # One snapshot for the whole build, shared by the worker processes (one per core):
            # each takes the enterprises of its hash partition.
            reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            reader.read_only = True
            with reader.transaction():
                position = log.head(reader)
                snapshot = reader.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
                if on_start:
                    on_start(position)
                events, rows = self._build_in_workers(
                    workers, conninfo, snapshot, position, target, mapper, ctx, on_progress
                )
            clock.lap("derive")
            with psycopg.connect(conninfo, autocommit=True) as conn:
                # Statistics, and the visibility map: index-only scans need all-visible pages.
                # Before the indexes exist, so that VACUUM has none to visit.
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(self.slot_table(target)))
            clock.lap("vacuum")
            self._create_indexes(conninfo, target)
            clock.lap("indexes")
            position = self._catch_up(writer, target, position, mapper, ctx, lock=False)
            with writer.transaction():
                if lock_states(writer, [self.name])[self.name].slot != live:
                    raise RuntimeError("another rebuild switched the read model meanwhile; run rebuild again")
                position = self._catch_up(writer, target, position, mapper, ctx, lock=True)
                writer.execute(
                    sql.SQL("CREATE OR REPLACE VIEW {} AS SELECT * FROM {}").format(
                        sql.Identifier(self.table), self.slot_table(target)
                    )
                )
                save_position(writer, self.name, position, target)
                save_derivation(writer, self.name, self.derivation)
                forget_failures_before(writer, self.name, started)
        with psycopg.connect(conninfo, autocommit=True) as ctl:
            ctl.execute("SET lock_timeout = '10s'")
            try:
                ctl.execute(sql.SQL("TRUNCATE {}").format(self.slot_table(live)))
            except psycopg.errors.LockNotAvailable:
                pass  # a long reader still on the old slot; the next rebuild empties it
        clock.lap("switch")
        return RebuildReport(self.name, target, events, rows, position, clock.seconds)

    def _build_in_workers(
        self,
        workers: int,
        conninfo: str,
        snapshot: str,
        position: int,
        target: str,
        mapper: Mapper[UUID],
        ctx: RuleContext,
        on_progress: Progress | None,
    ) -> tuple[int, int]:
        context = multiprocessing.get_context("fork")
        done = context.Queue()
        args = (conninfo, snapshot, position, target, mapper, ctx, done)
        procs = [context.Process(target=self._build_partition, args=(k, workers, *args)) for k in range(workers)]
        for proc in procs:
            proc.start()
        events = rows = finished = 0
        while finished < workers:
            kind, n_events, n_rows = done.get()
            events, rows = events + n_events, rows + n_rows
            finished += kind == "done"
            if kind == "failed":
                for proc in procs:
                    proc.kill()
                raise RuntimeError(f"a rebuild worker of {self.name} failed; the live read model is untouched")
            if on_progress:
                on_progress(events)
        for proc in procs:
            proc.join()
        return events, rows

    def _build_partition(
        self,
        k: int,
        workers: int,
        conninfo: str,
        snapshot: str,
        position: int,
        target: str,
        mapper: Mapper[UUID],
        ctx: RuleContext,
        done: Any,
    ) -> None:
        """Worker process: the enterprises with hash(uscc) mod workers = k, read in the shared
        snapshot, their whole bitemporal history computed by `evolve` and COPYed into the new slot."""
        events = rows = 0
        gc_policy.for_bulk_work()
        try:
            with psycopg.connect(conninfo) as reader, psycopg.connect(conninfo) as writer:
                reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                reader.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
                with reader.cursor(name="rebuild") as cur, writer.transaction():
                    cur.itersize = CHUNK
                    cur.execute(
                        log.EVENTS + " WHERE e.notification_id <= %s AND " + partition_of("hashtext(r.uscc)") + " = %s "
                        "ORDER BY r.uscc, r.notification_id",
                        (position, workers, k),
                    )
                    changes, reported = Changes(), 0
                    for uscc, group in groupby(cur, key=lambda r: r[5]):
                        batch = list(group)
                        events += len(batch)
                        try:
                            facts = [one.fact for one in log.decode(mapper, batch)]
                            one = evolve(uscc, facts, {}, [r[6] for r in batch], lambda h: self.derive(h, ctx))
                        except Exception as exc:  # skipped and recorded, like the runner does
                            record_failures(writer, self.name, [self.failure(uscc, batch[-1][0], exc)])
                            continue
                        changes.insert += one.insert
                        if len(changes.insert) >= CHUNK:
                            rows += self.copy_rows(writer, target, changes.insert)
                            changes = Changes()
                            done.put(("progress", events - reported, 0))
                            reported = events
                    rows += self.copy_rows(writer, target, changes.insert)
            done.put(("done", events - reported, rows))
        except BaseException:
            done.put(("failed", 0, 0))
            raise

    def _create_indexes(self, conninfo: str, slot: str) -> None:
        """The slot's indexes, the GiST ones (the longest to build) on a connection of their own
        while another builds the rest: CREATE INDEX takes a SHARE lock, so the builds run at once."""
        with psycopg.connect(conninfo, autocommit=True) as conn:
            query = sql.SQL("SELECT {}(%s)").format(sql.Identifier(self.index_statements))
            statements = [s for (s,) in conn.execute(query, (slot,))]

        def run(batch: list[str]) -> None:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                for statement in batch:
                    conn.execute(sql.SQL(statement))  # DDL from our own migration

        gist = [s for s in statements if "USING gist" in s]
        with ThreadPoolExecutor(2) as pool:
            for done in [pool.submit(run, gist), pool.submit(run, [s for s in statements if s not in gist])]:
                done.result()

    def _catch_up(
        self, conn: Connection[Any], slot: str, position: int, mapper: Mapper[UUID], ctx: RuleContext, *, lock: bool
    ) -> int:
        """Apply the log after `position` to the new slot (in its own transactions unless `lock`:
        then inside the caller's, which holds the state lock)."""
        state = State(self.name, slot, position, self.derivation)
        while True:
            if lock:
                page = Page(conn, mapper, log.next_page(conn, position, PAGE))
                if page.positions:
                    self.apply(conn, state, page, ctx)
            else:
                with conn.transaction():
                    page = Page(conn, mapper, log.next_page(conn, position, PAGE))
                    if page.positions:
                        self.apply(conn, state, page, ctx)
            if not page.positions:
                return position
            position = page.last


def partition_of(hash_sql: str) -> str:
    """SQL: the partition (0 … n-1, n the next parameter) of a 32-bit hash. Shifted into bigint
    rather than `abs()`: abs(hashtext(…)) raises "integer out of range" on -2147483648."""
    return f"mod({hash_sql}::bigint + 2147483648, %s)"


def lock_free_state(conn: Connection[Any], name: str) -> State:
    row = conn.execute(
        "SELECT name, slot, position, derivation FROM projection_state WHERE name = %s", (name,)
    ).fetchone()
    assert row is not None, f"projection_state has no row for {name}: migrations not applied?"
    return State(row[0], row[1], int(row[2]), int(row[3]))


class _Steps:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step], self._last = now - self._last, now
