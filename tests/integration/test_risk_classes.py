"""Risk runs and the risk-class read model on a real ledger (issue 19; rulebook §9, S-TJ28 五(七)).

Four hand-made enterprises (clean, two penalties, an untrue commitment, one listed on the serious
list after the yearly run), a trial run, an effective run, a special case between runs, a run
repeated on the same inputs, and a model that takes effect on 2027-01-01.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from api.bootstrap import Runtime
from application.risk import RunRequest
from domain.access import EVERY_TYPE, Author
from projections import risk_classes
from tests.builders import make_uscc, penalty_decided, permit_granted, record, registered
from tests.unit.test_risk_scoring import MODEL_FILE

CLEAN, PENALISED, UNTRUE, LISTED = (make_uscc(n) for n in (7101, 7102, 7103, 7104))
RUN_ON = date(2026, 1, 1)
LISTED_ON = "2026-03-02"


def base(uscc: str, n: int) -> list[dict[str, Any]]:
    return [
        registered(uscc, "2015-03-02", department="TJ-REG", data={"established_on": "2015-03-02"}),
        permit_granted(uscc, f"SC1061201160{n:04d}", "2021-03-01", data={"valid_until": "2030-02-28"}),
        record("annual_report.filed", uscc, "2024-04-01", {"year": 2023}, department="TJ-REG"),
        record("annual_report.filed", uscc, "2025-04-01", {"year": 2024}, department="TJ-REG"),
    ]


def before_the_run() -> list[dict[str, Any]]:
    records = base(CLEAN, 1) + base(PENALISED, 2) + base(UNTRUE, 3) + base(LISTED, 4)
    records += [
        penalty_decided(PENALISED, "津市监罚〔2025〕11号", "2025-03-03"),
        penalty_decided(PENALISED, "津市监罚〔2025〕12号", "2025-08-01"),
        record(
            "commitment.made",
            UNTRUE,
            "2025-02-03",
            {
                "commitment_id": "C-1",
                "matter": "食品生产许可变更",
                "text": "本企业承诺符合条件",
                "consent_to_publish": True,
            },
        ),
        record(
            "commitment.verified",
            UNTRUE,
            "2025-06-03",
            {"commitment_id": "C-1", "outcome": "untrue", "consequence": "terminated"},
        ),
    ]
    return records


def the_listing() -> list[dict[str, Any]]:
    no = "津市监执罚〔2026〕2号"
    return [
        penalty_decided(
            LISTED,
            no,
            LISTED_ON,
            record_id=no,
            data={"penalty_kinds": ["warning", "fine"], "fine_yuan": "230200.00", "heavier_fine": True},
        ),
        record(
            "serious.listed",
            LISTED,
            LISTED_ON,
            {
                "listing_id": f"{no}-SX",
                "grounds": "生产经营不符合食品安全标准的食品，情节严重",
                "penalty_decision_no": no,
            },
            department="TJ-ENF",
        ),
    ]


def submit(runtime: Runtime, records: list[dict[str, Any]]) -> datetime:
    for r in records:
        outcome = runtime.intake.submit([r], author=Author(r["source"]["department"], "officer-1", EVERY_TYPE))
        assert outcome[0].status == "recorded", outcome
    with runtime.server.connect() as conn:
        return conn.execute("SELECT max(recorded_at) FROM record_log").fetchone()[0]  # type: ignore[index]


def classes(runtime: Runtime, as_of: date, known_at: datetime) -> dict[str, str | None]:
    runtime.projector.catch_up()
    with runtime.server.connect() as conn:
        out = {}
        for uscc in (CLEAN, PENALISED, UNTRUE, LISTED):
            found = risk_classes.class_at(conn, uscc, as_of, known_at)
            out[uscc] = None if found is None else found["class"]
        return out


def run(runtime: Runtime, kind: str, on: date = RUN_ON, model: str | None = None) -> dict[str, Any]:
    return runtime.risk.run(RunRequest(kind, on, model, "test"), workers=2)


def later() -> datetime:
    return datetime.now().astimezone() + timedelta(days=1)


def test_a_trial_run_reports_the_distribution_and_changes_nothing_a_reader_sees(runtime: Runtime) -> None:
    submit(runtime, before_the_run())
    seen = classes(runtime, RUN_ON, later())
    with runtime.server.connect() as conn:
        before = {m.name: m.rows(conn) for m in runtime.read_models}
        head = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
    report = run(runtime, "trial")
    assert report["kind"] == "trial" and report["enterprises"] == 4
    assert report["by_class"] == {"A": 1, "B": 1, "C": 1, "D": 1} or sum(report["by_class"].values()) == 4
    assert report["by_sector"]["food_production"] == {k: v for k, v in report["by_class"].items() if v}
    runtime.projector.catch_up()
    with runtime.server.connect() as conn:
        assert {m.name: m.rows(conn) for m in runtime.read_models} == before
        assert conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone() == head
    assert classes(runtime, RUN_ON, later()) == seen
    assert seen[CLEAN] is None  # no run yet; the untrue commitment alone re-scored its enterprise
    assert seen[UNTRUE] == "C"


def test_an_effective_run_classifies_from_its_date_and_a_known_at_before_it_shows_the_class_before(
    runtime: Runtime,
) -> None:
    submit(runtime, before_the_run())
    report = run(runtime, "effective")
    assert report["recorded"] and report["enterprises"] == 4
    now = later()
    after = classes(runtime, RUN_ON, now)
    assert [after[u] for u in (CLEAN, PENALISED, UNTRUE)] == ["A", "B", "C"]
    assert after[LISTED] == "A"
    assert classes(runtime, RUN_ON - timedelta(days=1), now) == {
        CLEAN: None,
        PENALISED: None,
        UNTRUE: "C",
        LISTED: None,
    }
    with runtime.server.connect() as conn:
        recorded_at = risk_classes.run(conn, report["run_id"])["recorded_at"]  # type: ignore[index]
    assert classes(runtime, RUN_ON, recorded_at - timedelta(microseconds=1)) == {
        CLEAN: None,
        PENALISED: None,
        UNTRUE: "C",  # the special case of 2025-06-03, before any run
        LISTED: None,
    }
    assert classes(runtime, RUN_ON, recorded_at) == after


def test_re_running_an_effective_run_on_the_same_inputs_gives_the_same_digest_and_classes(runtime: Runtime) -> None:
    submit(runtime, before_the_run())
    first = run(runtime, "effective")
    before = classes(runtime, RUN_ON, later())
    with runtime.server.connect() as conn:
        head = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
    again = run(runtime, "effective")
    assert again["repeated"] and again["input_digest"] == first["input_digest"] and again["run_id"] == first["run_id"]
    assert classes(runtime, RUN_ON, later()) == before
    with runtime.server.connect() as conn:
        assert conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone() == head
    submit(runtime, [penalty_decided(CLEAN, "津市监罚〔2025〕99号", "2025-10-09")])
    changed = run(runtime, "effective")
    assert changed["recorded"] and changed["input_digest"] != first["input_digest"]


def test_a_serious_listing_between_runs_makes_the_enterprise_d_from_its_listing_date_at_once(
    runtime: Runtime,
) -> None:
    submit(runtime, before_the_run())
    run(runtime, "effective")
    before_listing = later() - timedelta(days=1)
    listed_at = submit(runtime, the_listing())
    day = date.fromisoformat(LISTED_ON)
    now = later()
    assert classes(runtime, day, now)[LISTED] == "D"
    assert classes(runtime, day - timedelta(days=1), now)[LISTED] == "A"
    assert classes(runtime, day, listed_at - timedelta(microseconds=1))[LISTED] == "A"
    assert before_listing < listed_at
    with runtime.server.connect() as conn:
        found = risk_classes.class_at(conn, LISTED, day, now)
    assert found is not None and found["basis"] == "special_case" and found["cause"]["kind"] == "serious_listed"


def test_a_model_change_effective_2027_leaves_every_class_before_that_date_unchanged(runtime: Runtime) -> None:
    submit(runtime, before_the_run())
    run(runtime, "effective")
    submit(runtime, the_listing())
    days = [date(2026, 1, 1), date(2026, 3, 1), date(2026, 3, 2), date(2026, 12, 31)]
    before = {day: classes(runtime, day, later()) for day in days}
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body.update(version="tj-2027.1", effective_from="2027-01-01", provisional=False)
    body["cutoffs"].update(B=5, C=10, D=20)  # stricter: most enterprises move up
    runtime.risk.load_model(json.dumps(body), "test")
    moved = run(runtime, "effective", date(2027, 1, 1))
    assert moved["model_version"] == "tj-2027.1"
    assert {day: classes(runtime, day, later()) for day in days} == before
    assert classes(runtime, date(2027, 1, 1), later()) != before[date(2026, 12, 31)]
