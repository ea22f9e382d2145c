"""Every read model the ledger runs passes the read-model contract (tests/contracts/read_model.py)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import psycopg

from api.bootstrap import Runtime
from domain.errors import EnterpriseNotFoundError
from projections import log, public_items, view
from projections.department_activity import DepartmentActivity, activity
from projections.public_items import Shown
from projections.registry import read_models
from tests.builders import make_uscc, registered
from tests.contracts.read_model import Question, ReadModelContract, killed_ledger  # noqa: F401  (its fixture)
from tests.integration.test_projection_parity import submit_in_steps


class TestPublicItems(ReadModelContract):
    """Question: (uscc, as_of, known_at) → the enterprise's items then, or None if unknown then."""

    model_name = public_items.NAME

    def read(self, conn: psycopg.Connection[Any], question: Question) -> Any:
        uscc, as_of, known_at = question
        found = public_items.items_at(conn, uscc, as_of, known_at)
        return None if found is None else sorted(found, key=Shown.sort_key)

    def replay(self, runtime: Runtime, question: Question) -> Any:
        uscc, as_of, known_at = question
        try:
            history = runtime.reads.history(uscc, known_at)
        except EnterpriseNotFoundError:
            return None
        return sorted(view.replay_items(history, as_of, runtime.rules), key=Shown.sort_key)

    def questions(
        self, conn: psycopg.Connection[Any], usccs: list[str], moments: list[datetime], rng: random.Random
    ) -> list[Question]:
        boundaries = sorted(
            {
                day
                for lo, hi in conn.execute("SELECT lower(effective), upper(effective) FROM projection_items")
                for d in (lo, hi)
                if d is not None
                for day in (d, d - timedelta(days=1))
            }
        )
        days = boundaries or [date(2024, 1, 1)]
        return [(rng.choice(usccs), rng.choice(days), rng.choice(moments)) for _ in range(30)]


class TestDepartmentActivity(ReadModelContract):
    """Question: (known_at, year) → records per department, type and year as known then."""

    model_name = "department_activity"

    def read(self, conn: psycopg.Connection[Any], question: Question) -> Any:
        known_at, year = question
        return sorted(
            (a["department"], a["record_type"], a["year"], a["records"]) for a in activity(conn, known_at, year)
        )

    def replay(self, runtime: Runtime, question: Question) -> Any:
        known_at, year = question
        with runtime.server.connect() as conn:
            logged = log.decode(runtime.store.mapper, log.events_between(conn, 0, log.head(conn)))
        counts = Counter(
            (one.fact.department, one.fact.type, one.fact.effective_on.year)
            for one in logged
            if one.fact.recorded_at is not None
            and one.fact.recorded_at <= known_at
            and (year is None or one.fact.effective_on.year == year)
        )
        return sorted((*key, n) for key, n in counts.items())

    def questions(
        self, conn: psycopg.Connection[Any], usccs: list[str], moments: list[datetime], rng: random.Random
    ) -> list[Question]:
        years: list[int | None] = [None, *range(2015, 2027)]
        return [(rng.choice(moments), rng.choice(years)) for _ in range(20)]


def test_every_registered_read_model_has_a_contract_test() -> None:
    tested = {cls.model_name for cls in ReadModelContract.__subclasses__()}
    assert {m.name for m in read_models()} <= tested


def test_a_log_model_rebuild_never_splits_the_records_of_one_commit(runtime: Runtime) -> None:
    """A rebuild folds the log in pages like the runner's: one commit of more records than a page
    holds stays whole (split, its records would give two rows of one recorded time)."""
    records = [registered(make_uscc(8800 + n), "2024-03-01", department="TJ-REG") for n in range(6)]
    submit_in_steps(runtime, [records])  # one department's run: one commit, one (department, type, year)
    runtime.projector.catch_up()
    (model,) = [m for m in runtime.read_models if m.name == "department_activity"]
    with runtime.server.connect() as conn:
        incremental = model.rows(conn)
    small = DepartmentActivity()
    small.rebuild_page = 2
    small.rebuild(runtime.server.conninfo, runtime.store.mapper, runtime.rules)
    with runtime.server.connect() as conn:
        assert model.rows(conn) == incremental
    assert len(records) > 2
