"""Rebuild every read model from zero beside the live one, then switch in one transaction.

1. The idle slot is emptied and its indexes dropped (bulk load is faster without them).
2. In one REPEATABLE READ snapshot, the whole log up to its head is read enterprise by
   enterprise; each enterprise's full bitemporal history of rows is computed in memory by the
   same `timeline.evolve` the runner uses, and COPYed, closed ranges included.
3. The slot is VACUUMed and analysed, its indexes built (two at a time), and the log written
   meanwhile applied page by page.
4. Under the state lock: the last pages are applied, the view `projection_items` is pointed at
   the new slot and the position saved, in one transaction. Readers never wait for the build
   and see either the old or the new slot, never a mix. The old slot is then emptied.

An enterprise whose items cannot be derived is skipped (no rows in the new slot) and recorded in
`projection_failures`, like the runner does; failures recorded before the rebuild began are
forgotten at the switch (every enterprise was derived again).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import psycopg
from eventsourcing.persistence import Mapper
from psycopg import sql

from adapters import gc_policy
from domain.context import RuleContext
from projections import store
from projections.runner import PAGE, derive, failure, project_page
from projections.timeline import Changes

CHUNK = 2000  # events per fetch from the snapshot cursor


@dataclass
class RebuildReport:
    slot: str
    events: int
    rows: int
    position: int
    seconds: dict[str, float]
    """Wall time of each step: `derive` (the workers read, derive and COPY), `vacuum`,
    `indexes`, `switch` (the log written meanwhile, then the switch). What limits a rebuild
    shows here: deriving is Python and scales with cores; vacuum and indexes are PostgreSQL's."""


def rebuild(
    conninfo: str,
    mapper: Mapper,
    ctx: RuleContext,
    *,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> RebuildReport:
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    clock = _Steps()
    with psycopg.connect(conninfo, autocommit=True) as ctl:
        started = ctl.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
        live, _ = store.read_state(ctl)
        target = "b" if live == "a" else "a"
        ctl.execute(sql.SQL("TRUNCATE {}").format(store.slot_table(target)))
        ctl.execute("SELECT projection_drop_indexes(%s)", (target,))
    with psycopg.connect(conninfo) as reader, psycopg.connect(conninfo) as writer:
        # One snapshot for the whole build, shared by the worker processes (one per core):
        # each takes the enterprises of its hash partition.
        reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        reader.read_only = True
        with reader.transaction():
            position = store.head(reader)
            snapshot = reader.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            if on_start:
                on_start(position)
            context = multiprocessing.get_context("fork")
            done = context.Queue()
            args = (conninfo, snapshot, position, target, mapper, ctx, done)
            procs = [context.Process(target=_build_partition, args=(k, workers, *args)) for k in range(workers)]
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
                    raise RuntimeError("a rebuild worker failed; the live read model is untouched")
                if on_progress:
                    on_progress(events)
            for proc in procs:
                proc.join()
        clock.lap("derive")
        _vacuum_analyse(conninfo, target)
        clock.lap("vacuum")
        _create_indexes(conninfo, target)
        clock.lap("indexes")
        position = _catch_up(writer, target, position, mapper, ctx, lock=False)
        with writer.transaction():
            now_live, _ = store.lock_state(writer)
            if now_live != live:
                raise RuntimeError("another rebuild switched the read model meanwhile; run rebuild again")
            position = _catch_up(writer, target, position, mapper, ctx, lock=True)
            writer.execute(
                sql.SQL("CREATE OR REPLACE VIEW projection_items AS SELECT * FROM {}").format(store.slot_table(target))
            )
            store.save_position(writer, position, target)
            store.save_derivation(writer)
            store.forget_failures_before(writer, started)
    with psycopg.connect(conninfo, autocommit=True) as ctl:
        ctl.execute("SET lock_timeout = '10s'")
        try:
            ctl.execute(sql.SQL("TRUNCATE {}").format(store.slot_table(live)))
        except psycopg.errors.LockNotAvailable:
            pass  # a long reader still on the old slot; the next rebuild empties it
    clock.lap("switch")
    return RebuildReport(target, events, rows, position, clock.seconds)


class _Steps:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step], self._last = now - self._last, now


