"""Reading every enterprise's history at once for a risk run (issue 19): one snapshot of the log,
scored in worker processes (one per core, each a hash partition of the enterprises, as a
rebuild reads), each history handed to the run's pure scoring function.

What it returns is compact: each enterprise's class, score, sector and district, and the digest
of its records (department, record_id, fingerprint), from which the run's input digest is made.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper
from psycopg import sql

from adapters import gc_policy
from domain.history import AnyFact
from domain.risk.run import ClassResult, enterprise_digest
from projections import log
from projections.enterprise_model import partition_of

Score = Callable[[str, Sequence[AnyFact]], ClassResult | None]
SCAN = (
    "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, r.uscc, r.recorded_at, "
    "r.department, r.record_id, r.fingerprint FROM ledger_events e "
    "JOIN record_log r ON r.notification_id = e.notification_id "
    "AND r.originator_id = e.originator_id AND r.originator_version = e.originator_version "
    "WHERE e.notification_id <= %s AND " + partition_of("hashtext(r.uscc)") + " = %s ORDER BY r.uscc, r.notification_id"
)
CHUNK = 2000


@dataclass
class Scanned:
    position: int
    """The log position the histories were read up to."""
    cut: datetime | None
    """The recorded time of the last record up to `position` (None: no record)."""
    results: list[ClassResult] = field(default_factory=list)
    digests: list[tuple[str, str]] = field(default_factory=list)
    events: int = 0


def scan(conninfo: str, mapper: Mapper[UUID], score: Score, *, workers: int | None = None) -> Scanned:
    """Every enterprise's history up to the log's head, scored."""
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    with psycopg.connect(conninfo) as reader:
        reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        reader.read_only = True
        with reader.transaction():
            position = log.head(reader)
            row = reader.execute(
                "SELECT max(recorded_at) FROM record_log WHERE notification_id <= %s", (position,)
            ).fetchone()
            out = Scanned(position, row[0] if row else None)
            if workers == 1:
                with reader.cursor(name="risk_scan") as cur:
                    cur.itersize = CHUNK
                    cur.execute(SCAN, (position, 1, 0))
                    for results, digests, events in _score(cur, mapper, score):
                        out.results += results
                        out.digests += digests
                        out.events += events
                return _sorted(out)
            snapshot = reader.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            context = multiprocessing.get_context("fork")
            done = context.Queue()
            procs = [
                context.Process(target=_partition, args=(k, workers, conninfo, snapshot, position, mapper, score, done))
                for k in range(workers)
            ]
            for proc in procs:
                proc.start()
            finished = 0
            while finished < workers:
                kind, results, digests, events = done.get()
                if kind == "failed":
                    for proc in procs:
                        proc.kill()
                    raise RuntimeError("a risk-run worker failed; nothing was recorded")
                finished += kind == "done"
                out.results += results
                out.digests += digests
                out.events += events
            for proc in procs:
                proc.join()
    return _sorted(out)


def _sorted(out: Scanned) -> Scanned:
    out.results.sort(key=lambda r: r.uscc)
    out.digests.sort()
    return out


def _score(
    rows: Iterable[tuple[Any, ...]], mapper: Mapper[UUID], score: Score
) -> Iterable[tuple[list[ClassResult], list[tuple[str, str]], int]]:
    results: list[ClassResult] = []
    digests: list[tuple[str, str]] = []
    events = 0
    for uscc, group in groupby(rows, key=lambda r: r[5]):
        batch = list(group)
        events += len(batch)
        digests.append((uscc, enterprise_digest(uscc, ((r[7], r[8], r[9]) for r in batch))))
        facts = [one.fact for one in log.decode(mapper, [r[:7] for r in batch])]
        found = score(uscc, facts)
        if found is not None:
            results.append(found)
        if len(digests) >= CHUNK:
            yield results, digests, events
            results, digests, events = [], [], 0
    yield results, digests, events


def _partition(
    k: int, workers: int, conninfo: str, snapshot: str, position: int, mapper: Mapper[UUID], score: Score, done: Any
) -> None:
    gc_policy.for_bulk_work()
    try:
        with psycopg.connect(conninfo) as reader:
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            reader.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            with reader.cursor(name="risk_scan") as cur:
                cur.itersize = CHUNK
                cur.execute(SCAN, (position, workers, k))
                for results, digests, events in _score(cur, mapper, score):
                    done.put(("progress", results, digests, events))
        done.put(("done", [], [], 0))
    except BaseException:
        done.put(("failed", [], [], 0))
        raise


class Scanner:
    """`application.ports.HistoryScan` over a database."""

    def __init__(self, conninfo: str, mapper: Mapper[UUID]) -> None:
        self.conninfo, self.mapper = conninfo, mapper

    def scan(self, score: Score, workers: int | None = None) -> Scanned:
        return scan(self.conninfo, self.mapper, score, workers=workers)
