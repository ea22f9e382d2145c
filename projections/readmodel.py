"""What a read model is, for the runner, the rebuild, the status and the benchmarks alike.

A read model is one module plus its migrations. It declares its name (its row in
`projection_state`, which holds its own log position: a new model catches up from zero while
the others go on serving), the tables it owns, how it applies a page of the log, how it is
rebuilt from zero, and how it is read. Two kinds cover what the ledger needs:

- `EnterpriseModel` (projections/bitemporal.py): dated items derived from each enterprise's
  whole history by one pure function, stored with recorded-time ranges (the public view and
  lists, `projections/public_items.py`);
- `LogModel` (below): rows folded from the records in log order (`projections/department_activity.py`).

The registry of the models a ledger runs is `projections/registry.py`; every model passes the
contract tests in tests/contracts/read_model.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import groupby
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper
from psycopg import Connection, sql

from domain.context import RuleContext
from projections import log
from projections.log import EventRow, Logged, Position

Progress = Callable[[int], None]


@dataclass(frozen=True)
class State:
    name: str
    slot: str
    position: int
    derivation: int


def lock_states(conn: Connection[Any], names: Sequence[str]) -> dict[str, State]:
    """The states of these models, locked until the transaction ends (one writer per model)."""
    rows = conn.execute(
        "SELECT name, slot, position, derivation FROM projection_state WHERE name = ANY(%s) ORDER BY name FOR UPDATE",
        (list(names),),
    ).fetchall()
    states = {r[0]: State(r[0], r[1], int(r[2]), int(r[3])) for r in rows}
    missing = set(names) - set(states)
    assert not missing, f"projection_state has no row for {sorted(missing)}: migrations not applied?"
    return states


def read_states(conn: Connection[Any]) -> dict[str, State]:
    rows = conn.execute("SELECT name, slot, position, derivation FROM projection_state ORDER BY name").fetchall()
    return {r[0]: State(r[0], r[1], int(r[2]), int(r[3])) for r in rows}


def lowest_position(conn: Connection[Any], names: Sequence[str]) -> int:
    """The position every one of the named read models has reached (0 if none is known)."""
    row = conn.execute("SELECT min(position) FROM projection_state WHERE name = ANY(%s)", (list(names),)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def save_position(conn: Connection[Any], name: str, position: int, slot: str | None = None) -> None:
    # A switch of slots (a rebuild) forgets the complete horizon: the projector sets it again
    # once the new slot reaches the head (projections/runner.py).
    conn.execute(
        "UPDATE projection_state SET position = %s, slot = coalesce(%s, slot), updated_at = clock_timestamp(), "
        "complete_until = CASE WHEN %s::text IS NULL THEN complete_until END WHERE name = %s",
        (position, slot, slot, name),
    )


def save_horizon(conn: Connection[Any], names: Sequence[str], head: int, horizon: datetime) -> None:
    """Those of `names` that have applied the log up to `head` hold every record recorded by
    `horizon` (taken under the event table's lock when `head` was the head: `log.horizon`)."""
    conn.execute(
        "UPDATE projection_state SET complete_until = %s WHERE name = ANY(%s) AND position >= %s "
        "AND (complete_until IS NULL OR complete_until < %s)",
        (horizon, list(names), head, horizon),
    )


def horizons(conn: Connection[Any]) -> dict[str, datetime | None]:
    """Each read model's complete horizon (None: not known yet)."""
    return {r[0]: r[1] for r in conn.execute("SELECT name, complete_until FROM projection_state").fetchall()}


def save_derivation(conn: Connection[Any], name: str, value: int) -> None:
    conn.execute("UPDATE projection_state SET derivation = %s WHERE name = %s", (value, name))


class Page:
    """One page of the log, as the models applying it at one position share it: the records
    it holds and, loaded once for all models that ask, the whole histories of its enterprises."""

    def __init__(self, conn: Connection[Any], mapper: Mapper[UUID], positions: Sequence[Position]) -> None:
        self.conn = conn
        self.mapper = mapper
        self.positions = list(positions)
        self.first = self.positions[0].id if self.positions else 0
        self.last = self.positions[-1].id if self.positions else 0

    @cached_property
    def touched(self) -> dict[str, set[datetime]]:
        """Each enterprise of the page and the recorded times at which its records arrived."""
        out: dict[str, set[datetime]] = defaultdict(set)
        for p in self.positions:
            if p.uscc is not None and p.recorded_at is not None:
                out[p.uscc].add(p.recorded_at)
        return out

    @cached_property
    def last_of(self) -> dict[str, int]:
        """Each enterprise's last position in the page."""
        return {p.uscc: p.id for p in self.positions if p.uscc is not None}

    @cached_property
    def history_rows(self) -> dict[str, list[EventRow]]:
        """Each touched enterprise's events up to the page's end (not decoded: decoding can fail
        for one enterprise, which must not fail the others)."""
        rows = log.histories(self.conn, sorted(self.touched), self.last)
        return {uscc: list(group) for uscc, group in groupby(rows, key=lambda r: r[5])}

    @cached_property
    def records(self) -> list[Logged]:
        """The page's own records, decoded, in log order."""
        return log.decode(self.mapper, log.events_between(self.conn, self.first - 1, self.last))


@dataclass
class RebuildReport:
    model: str
    slot: str
    events: int
    rows: int
    position: int
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each step (e.g. `derive`, `vacuum`, `indexes`, `switch`)."""


class ReadModel(ABC):
    name: ClassVar[str]
    """Its row in `projection_state` (and in `projection_failures`): stored, never rename."""
    title: ClassVar[str]
    """What it holds, in a few words (status, docs)."""
    derivation: ClassVar[int] = 1
    """What this code derives. Raise it when a change of the code changes rows already stored:
    the status then says `rebuild_needed` for a ledger projected by older code."""

    @abstractmethod
    def apply(self, conn: Connection[Any], state: State, page: Page, ctx: RuleContext) -> int:
        """Apply one page inside the runner's transaction (the position is saved by the runner
        in the same transaction); the number of rows changed."""

    @abstractmethod
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
        """Derive everything again from zero and switch readers to it at once, as of one
        position; readers keep their answers meanwhile."""

    @abstractmethod
    def stored_tables(self) -> tuple[str, ...]:
        """The tables (or views over the live slot) that hold its rows."""

    def rows(self, conn: Connection[Any]) -> list[tuple[Any, ...]]:
        """Every stored row of the live tables, as text, sorted: what two builds must agree on."""
        out: list[tuple[Any, ...]] = []
        for table in self.stored_tables():
            query = sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(sql.Identifier(table))
            out += [(table, *r) for r in conn.execute(query)]
        return out


class LogModel(ReadModel):
    """Rows folded from the records in log order. Small models: a rebuild refolds the whole log
    in one transaction, deleting (not truncating) the old rows, so readers keep them meanwhile."""

    rebuild_page: ClassVar[int] = 5_000
    """Log positions folded at a time by a rebuild (more when a commit holds more records)."""

    @abstractmethod
    def fold(self, conn: Connection[Any], records: Sequence[Logged], ctx: RuleContext) -> int:
        """Apply these records, in log order; rows changed."""

    @abstractmethod
    def clear(self, conn: Connection[Any]) -> None:
        """Delete every row (inside the rebuild's transaction)."""

    def apply(self, conn: Connection[Any], state: State, page: Page, ctx: RuleContext) -> int:
        return self.fold(conn, page.records, ctx)

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
            self.clear(conn)
            position = 0
            while position < target:
                # Pages as the runner's: the records of one commit never split between two folds.
                page = log.next_page(conn, position, self.rebuild_page)
                upto = min(page[-1].id, target) if page else target
                records = log.decode(mapper, log.events_between(conn, position, upto))
                rows += self.fold(conn, records, ctx)
                events += len(records)
                position = upto
                if on_progress:
                    on_progress(events)
            save_position(conn, self.name, target)
            save_derivation(conn, self.name, self.derivation)
        return RebuildReport(self.name, state.slot, events, rows, target)


def record_failures(conn: Connection[Any], model: str, failures: Sequence[tuple[str, int, str]]) -> None:
    """(uscc, position, error) of enterprises a model skipped (the runner or a rebuild)."""
    if failures:
        cols = [list(c) for c in zip(*failures, strict=True)]
        conn.execute(
            "INSERT INTO projection_failures (read_model, uscc, position, error) "
            "SELECT %s, * FROM unnest(%s::text[], %s::bigint[], %s::text[]) "
            "ON CONFLICT (read_model, uscc, position) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at",
            [model, *cols],
        )


def failures(conn: Connection[Any], latest: int = 5) -> dict[str, Any]:
    """How many failures are recorded, and the latest few."""
    row = conn.execute("SELECT count(*) FROM projection_failures").fetchone()
    rows = conn.execute(
        "SELECT read_model, uscc, position, error, failed_at FROM projection_failures "
        "ORDER BY failed_at DESC, position DESC LIMIT %s",
        (latest,),
    ).fetchall()
    return {
        "count": int(row[0]) if row else 0,
        "latest": [
            {"read_model": m, "uscc": u, "position": int(p), "error": e, "failed_at": at.isoformat()}
            for m, u, p, e, at in rows
        ],
    }


def forget_failures_before(conn: Connection[Any], model: str, moment: datetime) -> None:
    """After a rebuild derived every enterprise again: that model's older failures are settled."""
    conn.execute("DELETE FROM projection_failures WHERE read_model = %s AND failed_at < %s", (model, moment))
