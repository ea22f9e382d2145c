"""Every read model the ledger runs passes the read-model contract (tests/contracts/read_model.py)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest

from api.bootstrap import Runtime
from application.risk import RunRequest
from bench.generate import generate
from domain.errors import EnterpriseNotFoundError
from domain.history import resolve
from domain.risk.rescore import RunRef, rescores
from domain.rules import repair_case as repair_case_rules
from projections import log, public_items, repair_cases, risk_classes, view
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


class TestRiskClasses(ReadModelContract):
    """Question: (uscc, as_of, known_at) → the enterprise's class then (class, score, basis), or None.

    The contract's projection and rebuild tests are run here with effective risk runs recorded
    between the steps (the generator records none), so that classes come from runs as well as from
    special-case re-scores; the SIGKILL test is the contract's own (re-scores only)."""

    model_name = risk_classes.NAME

    def read(self, conn: psycopg.Connection[Any], question: Question) -> Any:
        uscc, as_of, known_at = question
        found = risk_classes.class_at(conn, uscc, as_of, known_at)
        return None if found is None else (found["class"], found["score"], found["basis"], str(found["run_id"]))

    def replay(self, runtime: Runtime, question: Question) -> Any:
        """From the events alone: the runs (RiskRun events and their recorded times) and the
        enterprise's history as known at `known_at`, through `domain.risk`."""
        uscc, as_of, known_at = question
        runs = [r for r in _logged_runs(runtime) if r["recorded_at"] <= known_at]
        book = runtime.risk.book()
        in_force = max((r for r in runs if r["on"] <= as_of), key=lambda r: (r["on"], r["recorded_at"]), default=None)
        try:
            history = runtime.reads.history(uscc, known_at)
        except EnterpriseNotFoundError:
            history = []
        refs = [RunRef(str(r["id"]), r["on"], r["model"], r["cut"], r["recorded_at"]) for r in runs]
        held = []
        for one in rescores(history, refs, book, runtime.rules):
            run = next((r for r in runs if str(r["id"]) == one.for_run), None)
            since = max(one.history_cut, run["recorded_at"]) if run else one.history_cut
            if one.on > as_of:
                continue
            if in_force is not None and not (one.on > in_force["on"] or one.for_run == str(in_force["id"])):
                continue
            held.append(((one.on, since, risk_classes.item_of(one).fingerprint), one))
        if held:
            one = max(held, key=lambda h: h[0])[1]
            return (one.assessment.risk_class, one.assessment.score, "special_case", str(one.for_run))
        if in_force is None or uscc not in in_force["classes"]:
            return None
        risk_class, score = in_force["classes"][uscc]
        return (risk_class, score, "run", str(in_force["id"]))

    def questions(
        self, conn: psycopg.Connection[Any], usccs: list[str], moments: list[datetime], rng: random.Random
    ) -> list[Question]:
        days = sorted(
            {d for (d,) in conn.execute("SELECT on_date FROM risk_runs UNION SELECT on_date FROM risk_rescores")}
            | {date(2019, 6, 1), date(2024, 12, 31)}
        )
        days = sorted({x for d in days for x in (d, d - timedelta(days=1))})
        runs = [at for (at,) in conn.execute("SELECT recorded_at FROM risk_runs")]
        around_runs = [*runs, *(at - timedelta(microseconds=1) for at in runs), moments[-1]]
        late_days = [d for d in days if d >= date(2024, 1, 1)] or days
        return [
            (rng.choice(usccs), rng.choice(days), rng.choice(moments))
            if n % 3 == 0
            # most questions after a run, on a day it covers: classes, not the silence before them
            else (rng.choice(usccs), rng.choice(late_days), rng.choice(around_runs))
            for n in range(45)
        ]

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_incremental_projection_in_random_pages_agrees_with_a_replay_at_random_moments(
        self, runtime: Runtime, seed: int
    ) -> None:
        rng = random.Random(seed)
        records = list(generate(rng.randint(4, 8), seed, profile="demo"))
        cut = rng.randint(1, len(records) - 1)
        submit_in_steps(runtime, [records[:cut]])
        first = _effective_run(runtime, date(2025, 1, 1))
        submit_in_steps(runtime, [records[cut:]])
        second = _effective_run(runtime, date(2026, 9, 1))
        assert first["recorded"] and second["recorded"]
        runtime.projector.page = rng.choice([1, 3, 17, 2000])
        runtime.projector.catch_up()
        with runtime.server.connect() as conn:
            recorded = [r[0] for r in conn.execute("SELECT DISTINCT recorded_at FROM record_log ORDER BY 1")]
            moments = [recorded[0] - timedelta(seconds=1), *recorded, recorded[-1] + timedelta(days=1)]
            usccs = sorted({r["uscc"] for r in records})
            questions = self.questions(conn, usccs, moments, rng)
            answered = 0
            for question in questions:
                expected = self.replay(runtime, question)
                assert self.read(conn, question) == expected, question
                answered += bool(expected)
        assert answered >= len(questions) // 3

    def test_a_rebuild_from_zero_gives_exactly_the_rows_of_incremental_projection(self, runtime: Runtime) -> None:
        records = list(generate(12, 5, profile="demo"))
        submit_in_steps(runtime, [records[: len(records) // 2]])
        _effective_run(runtime, date(2024, 1, 1))
        submit_in_steps(runtime, [records[len(records) // 2 :]])
        runtime.projector.page = 7
        runtime.projector.catch_up()
        model = self.model(runtime)
        with runtime.server.connect() as conn:
            incremental = model.rows(conn)
            assert conn.execute("SELECT count(*) FROM risk_rescores").fetchone()[0] > 0  # type: ignore[index]
        assert incremental
        report = model.rebuild(runtime.server.conninfo, runtime.store.mapper, runtime.rules, workers=2)
        assert report.position == runtime.projector.status()["head"]
        with runtime.server.connect() as conn:
            assert model.rows(conn) == incremental


def _effective_run(runtime: Runtime, on: date) -> dict[str, Any]:
    return runtime.risk.run(RunRequest("effective", on, None, "contract-test"), workers=1)


def _logged_runs(runtime: Runtime) -> list[dict[str, Any]]:
    """Every effective run in the event log, decoded from its events, with its recorded time."""
    from eventsourcing.persistence import StoredEvent

    from domain.risk.run import RiskRun

    with runtime.server.connect() as conn:
        rows = conn.execute(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, l.recorded_at FROM ledger_events e "
            "JOIN risk_run_log l ON l.notification_id = e.notification_id ORDER BY e.notification_id"
        ).fetchall()
    runs: dict[Any, dict[str, Any]] = {}
    for originator_id, version, topic, state, recorded_at in rows:
        event = runtime.store.mapper.to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))
        if isinstance(event, RiskRun.Recorded):
            cut = datetime.fromisoformat(event.input_cut) if event.input_cut else None
            runs[originator_id] = {
                "id": originator_id,
                "on": event.on,
                "model": event.model_version,
                "cut": cut,
                "recorded_at": recorded_at,
                "classes": {},
            }
        elif isinstance(event, RiskRun.Classified):
            runs[originator_id]["classes"].update({e[0]: (e[1], e[2]) for e in event.entries})
    return list(runs.values())


class TestRepairCases(ReadModelContract):
    """Question: (uscc, known_at) → the enterprise's repair cases as held then (state, department,
    materials, nearest deadline), by application date and id."""

    model_name = repair_cases.NAME

    def read(self, conn: psycopg.Connection[Any], question: Question) -> Any:
        uscc, known_at = question
        return repair_cases.cases_of(conn, uscc, known_at)

    def replay(self, runtime: Runtime, question: Question) -> Any:
        uscc, known_at = question
        try:
            history = runtime.reads.history(uscc, known_at)
        except EnterpriseNotFoundError:
            return []
        cases = repair_case_rules.repair_cases(resolve(history), runtime.rules)
        ordered = sorted(cases, key=lambda c: (c.applied.effective_on, c.application_id))
        return [repair_cases.case_body(c) for c in ordered]

    def questions(
        self, conn: psycopg.Connection[Any], usccs: list[str], moments: list[datetime], rng: random.Random
    ) -> list[Question]:
        with_cases = sorted({u for (u,) in conn.execute("SELECT DISTINCT uscc FROM repair_cases")} & set(usccs))
        late = moments[len(moments) // 2 :]
        return [
            (rng.choice(usccs), rng.choice(moments))
            if n % 3 == 0 or not with_cases
            else (rng.choice(with_cases), rng.choice(late))
            for n in range(30)
        ]

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_incremental_projection_in_random_pages_agrees_with_a_replay_at_random_moments(
        self, runtime: Runtime, seed: int
    ) -> None:
        """The contract's test on enough enterprises that some applied for repair (the generator
        gives one a repair case in ten or so)."""
        rng = random.Random(seed)
        records = list(generate(40, seed, profile="demo"))
        assert any(r["type"] == "repair.applied" for r in records)
        cuts = sorted(rng.sample(range(1, len(records)), k=4))
        recorded = submit_in_steps(runtime, [records[a:b] for a, b in itertools.pairwise([0, *cuts, len(records)])])
        runtime.projector.page = rng.choice([1, 3, 17, 2000])
        runtime.projector.catch_up()
        moments = [recorded[0] - timedelta(seconds=1), *recorded, recorded[-1] + timedelta(days=1)]
        usccs = sorted({r["uscc"] for r in records})
        with runtime.server.connect() as conn:
            questions = self.questions(conn, usccs, moments, rng)
            answered = 0
            for question in questions:
                expected = self.replay(runtime, question)
                assert self.read(conn, question) == expected, question
                answered += bool(expected)
        assert answered >= len(questions) // 3