def _vacuum_analyse(conninfo: str, slot: str) -> None:
    """Statistics, and the visibility map: list pages are answered from the list indexes alone
    only where heap pages are all-visible (migration 0008). Run before the indexes exist, so
    that VACUUM has none to visit."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(store.slot_table(slot)))


def _create_indexes(conninfo: str, slot: str) -> None:
    """The slot's indexes, the GiST ones (the longest to build) on a connection of their own
    while another builds the rest: CREATE INDEX takes a SHARE lock, so the builds run at once."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        statements = [s for (s,) in conn.execute("SELECT projection_index_statements(%s)", (slot,))]

    def run(batch: list[str]) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            for statement in batch:
                conn.execute(statement)  # type: ignore[arg-type]  (DDL from our own migration)

    gist = [s for s in statements if "USING gist" in s]
    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(run, gist), pool.submit(run, [s for s in statements if s not in gist])]:
            done.result()


def partition_of(hash_sql: str) -> str:
    """SQL: the partition (0 … n-1, n the next parameter) of a 32-bit hash. Shifted into bigint
    rather than `abs()`: abs(hashtext(…)) raises "integer out of range" on -2147483648."""
    return f"mod({hash_sql}::bigint + 2147483648, %s)"


def _build_partition(
    k: int,
    workers: int,
    conninfo: str,
    snapshot: str,
    position: int,
    target: str,
    mapper: Mapper,
    ctx: RuleContext,
    done: Any,
) -> None:
    """Worker process: the enterprises with hash(uscc) mod workers = k, read in the shared snapshot,
    their whole bitemporal history computed by `evolve` and COPYed into the new slot."""
    events = rows = 0
    gc_policy.for_bulk_work()
    try:
        with psycopg.connect(conninfo) as reader, psycopg.connect(conninfo) as writer:
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            reader.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            with reader.cursor(name="rebuild") as cur, writer.transaction():
                cur.itersize = CHUNK
                cur.execute(
                    store.EVENTS + " WHERE e.notification_id <= %s AND " + partition_of("hashtext(r.uscc)") + " = %s "
                    "ORDER BY r.uscc, r.notification_id",
                    (position, workers, k),
                )
                changes, reported = Changes(), 0
                for uscc, group in groupby(cur, key=lambda r: r[5]):
                    batch = list(group)
                    events += len(batch)
                    try:
                        one = derive(uscc, batch, {}, [r[6] for r in batch], mapper, ctx)
                    except Exception as exc:  # skipped and recorded, like the runner does
                        store.record_failures(writer, [failure(uscc, batch[-1][0], exc)])
                        continue
                    changes.insert += one.insert
                    if len(changes.insert) >= CHUNK:
                        rows += store.copy_rows(writer, target, changes.insert)
                        changes = Changes()
                        done.put(("progress", events - reported, 0))
                        reported = events
                rows += store.copy_rows(writer, target, changes.insert)
        done.put(("done", events - reported, rows))
    except BaseException:
        done.put(("failed", 0, 0))
        raise


def _catch_up(
    conn: psycopg.Connection[Any],
    slot: str,
    position: int,
    mapper: Mapper,
    ctx: RuleContext,
    *,
    lock: bool,
) -> int:
    """Apply the log after `position` to the new slot (in its own transactions unless `lock`:
    then inside the caller's, which holds the state lock)."""
    while True:
        if lock:
            page = store.next_page(conn, position, PAGE)
            if page:
                project_page(conn, slot, page, mapper, ctx)
        else:
            with conn.transaction():
                page = store.next_page(conn, position, PAGE)
                if page:
                    project_page(conn, slot, page, mapper, ctx)
        if not page:
            return position
        position = page[-1][0]
