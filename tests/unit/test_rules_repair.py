from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

import domain.rules  # noqa: F401  (registers the repair.applied intake check)
from domain.calendar import WorkingCalendar
from domain.consistency import check_record
from domain.context import RuleContext
from domain.records import RepairApplied
from domain.reference import DEFAULT_REFERENCE, always
from domain.rules.repair import repair_eligibility
from tests.unit.rules_history import History, d

CAL = WorkingCalendar()
# Tianjin's PEN-10 threshold is unset by default; these tests set the rulebook's example.
REF = replace(DEFAULT_REFERENCE, lower_fine_threshold_organisation=always(Decimal("50000")))
CTX = RuleContext(CAL, REF)


def eligible(h: History, kind: str, ref: str, day: str):  # type: ignore[no-untyped-def]
    return repair_eligibility(h.facts, kind, ref, d(day), CTX)


def fined(sector: str | None = "other", **kw) -> History:  # type: ignore[no-untyped-def]
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05", sector=sector, **kw)
    return h


@pytest.mark.parametrize(("day", "may"), [("2024-09-05", False), ("2024-09-06", True), ("2024-09-07", True)])
def test_penalty_publicity_may_be_stopped_after_six_months(day: str, may: bool) -> None:
    result = eligible(fined(), "penalty", "P1", day)
    assert result.may_apply is may and result.earliest_on == d("2024-09-06")
    if not may:
        assert [c.rule for c in result.unmet] == ["PEN-11"]


@pytest.mark.parametrize("sector", ["food_production", "special_food", "special_equipment", "drug"])
@pytest.mark.parametrize(("day", "may"), [("2025-03-05", False), ("2025-03-06", True), ("2025-03-07", True)])
def test_food_drug_and_special_equipment_penalties_need_one_year(sector: str, day: str, may: bool) -> None:
    result = eligible(fined(sector), "penalty", "P1", day)
    assert result.may_apply is may and result.earliest_on == d("2025-03-06")


def test_pen_11_without_a_sector_the_law_cited_decides_the_minimum_period_not_the_permits() -> None:
    food = fined(None)  # 《食品安全法》: a food-domain violation waits 1 Y
    assert eligible(food, "penalty", "P1", "2024-09-06").earliest_on == d("2025-03-06")
    advert = fined(None, legal_basis="《中华人民共和国广告法》第五十五条第一款")
    advert.permit("SC1", "2021-03-01", "2026-02-28")  # a food producer, but not a food violation
    assert eligible(advert, "penalty", "P1", "2024-09-06").may_apply


@pytest.mark.parametrize(
    "kind",
    [
        "suspension",
        "restriction",
        "ban",
        "qualification_downgrade",
        "permit_revocation",
        "licence_revocation",
        "closure",
    ],
)
def test_pen_12_severe_penalties_can_never_be_repaired(kind: str) -> None:
    h = History()
    years = 1 if kind in ("restriction", "ban") else None
    h.penalty("P1", "2020-03-01", ("fine", kind), published_on="2020-03-05", restriction_years=years)
    result = eligible(h, "penalty", "P1", "2022-03-01")
    assert not result.may_apply and result.earliest_on is None and result.unmet[0].rule == "PEN-12"


@pytest.mark.parametrize(
    ("kinds", "fine", "rule"),
    [(("warning",), None, "PEN-01"), (("criticism",), None, "PEN-12"), (("fine",), "100.00", "PEN-12")],
)
def test_unpublished_and_three_month_penalties_have_nothing_to_repair(kinds, fine, rule) -> None:  # type: ignore[no-untyped-def]
    h = History()
    h.penalty("P1", "2024-03-01", kinds, fine=fine, published_on="2024-03-05")
    assert eligible(h, "penalty", "P1", "2025-03-01").unmet[0].rule == rule


def test_a_revoked_or_expired_penalty_has_nothing_to_repair() -> None:
    h = fined()
    assert "PEN-09" in [c.rule for c in eligible(h, "penalty", "P1", "2027-03-06").unmet]
    h.revoke_penalty("P1", "2024-10-01")
    assert "PEN-07" in [c.rule for c in eligible(h, "penalty", "P1", "2024-10-01").unmet]


