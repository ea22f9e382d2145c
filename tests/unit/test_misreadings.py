"""Issue 18, part 1: the thirteen misreadings of the rulebook, one boundary test (or a few) each,
named after the rule they mend.

These tests use only what the ledger had before the issue (the `History` builder's `add`, the
rule functions, `check_record`), so that each one can be run against the code before the
mending and seen to fail there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.calendar import Period, Unit, WorkingCalendar
from domain.consistency import check_record
from domain.context import RuleContext
from domain.records import DATA_MODELS
from domain.reference import DEFAULT_REFERENCE, always
from domain.rules.catalogue import CATALOGUE, listing
from domain.rules.commitment import notify_commit_eligibility
from domain.rules.deadlines import deadlines
from domain.rules.penalty import publicity
from domain.rules.repair import repair_eligibility
from domain.rules.serious import on_serious_list, serious_list
from tests.unit.rules_history import History, d

CAL = WorkingCalendar()
CTX = RuleContext(CAL, DEFAULT_REFERENCE)
# The rulebook's example threshold (Guizhou), for the tests that need one set.
GUIZHOU = RuleContext(
    CAL,
    replace(
        DEFAULT_REFERENCE,
        lower_fine_threshold_organisation=always(Decimal("50000")),
        lower_fine_threshold_natural_person=always(Decimal("5000")),
    ),
)
FOOD_LAW_124 = "《中华人民共和国食品安全法》第一百二十四条第一款"


def penalty(h: History, no: str, on: str, kinds: list[str], **data: Any) -> Any:
    body = {
        "decision_no": no,
        "procedure": "ordinary",
        "penalty_kinds": kinds,
        "violation": "生产经营不符合食品安全标准的食品",
        "legal_basis": FOOD_LAW_124,
        **({"fine_yuan": "200000.00"} if "fine" in kinds else {}),
        **data,
    }
    return h.add("penalty.decided", on, body)


def ends(h: History, ctx: RuleContext = CTX) -> dict[str, date | None]:
    return {i.subject: i.end for i in publicity(h.facts, ctx)}


def refusals(h: History, record_type: str, on: str, data: dict[str, Any], department: str = "TJ-ENF") -> list[str]:
    model = DATA_MODELS[record_type].model_validate(data)
    problems = check_record(record_type, d(on), department, model, h.raw, today=date(2026, 11, 25), ctx=CTX)
    return [p.rule or "" for p in problems]


# --- 1. AOL-11 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed_on", "applied_on", "refused"),
    [
        ("2020-03-02", "2023-03-03", True),  # Order 68 Art 10 in force on the application date: too late
        ("2021-06-01", "2024-06-03", False),  # 3 Y passed, but the window ended with the 2024 Regulation
        ("2025-01-10", "2028-02-01", False),  # a 2025 listing keeps no window Order 101 dropped
    ],
)
def test_aol_11_the_removal_window_is_judged_by_the_rule_in_force_on_the_application_date(
    listed_on: str, applied_on: str, refused: bool
) -> None:
    h = History()
    h.add("abnormal.listed", listed_on, {"listing_id": "A1", "reason": "annual_report"})
    answer = repair_eligibility(h.facts, "abnormal", "A1", d(applied_on), CTX)
    assert ("AOL-11" in [c.rule for c in answer.unmet]) is refused
    assert answer.earliest_on is not None  # never "never": from the 2024 Regulation on, it may apply


# --- 2. PEN-10 default -------------------------------------------------------------------------


def test_pen_10_with_no_threshold_set_no_fine_is_lower_amount_and_the_view_says_the_threshold_is_unset() -> None:
    h = History()
    penalty(h, "P1", "2024-03-01", ["fine"], fine_yuan="2000.00", published_on="2024-03-05")
    (window,) = publicity(h.facts, CTX)
    assert window.end == d("2027-03-06")  # 3 Y: not a lower-amount fine without a threshold
    assert "threshold" in window.note and "unset" in str(listing(DEFAULT_REFERENCE)).lower()


# --- 3. PEN-09/PEN-10 combinations ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "end"),
    [
        (["criticism"], "2024-06-06"),
        (["fine"], "2024-06-06"),
        (["warning", "fine"], "2027-03-06"),
        (["fine", "warning"], "2027-03-06"),
        (["criticism", "fine"], "2027-03-06"),
        (["warning", "criticism"], "2027-03-06"),
    ],
)
def test_pen_09_only_a_criticism_alone_or_a_lower_amount_fine_alone_is_public_for_three_months(
    kinds: list[str], end: str
) -> None:
    h = History()
    fine = {"fine_yuan": "1000.00"} if "fine" in kinds else {}
    penalty(h, "P1", "2024-03-01", kinds, published_on="2024-03-05", **fine)
    assert ends(h, GUIZHOU) == {"P1": d(end)}


# --- 4. facts before 2021-09-01 ---------------------------------------------------------------


@pytest.mark.parametrize(("decided", "provisional"), [("2021-08-31", True), ("2021-09-01", False)])
def test_time_04_facts_before_september_2021_are_judged_provisionally_with_the_reason(
    decided: str, provisional: bool
) -> None:
    h = History()
    penalty(h, "P1", decided, ["fine", "suspension"], published_on="2021-09-06")
    h.add("serious.listed", decided, {"listing_id": "S1", "grounds": "严重违法", "penalty_decision_no": "P1"})
    (window,) = publicity(h.facts, CTX)
    (listed,) = serious_list(h.facts, CTX)
    assert (window.provisional, listed.provisional) == (provisional, provisional)
    assert ("Order 71" in window.note, "Order 83" in listed.note) == (provisional, provisional)
    (deadline,) = [x for x in deadlines(h.facts, d("2022-01-01"), CTX) if x.rule == "PEN-05"]
    assert deadline.provisional is provisional
    pen_09 = next(r for r in listing(DEFAULT_REFERENCE) if r["id"] == "PEN-09")
    assert any(v.get("provisional") and v["valid_until"] == "2021-09-01" for v in pen_09["versions"])


# --- 5. PEN-05 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "status"), [("2024-03-29", "met"), ("2024-04-01", "missed"), (None, "missed")]
)
def test_pen_05_the_publication_deadline_is_met_by_publishing_on_time_not_by_recording(
    published_on: str | None, status: str
) -> None:
    h = History()
    data = {"published_on": published_on} if published_on else {}
    h.add(
        "penalty.decided",
        "2024-03-01",
        {
            "decision_no": "P1",
            "procedure": "ordinary",
            "penalty_kinds": ["fine"],
            "fine_yuan": "80000.00",
            "violation": "v",
            "legal_basis": FOOD_LAW_124,
            **data,
        },
        recorded="2024-03-02",
    )
    (deadline,) = [x for x in deadlines(h.facts, d("2024-06-01"), CTX) if x.rule == "PEN-05"]
    assert (deadline.due, deadline.status) == (d("2024-03-29"), status)


# --- 6. SDL-30 restriction --------------------------------------------------------------------


def test_sdl_30_restriction_years_lengthen_a_listing_only_for_a_restriction_or_ban() -> None:
    h = History()
    penalty(h, "P1", "2022-03-01", ["fine", "suspension"])
    h.serious("S1", "2022-03-01", "P1", restriction_years=5)
    assert [(i.start, i.end) for i in serious_list(h.facts, CTX)] == [(d("2022-03-01"), d("2025-03-02"))]


def test_sdl_30_the_restriction_runs_from_its_penalty_for_the_listing_as_for_early_removal() -> None:
    h = History()
    penalty(h, "P1", "2022-03-01", ["fine", "ban"], restriction_years=5)
    # a listing decided later (refusing to perform, SDL-11) ends with the restriction, not 5 Y after it
    h.serious("S1", "2022-06-01", "P1", restriction_years=5)
    (listed,) = serious_list(h.facts, CTX)
    assert listed.end == d("2027-03-02")
    blocked = repair_eligibility(h.facts, "serious", "S1", d("2026-01-05"), CTX)
    assert [c.earliest_on for c in blocked.unmet if c.rule == "SDL-31"] == [d("2027-03-02")]


# --- 7. SDL-31 one-year wait ------------------------------------------------------------------


@pytest.mark.parametrize(("fraud", "earliest"), [(False, "2023-03-02"), (True, "2024-05-02")])
def test_sdl_31_the_one_year_wait_restarts_only_after_a_fraud_relisting(fraud: bool, earliest: str) -> None:
    h = History()
    penalty(h, "P1", "2022-03-01", ["fine", "suspension"])
    h.serious("S1", "2022-03-01", "P1")
    h.repair("A1", "serious", "S1", "2023-03-10", accepted="2023-03-13", granted="2023-04-03")
    h.add("repair.revoked", "2023-05-01", {"application_id": "A1", "reason": "撤销", "fraud": fraud})
    answer = repair_eligibility(h.facts, "serious", "S1", d("2023-06-01"), CTX)
    assert answer.earliest_on == d(earliest)


# --- 8. listings without a lawful basis -------------------------------------------------------


def test_sdl_10_a_serious_listing_naming_no_penalty_of_the_enterprise_is_refused() -> None:
    h = History()
    listing_data = {"listing_id": "S1", "grounds": "严重违法", "penalty_decision_no": "P-nowhere"}
    assert "SDL-10" in refusals(h, "serious.listed", "2024-03-01", listing_data)


def test_sdl_01_a_serious_listing_on_a_penalty_that_is_not_heavier_is_refused() -> None:
    h = History()
    penalty(h, "P1", "2024-03-01", ["fine"])
    listing_data = {"listing_id": "S1", "grounds": "严重违法", "penalty_decision_no": "P1"}
    assert "SDL-01" in refusals(h, "serious.listed", "2024-03-01", listing_data)


def test_sdl_12_a_district_bureaus_listing_without_the_citys_approval_is_refused() -> None:
    h = History()
    h.add(
        "penalty.decided",
        "2024-03-01",
        {
            "decision_no": "P1",
            "procedure": "ordinary",
            "penalty_kinds": ["fine", "suspension"],
            "fine_yuan": "90000.00",
            "violation": "v",
            "legal_basis": FOOD_LAW_124,
        },
        department="TJ-D120101",
    )
    listing_data = {"listing_id": "S1", "grounds": "严重违法", "penalty_decision_no": "P1"}
    assert "SDL-12" in refusals(h, "serious.listed", "2024-03-01", listing_data, "TJ-D120101")
    approved = {**listing_data, "approved_by": "天津市市场监督管理委员会"}
    assert refusals(h, "serious.listed", "2024-03-01", approved, "TJ-D120101") == []


@pytest.mark.parametrize(
    ("reason", "on", "refused"),
    [("false_info", "2025-03-17", False), ("false_info", "2025-03-18", True), ("name_change", "2025-03-17", True)],
)
def test_aol_02_an_abnormal_listing_on_a_ground_not_in_force_on_its_date_is_refused(
    reason: str, on: str, refused: bool
) -> None:
    h = History()
    rules = refusals(h, "abnormal.listed", on, {"listing_id": "A1", "reason": reason}, "TJ-D120116")
    assert ("AOL-02" in rules) is refused


# --- 9. heavier fines -------------------------------------------------------------------------


def test_sdl_01_a_fine_set_under_the_heavier_punishment_rule_founds_a_listing_and_blocks_early_removal() -> None:
    h = History()
    penalty(h, "P1", "2023-03-01", ["fine"], heavier_fine=True)
    listing_data = {"listing_id": "S1", "grounds": "严重违法", "penalty_decision_no": "P1"}
    assert refusals(h, "serious.listed", "2023-03-01", listing_data) == []
    h.serious("S1", "2023-03-01", "P1")
    penalty(h, "P2", "2024-01-10", ["fine"], heavier_fine=True)  # SDL-31(3): a further heavier penalty
    answer = repair_eligibility(h.facts, "serious", "S1", d("2024-03-04"), CTX)
    assert any(c.rule == "SDL-31" and "heavier" in c.reason for c in answer.unmet)


# --- 10. the 2014 serious illegal enterprise list ---------------------------------------------


def test_aol_20_the_2014_list_ends_five_years_after_the_last_recurrence_and_is_a_serious_listing() -> None:
    h = History()
    h.add("abnormal.listed", "2020-07-10", {"listing_id": "A1", "reason": "annual_report"})
    h.add("abnormal.listed", "2025-01-06", {"listing_id": "A2", "reason": "instant_info"})  # a recurrence
    assert on_serious_list(h.facts, d("2023-07-11"), CTX)  # transferred after 3 Y (S-REG14 Art 17)
    assert on_serious_list(h.facts, d("2028-07-12"), CTX)  # 5 Y from the transfer, but it recurred
    assert on_serious_list(h.facts, d("2030-01-06"), CTX)
    assert not on_serious_list(h.facts, d("2030-01-07"), CTX)
    assert not notify_commit_eligibility(h.facts, d("2024-01-02"), CTX).eligible  # SDL-20 reads it


# --- 11. KEY-03 -------------------------------------------------------------------------------


def test_key_03_the_three_working_days_are_the_rule_and_deregistration_has_no_deadline() -> None:
    rule = CATALOGUE["KEY-03"]
    assert rule.status == "CONFIRMED" and rule.versions[-1].params["adjustment"] == Period(3, Unit.WD)
    h = History()
    h.permit("SC1", "2022-03-01", "2027-02-28")
    h.add("enterprise.deregistered", "2023-05-10", {})
    key_03 = [x for x in deadlines(h.facts, d("2023-06-01"), CTX) if x.rule == "KEY-03"]
    assert [x.due for x in key_03] == [d("2022-03-04")]  # the grant's; the exit is automatic


# --- 12. PEN-11(3) same violation, sectors ----------------------------------------------------


def test_pen_11_the_same_violation_is_the_same_article_even_in_other_words() -> None:
    h = History()
    penalty(h, "P1", "2024-03-01", ["fine"], published_on="2024-03-05", violation="使用超过保质期的食品原料")
    penalty(h, "P2", "2024-06-03", ["fine"], violation="超范围使用食品添加剂")  # Art 124 again
    answer = repair_eligibility(h.facts, "penalty", "P1", d("2025-03-10"), CTX)
    assert any(c.rule == "PEN-11" and "same violation" in c.reason for c in answer.unmet)


def test_pen_11_an_unrelated_violation_waits_six_months_whatever_permits_the_enterprise_holds() -> None:
    h = History()
    h.permit("SC1", "2021-03-01", "2026-02-28")
    penalty(
        h, "P1", "2024-03-01", ["fine"], published_on="2024-03-05", legal_basis="《中华人民共和国广告法》第五十五条"
    )
    assert repair_eligibility(h.facts, "penalty", "P1", d("2024-09-06"), CTX).may_apply


def test_pen_11_a_food_business_violation_waits_one_year() -> None:
    h = History()
    penalty(h, "P1", "2024-03-01", ["fine"], published_on="2024-03-05", sector="food_business")
    assert repair_eligibility(h.facts, "penalty", "P1", d("2024-09-06"), CTX).earliest_on == d("2025-03-06")


# --- 13. individual businesses ----------------------------------------------------------------


def test_pen_10_an_individual_business_takes_the_threshold_of_a_dated_documented_choice() -> None:
    h = History()
    h.raw.clear()
    registration = {"name": "个体户", "district_code": "120116", "entity_kind": "individual_business"}
    h.add("enterprise.registered", "2015-01-05", {**registration, "established_on": "2015-01-05"})
    penalty(h, "P1", "2024-03-01", ["fine"], fine_yuan="40000.00", published_on="2024-03-05")
    assert ends(h, GUIZHOU) == {"P1": d("2027-03-06")}  # the default choice: the natural person's 5,000
    as_organisation = replace(GUIZHOU.reference, individual_business_threshold=always("organisation"))
    assert ends(h, RuleContext(CAL, as_organisation)) == {"P1": d("2024-06-06")}
    pen_10 = next(r for r in listing(DEFAULT_REFERENCE) if r["id"] == "PEN-10")
    assert "individual_business_threshold" in str(pen_10["versions"])
