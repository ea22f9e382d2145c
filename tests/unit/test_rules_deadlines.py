from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.calendar import WorkingCalendar
from domain.context import RuleContext
from domain.reference import DEFAULT_REFERENCE
from domain.rules.deadlines import Deadline, deadlines
from tests.unit.rules_history import History, d

CAL = WorkingCalendar()
REF = DEFAULT_REFERENCE
CTX = RuleContext(CAL, REF)


def of(h: History, rule: str, as_of: str) -> list[Deadline]:
    return [x for x in deadlines(h.facts, d(as_of), CTX) if x.rule == rule]


@pytest.mark.parametrize(
    ("published", "status"), [("2024-03-28", "met"), ("2024-03-29", "met"), ("2024-04-01", "missed")]
)
def test_pen_05_a_penalty_must_be_published_within_twenty_working_days(published: str, status: str) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on=published, recorded="2024-03-02")
    (deadline,) = of(h, "PEN-05", "2024-06-01")
    assert (deadline.due, deadline.status, deadline.fulfilled_on) == (d("2024-03-29"), status, d(published))


def test_recorded_time_is_judged_as_a_tianjin_date() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("fine", "suspension"))
    h.serious("S1", "2024-03-01", "P1", recorded=datetime(2024, 3, 29, 15, 59, tzinfo=UTC))
    h.penalty("P2", "2024-03-01", ("fine", "suspension"))
    h.serious("S2", "2024-03-01", "P2", recorded=datetime(2024, 3, 29, 16, 0, tzinfo=UTC))
    assert [x.status for x in of(h, "SDL-13", "2024-06-01")] == ["met", "missed"]


@pytest.mark.parametrize(
    ("as_of", "status"), [("2024-03-28", "open"), ("2024-03-29", "open"), ("2024-04-01", "missed")]
)
def test_a_deadline_not_yet_fulfilled_is_open_until_due_then_missed(as_of: str, status: str) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-05-01")
    assert of(h, "PEN-05", as_of)[0].status == status


def test_warning_only_penalties_have_no_publication_deadline() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("warning",))
    assert of(h, "PEN-05", "2024-06-01") == []


@pytest.mark.parametrize(
    ("recorded", "status"), [("2025-01-14", "met"), ("2025-01-15", "met"), ("2025-01-16", "missed")]
)
def test_pen_07_a_revoked_penalty_must_be_withdrawn_within_three_working_days(recorded: str, status: str) -> None:
    h = History()
    h.penalty("P1", "2024-03-01")
    h.serious("S1", "2024-03-01", "P1")
    h.revoke_penalty("P1", "2025-01-10", recorded=recorded)
    assert of(h, "PEN-07", "2025-06-01")[0].status == status
    assert of(h, "SDL-34", "2025-06-01")[0].status == status


def test_sdl_32_serious_list_repair_has_acceptance_decision_and_execution_deadlines() -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    h.repair("A1", "serious", "S1", "2023-03-10", accepted="2023-03-14", granted="2023-04-04")
    h.serious_removed("S1", "2023-04-11", "early_repair")
    got = {(x.rule, x.what.split()[0]): (x.due, x.status) for x in deadlines(h.facts, d("2023-06-01"), CTX)}
    assert got[("SDL-32", "accept")] == (d("2023-03-14"), "met")  # 2 WD after Fri 10 Mar
    assert got[("SDL-32", "decide")] == (d("2023-04-04"), "met")  # 15 WD after 14 Mar, Qingming 5 Apr
    assert got[("SDL-33", "execute")] == (d("2023-04-10"), "missed")  # Qingming 5 Apr


def test_penalty_repair_deadlines_are_reference_data() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05", sector="other")
    h.repair("A1", "penalty", "P1", "2024-09-06", accepted="2024-09-09")
    rules = {x.rule for x in deadlines(h.facts, d("2024-09-10"), CTX)}
    assert "REP-07" in rules
    (decide,) = [x for x in of(h, "REP-07", "2024-09-10") if x.what.startswith("decide")]
    assert decide.status == "open" and decide.due == d("2024-09-30")


@pytest.mark.parametrize(("recorded", "status"), [("2024-07-17", "met"), ("2024-07-18", "missed")])
def test_aol_10_an_abnormal_list_removal_is_decided_within_five_working_days(recorded: str, status: str) -> None:
    h = History()
    h.abnormal("A1", "2024-07-01")
    h.repair("R1", "abnormal", "A1", "2024-07-10")
    h.abnormal_removed("A1", "2024-07-16", recorded=recorded)
    assert of(h, "AOL-10", "2024-08-01")[0].status == status


def test_key_sector_adjustments_are_due_three_working_days_after_the_licensing_act() -> None:
    h = History()
    h.permit("SC1", "2022-03-01", "2027-02-28", recorded="2022-03-05")
    (deadline,) = of(h, "KEY-03", "2022-04-01")
    assert (deadline.due, deadline.status) == (d("2022-03-04"), "missed")


def test_deadlines_of_facts_after_as_of_are_not_listed() -> None:
    h = History()
    penalty = h.penalty("P1", "2024-03-01")
    assert [x for x in deadlines(h.facts, d("2024-02-29"), CTX) if x.record == penalty.key] == []


def test_a_deadline_past_the_known_calendar_is_provisional() -> None:
    h = History()
    h.penalty("P1", "2026-12-20")
    assert of(h, "PEN-05", "2026-12-31")[0].provisional


@pytest.mark.parametrize(
    ("recorded", "status"), [("2024-03-28", "met"), ("2024-03-29", "met"), ("2024-04-01", "missed")]
)
def test_dr_05_a_random_inspection_s_result_is_published_within_twenty_working_days(recorded: str, status: str) -> None:
    h = History()
    data = {"task_id": "TJ-DR-1", "item": "食品生产监督检查", "kind": "double_random", "result": "compliant"}
    h.add("inspection.concluded", "2024-03-01", data, recorded=recorded)
    h.add("inspection.concluded", "2024-03-01", {**data, "kind": "complaint"}, recorded=recorded)
    (deadline,) = of(h, "DR-05", "2024-06-01")  # a complaint inspection has none
    assert (deadline.due, deadline.status) == (d("2024-03-29"), status)
    assert "TJ-DR-1" in deadline.what