def test_being_listed_or_penalised_again_for_the_same_violation_blocks_penalty_repair() -> None:
    h = fined()
    h.penalty("P2", "2024-06-01", published_on="2024-06-03")
    h.abnormal("A1", "2024-07-10")
    result = eligible(h, "penalty", "P1", "2024-09-06")
    reasons = [c.reason for c in result.unmet]
    assert all(c.rule == "PEN-11" for c in result.unmet) and len(reasons) == 2
    assert result.earliest_on is None  # penalised again: cannot be met by waiting


@pytest.mark.parametrize(("day", "may"), [("2023-03-01", False), ("2023-03-02", True), ("2023-03-03", True)])
def test_early_removal_from_the_serious_list_may_be_applied_for_after_one_year(day: str, may: bool) -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    result = eligible(h, "serious", "S1", day)
    assert result.may_apply is may and result.earliest_on == d("2023-03-02")


def test_a_running_restriction_period_blocks_early_removal() -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("ban",), fine=None, restriction_years=2)
    h.serious("S1", "2022-03-01", "P1")
    result = eligible(h, "serious", "S1", "2023-06-01")
    assert [c.rule for c in result.unmet] == ["SDL-31"] and result.earliest_on == d("2024-03-02")


def test_a_further_heavier_penalty_blocks_early_removal() -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    h.penalty("P2", "2022-09-01", ("permit_revocation",), fine=None)
    assert not eligible(h, "serious", "S1", "2023-06-01").may_apply


def test_after_a_fraud_relisting_the_year_counts_from_the_relisting() -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    h.repair("A1", "serious", "S1", "2023-03-10", granted="2023-04-01", revoked="2023-06-01", fraud=True)
    assert eligible(h, "serious", "S1", "2024-06-01").earliest_on == d("2024-06-02")


@pytest.mark.parametrize(("day", "may"), [("2023-06-01", True), ("2023-06-02", False), ("2023-06-03", False)])
def test_under_the_2014_regime_abnormal_removal_may_be_applied_for_only_within_three_years(day: str, may: bool) -> None:
    h = History()
    h.abnormal("A1", "2020-06-01")
    result = eligible(h, "abnormal", "A1", day)
    assert result.may_apply is may
    if not may:
        assert result.unmet[0].rule == "AOL-11"


def test_under_the_2025_regime_abnormal_removal_has_no_window() -> None:
    h = History()
    h.abnormal("A1", "2020-06-01")
    regime_2025 = replace(REF, order_101_effective=date(2014, 1, 1))
    assert repair_eligibility(h.facts, "abnormal", "A1", d("2024-06-01"), RuleContext(CAL, regime_2025)).may_apply


def test_an_open_application_for_the_same_target_is_reported() -> None:
    h = History()
    h.abnormal("A1", "2025-06-01")
    h.repair("R1", "abnormal", "A1", "2025-06-02")
    assert eligible(h, "abnormal", "A1", "2025-06-03").unmet[0].rule == "LEDGER-09"


def _applied(h: History, kind: str, ref: str, day: str):  # type: ignore[no-untyped-def]
    data = RepairApplied(application_id="NEW", target_kind=kind, target_ref=ref)
    return check_record("repair.applied", d(day), "TJ-ENF", data, h.raw, today=date(2026, 11, 25), ctx=CTX)


def test_intake_refuses_an_early_penalty_repair_with_the_rule_and_the_earliest_date() -> None:
    (problem,) = _applied(fined(), "penalty", "P1", "2024-09-05")
    assert (problem.field, problem.rule, problem.earliest_on) == ("effective_on", "PEN-11", d("2024-09-06"))
    assert _applied(fined(), "penalty", "P1", "2024-09-06") == []


def test_intake_refuses_a_repair_of_a_never_repairable_penalty() -> None:
    h = History()
    h.penalty("P1", "2020-03-01", ("suspension",), fine=None, published_on="2020-03-05")
    (problem,) = _applied(h, "penalty", "P1", "2022-03-01")
    assert (problem.field, problem.rule, problem.earliest_on) == ("data.target_ref", "PEN-12", None)


def test_intake_accepts_an_application_the_reviewer_must_judge() -> None:
    h = fined()
    h.abnormal("A1", "2024-07-10")
    assert _applied(h, "penalty", "P1", "2024-09-06") == []


def test_intake_leaves_an_unknown_target_to_the_reference_check() -> None:
    problems = _applied(fined(), "penalty", "NOPE", "2024-09-06")
    assert [p.rule for p in problems] == ["LEDGER-07"]
