"""Repair cases (issue 21): state, working-day clocks, corrections that stop them, materials,
and the order of decisions (domain/rules/repair_case.py).

The 2026 dates are checked by hand against the State Council's 2026 schedule (国办发明电
〔2025〕7号): 中秋节 25–27 Sep (Fri–Sun); 国庆节 1–7 Oct; make-up working days Sun 20 Sep and
Sat 10 Oct.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.calendar import WorkingCalendar
from domain.consistency import check_record
from domain.context import RuleContext
from domain.records import DATA_MODELS
from domain.reference import DEFAULT_REFERENCE
from domain.rules.deadlines import deadlines
from domain.rules.repair_case import repair_case
from tests.unit.rules_history import History, d

CTX = RuleContext(WorkingCalendar(), DEFAULT_REFERENCE)
TODAY = date(2026, 12, 1)


def listed_2025() -> History:
    h = History()
    h.penalty("P1", "2025-06-02", ("fine", "suspension"))
    h.serious("S1", "2025-06-02", "P1")
    return h


def clock(h: History, app: str, name: str) -> tuple[date, str]:
    case = repair_case(h.facts, app, CTX)
    assert case is not None
    (found,) = [c for c in case.clocks if c.name == name]
    return found.due, found.status(TODAY)


def refusal(h: History, type_: str, on: str, data: dict[str, object]) -> list[str]:
    model = DATA_MODELS[type_].model_validate(data)
    problems = check_record(type_, d(on), "TJ-ENF", model, h.raw, today=TODAY, ctx=CTX)
    return [f"{p.rule}: {p.reason}" for p in problems]


def test_sdl_32_an_application_received_on_the_friday_before_national_day_2026_is_due_for_acceptance_on_tuesday() -> (
    None
):
    # Fri 25 Sep is 中秋节 (day 0); Sat 26, Sun 27 rest; Mon 28 is WD 1, Tue 29 WD 2.
    h = listed_2025()
    h.add("repair.applied", "2026-09-25", {"application_id": "A1", "target_kind": "serious", "target_ref": "S1"})
    assert clock(h, "A1", "acceptance")[0] == date(2026, 9, 29)


def test_sdl_32_an_application_received_on_the_eve_of_national_day_waits_out_the_holiday() -> None:
    # Wed 30 Sep is day 0; 1-7 Oct holiday; Thu 8 Oct WD 1, Fri 9 Oct WD 2.
    h = listed_2025()
    h.add("repair.applied", "2026-09-30", {"application_id": "A1", "target_kind": "serious", "target_ref": "S1"})
    assert clock(h, "A1", "acceptance")[0] == date(2026, 10, 9)


def test_sdl_32_the_decision_deadline_moves_by_the_days_the_applicant_spent_correcting() -> None:
    h = listed_2025()
    h.repair("A1", "serious", "S1", "2026-09-30", accepted="2026-10-09")
    # 15 WD from Fri 9 Oct: Sat 10 (make-up) 1, 12-16 Oct 2-6, 19-23 Oct 7-11, 26-29 Oct 12-15.
    assert clock(h, "A1", "decision")[0] == date(2026, 10, 29)
    h.add("repair.correction_requested", "2026-10-14", {"application_id": "A1", "missing": ["evidence"]})
    # Stopped: 10, 12, 13, 14 Oct spent (4 WD), 11 left, and no due date runs meanwhile.
    assert clock(h, "A1", "decision")[1] == "stopped"
    assert not [x for x in deadlines(h.facts, d("2026-10-20"), CTX) if x.what.startswith("decide repair")]
    h.add("repair.materials_received", "2026-10-21", {"application_id": "A1", "materials": ["evidence"]})
    # 11 WD from Wed 21 Oct: 22-23 Oct 1-2, 26-30 Oct 3-7, 2-5 Nov 8-11.
    assert clock(h, "A1", "decision") == (date(2026, 11, 5), "missed")
    (decide,) = [x for x in deadlines(h.facts, d("2026-11-02"), CTX) if x.what.startswith("decide repair")]
    assert (decide.due, decide.status) == (date(2026, 11, 5), "open")


def test_sdl_32_the_acceptance_clock_stops_for_a_correction_before_acceptance_too() -> None:
    h = listed_2025()
    h.add("repair.applied", "2026-11-02", {"application_id": "A1", "target_kind": "serious", "target_ref": "S1"})
    h.add("repair.correction_requested", "2026-11-03", {"application_id": "A1", "missing": ["statement"]})
    h.add("repair.materials_received", "2026-11-09", {"application_id": "A1", "materials": ["statement"]})
    # Mon 2 Nov + Tue 3 Nov spent 1 WD; 1 left from Mon 9 Nov: Tue 10 Nov.
    assert clock(h, "A1", "acceptance")[0] == date(2026, 11, 10)


def test_rep_06_the_checklist_shows_what_is_still_missing() -> None:
    h = listed_2025()
    h.add("repair.applied", "2026-11-02", {"application_id": "A1", "target_kind": "serious", "target_ref": "S1"})
    h.add(
        "repair.materials_received",
        "2026-11-02",
        {"application_id": "A1", "materials": ["application_form", "commitment_letter"]},
    )
    case = repair_case(h.facts, "A1", CTX)
    assert case is not None
    assert case.missing == ("evidence", "statement") and case.materials_rule == "SDL-32"
    assert case.authority == "TJ-ENF"


def test_sdl_32_a_grant_before_acceptance_is_refused_with_the_rule() -> None:
    h = listed_2025()
    h.add("repair.applied", "2026-11-02", {"application_id": "A1", "target_kind": "serious", "target_ref": "S1"})
    (problem,) = refusal(h, "repair.granted", "2026-11-03", {"application_id": "A1"})
    assert problem.startswith("SDL-32: application A1 is submitted")


def test_rep_07_a_penalty_repair_cannot_be_accepted_twice_nor_decided_after_rejection() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05", sector="other")
    h.repair("A1", "penalty", "P1", "2024-09-06", accepted="2024-09-09")
    assert refusal(h, "repair.accepted", "2024-09-10", {"application_id": "A1"})[0].startswith("REP-07")
    h.repair("A2", "penalty", "P1", "2024-10-08")
    h.add("repair.rejected", "2024-10-09", {"application_id": "A2", "reason": "材料不全"})
    assert refusal(h, "repair.granted", "2024-10-10", {"application_id": "A2"})[0].startswith("REP-07")


def test_sdl_35_only_a_granted_repair_can_be_revoked() -> None:
    h = listed_2025()
    h.repair("A1", "serious", "S1", "2026-06-03", accepted="2026-06-04")
    problems = refusal(h, "repair.revoked", "2026-06-05", {"application_id": "A1", "fraud": True})
    assert problems and problems[0].startswith("SDL-35")


def test_a_decision_dated_before_the_case_s_last_record_is_refused() -> None:
    h = listed_2025()
    h.repair("A1", "serious", "S1", "2026-06-03", accepted="2026-06-08")
    assert refusal(h, "repair.granted", "2026-06-05", {"application_id": "A1"})[0].startswith("SDL-32: before")


@pytest.mark.parametrize("kind", ["granted", "denied"])
def test_aol_10_an_abnormal_list_repair_is_decided_without_an_acceptance_step(kind: str) -> None:
    h = History()
    h.abnormal("L1", "2024-07-01")
    h.repair("R1", "abnormal", "L1", "2024-07-10")
    assert refusal(h, f"repair.{kind}", "2024-07-11", {"application_id": "R1"}) == []


def test_the_case_runs_from_submitted_to_executed_by_the_serious_list_removal() -> None:
    h = listed_2025()
    h.repair("A1", "serious", "S1", "2026-06-03", accepted="2026-06-04", granted="2026-06-15")
    case = repair_case(h.facts, "A1", CTX)
    assert case is not None and case.state == "granted" and case.executed_on is None
    h.serious_removed("S1", "2026-06-17", "early_repair")
    case = repair_case(h.facts, "A1", CTX)
    assert case is not None and (case.state, case.executed_on) == ("executed", date(2026, 6, 17))
    assert [s.state for s in case.steps] == ["submitted", "accepted", "granted", "executed"]
    assert clock(h, "A1", "execution") == (date(2026, 6, 18), "met")


def test_a_risk_class_repair_is_decided_by_the_credit_division() -> None:
    h = History()
    h.add("repair.applied", "2026-03-02", {"application_id": "RC1", "target_kind": "risk_class", "target_ref": "2026"})
    case = repair_case(h.facts, "RC1", CTX)
    assert case is not None and case.authority == "TJ-CREDIT" and case.clocks[0].rule == "REP-07"
    problems = refusal(h, "repair.accepted", "2026-03-03", {"application_id": "RC1"})
    assert problems and problems[0].startswith("AUTH-03")


def test_seed_6_11_a_granted_risk_class_repair_case_lowers_the_class_by_one_from_its_execution() -> None:
    from tests.unit.test_risk_scoring import CLASSES, broken_commitment, scored

    h = broken_commitment()
    before = scored(h)
    applied = {"application_id": "RA-1", "target_kind": "risk_class", "target_ref": "tj-2021.1-provisional"}
    assert refusal(h, "repair.applied", "2026-02-02", applied) == []
    h.add("repair.applied", "2026-02-02", applied, department="TJ-CREDIT")
    for type_, on in (("repair.accepted", "2026-02-03"), ("repair.granted", "2026-02-20")):
        model = DATA_MODELS[type_].model_validate({"application_id": "RA-1"})
        assert check_record(type_, d(on), "TJ-CREDIT", model, h.raw, today=TODAY, ctx=CTX) == []
        h.add(type_, on, {"application_id": "RA-1"}, department="TJ-CREDIT")
    case = repair_case(h.facts, "RA-1", CTX)
    assert case is not None and (case.state, case.executed_on) == ("executed", date(2026, 2, 20))
    assert scored(h, d("2026-02-19")).risk_class == before.risk_class
    lowered = scored(h, d("2026-02-20"))
    assert CLASSES.index(lowered.risk_class) == CLASSES.index(lowered.score_class) - 1


def test_sdl_35_a_fraud_revocation_through_the_case_restores_the_listing_with_its_period_restarted() -> None:
    from domain.rules.serious import serious_list

    h = listed_2025()
    h.repair("A1", "serious", "S1", "2026-06-03", accepted="2026-06-04", granted="2026-06-15")
    h.serious_removed("S1", "2026-06-17", "early_repair")
    assert refusal(h, "repair.revoked", "2026-09-01", {"application_id": "A1", "fraud": True}) == []
    h.add("repair.revoked", "2026-09-01", {"application_id": "A1", "reason": "提供虚假材料", "fraud": True})
    case = repair_case(h.facts, "A1", CTX)
    assert case is not None and case.state == "revoked" and case.fraud
    restored = [i for i in serious_list(h.facts, CTX) if i.start == date(2026, 9, 1)]
    assert [(i.start, i.end) for i in restored] == [(date(2026, 9, 1), date(2029, 9, 2))]  # 3 Y again (SDL-30)
    assert [s.state for s in case.steps] == ["submitted", "accepted", "granted", "executed", "revoked"]


def test_the_repair_cases_demo_file_is_accepted_by_the_intake() -> None:
    import json
    from pathlib import Path

    from tests.unit.test_generator import refusals

    lines = Path("demo/repair-cases-demo.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["type"] for r in records} >= {"repair.correction_requested", "repair.materials_received"}
    assert refusals(records) == []


def test_sdl_32_a_rejection_while_the_applicant_corrects_is_on_time() -> None:
    h = listed_2025()
    h.add("repair.applied", "2026-11-02", {"application_id": "A1", "target_kind": "serious", "target_ref": "S1"})
    h.add("repair.correction_requested", "2026-11-03", {"application_id": "A1", "missing": ["evidence"]})
    h.add("repair.rejected", "2026-11-20", {"application_id": "A1", "reason": "逾期未补正"})
    assert clock(h, "A1", "acceptance") == (date(2026, 11, 23), "met")  # 1 WD left from Fri 20 Nov


def test_the_case_keeps_the_conditions_unmet_on_its_application_date() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05", sector="other")
    h.add("penalty.decided", "2024-03-20", h.raw[-1].data.model_copy(update={"decision_no": "P2"}).model_dump())
    h.add("repair.applied", "2024-09-06", {"application_id": "A1", "target_kind": "penalty", "target_ref": "P1"})
    case = repair_case(h.facts, "A1", CTX)
    assert case is not None and case.unmet_at_application == ("PEN-11",)  # penalised again (same violation)
