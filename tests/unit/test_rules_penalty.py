from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.calendar import WorkingCalendar
from domain.context import RuleContext
from domain.reference import DEFAULT_REFERENCE, always
from domain.rules.penalty import is_public, publicity
from tests.unit.rules_history import History, d

CAL = WorkingCalendar()
# Tianjin's PEN-10 threshold is unset by default; these tests set Guizhou's (the rulebook's example).
REF = replace(
    DEFAULT_REFERENCE,
    lower_fine_threshold_organisation=always(Decimal("50000")),
    lower_fine_threshold_natural_person=always(Decimal("5000")),
)
CTX = RuleContext(CAL, REF)


def public_on(h: History, no: str, day: str) -> bool:
    return is_public(h.facts, no, d(day), CTX)


def windows(h: History) -> list[tuple[date, date | None]]:
    return [(i.start, i.end) for i in publicity(h.facts, CTX)]


def test_pen_01_a_warning_only_penalty_is_never_public() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("warning",), published_on="2024-03-05")
    assert publicity(h.facts, CTX) == []


def test_a_simplified_procedure_penalty_is_never_public() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", procedure="simplified", published_on="2024-03-05")
    assert publicity(h.facts, CTX) == []


def test_a_warning_with_a_fine_is_public() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("warning", "fine"), published_on="2024-03-05")
    assert windows(h) == [(d("2024-03-05"), d("2027-03-06"))]


@pytest.mark.parametrize(
    ("day", "public"),
    [
        ("2024-03-04", False),
        ("2024-03-05", True),
        ("2024-03-06", True),
        ("2027-03-04", True),
        ("2027-03-05", True),
        ("2027-03-06", False),
    ],
)
def test_an_ordinary_fine_is_public_for_three_years_from_publication(day: str, public: bool) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    assert public_on(h, "P1", day) is public


@pytest.mark.parametrize(("day", "public"), [("2024-06-04", True), ("2024-06-05", True), ("2024-06-06", False)])
def test_a_circulated_criticism_only_is_public_for_three_months(day: str, public: bool) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("criticism",), published_on="2024-03-05")
    assert public_on(h, "P1", day) is public
    assert "PEN-10" in publicity(h.facts, CTX)[0].rules


@pytest.mark.parametrize(
    ("fine", "end"),
    [
        ("49999.99", "2024-06-06"),
        ("50000.00", "2027-03-06"),
        ("50000.01", "2027-03-06"),
    ],
)
def test_a_lower_amount_fine_is_strictly_below_the_threshold(fine: str, end: str) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("fine",), fine=fine, published_on="2024-03-05")
    assert windows(h) == [(d("2024-03-05"), d(end))]


def test_a_lower_amount_fine_with_confiscation_is_public_for_three_years() -> None:
    h = History()
    h.add(
        "penalty.decided",
        "2024-03-01",
        {
            "decision_no": "P1",
            "procedure": "ordinary",
            "penalty_kinds": ["fine", "confiscation"],
            "fine_yuan": "1000.00",
            "confiscated_yuan": "10.00",
            "violation": "v",
            "legal_basis": "b",
            "published_on": "2024-03-05",
        },
    )
    assert windows(h) == [(d("2024-03-05"), d("2027-03-06"))]


def test_the_lower_amount_threshold_is_reference_data_with_an_effective_date() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", fine="20000.00", published_on="2024-03-05")
    assert publicity(h.facts, CTX)[0].end == d("2024-06-06")
    from domain.reference import Dated

    lower = replace(
        REF,
        lower_fine_threshold_organisation=Dated(((date.min, Decimal("50000")), (d("2024-01-01"), Decimal("10000")))),
    )
    assert publicity(h.facts, RuleContext(CAL, lower))[0].end == d("2027-03-06")
    (unset,) = publicity(h.facts, RuleContext(CAL, DEFAULT_REFERENCE))  # Tianjin's: none set
    assert unset.end == d("2027-03-06") and "threshold is set" in unset.note


def test_an_individual_business_uses_the_natural_person_threshold() -> None:
    h = History()
    h.raw.clear()
    h.add(
        "enterprise.registered",
        "2015-01-05",
        {
            "name": "个体户",
            "district_code": "120116",
            "entity_kind": "individual_business",
            "established_on": "2015-01-05",
        },
    )
    h.penalty("P1", "2024-03-01", fine="6000.00", published_on="2024-03-05")
    h.penalty("P2", "2024-03-01", fine="4999.00", published_on="2024-03-05")
    ends = {i.subject: i.end for i in publicity(h.facts, CTX)}
    assert ends == {"P1": d("2027-03-06"), "P2": d("2024-06-06")}


@pytest.mark.parametrize(("years", "end"), [(3, "2027-03-06"), (4, "2028-03-06"), (5, "2029-03-06")])
def test_a_restriction_longer_than_three_years_sets_the_window(years: int, end: str) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", ("ban",), fine=None, restriction_years=years, published_on="2024-03-05")
    assert windows(h) == [(d("2024-03-05"), d(end))]


def test_without_a_publication_date_the_window_starts_at_the_twentieth_working_day() -> None:
    h = History()
    h.penalty("P1", "2024-03-01")
    (window,) = publicity(h.facts, CTX)
    assert (window.start, window.end) == (d("2024-03-29"), d("2027-03-30"))
    assert window.start_due == d("2024-03-29") and "PEN-05" in window.rules and not window.provisional


def test_a_publication_window_past_the_known_calendar_is_provisional() -> None:
    h = History()
    h.penalty("P1", "2026-12-20")
    assert publicity(h.facts, CTX)[0].provisional


def test_a_window_never_starts_before_its_decision() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-02-01")
    assert publicity(h.facts, CTX)[0].start == d("2024-03-01")


@pytest.mark.parametrize(("day", "public"), [("2025-01-09", True), ("2025-01-10", False), ("2025-01-11", False)])
def test_a_revoked_decision_is_withdrawn_on_the_revocation_date(day: str, public: bool) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.revoke_penalty("P1", "2025-01-10")
    assert public_on(h, "P1", day) is public
    (window,) = publicity(h.facts, CTX)
    assert "PEN-07" in window.rules and window.end_due == d("2025-01-15")


@pytest.mark.parametrize(("day", "public"), [("2024-10-09", True), ("2024-10-10", False), ("2024-10-11", False)])
def test_a_granted_repair_stops_publicity_early(day: str, public: bool) -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.repair("A1", "penalty", "P1", "2024-09-20", accepted="2024-09-23", granted="2024-10-10")
    assert public_on(h, "P1", day) is public
    assert "PEN-11" in publicity(h.facts, CTX)[0].rules


def test_a_repair_revoked_later_restores_the_rest_of_the_window() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.repair("A1", "penalty", "P1", "2024-09-20", granted="2024-10-10", revoked="2025-01-02")
    assert windows(h) == [(d("2024-03-05"), d("2024-10-10")), (d("2025-01-02"), d("2027-03-06"))]
    assert "REP-09" in publicity(h.facts, CTX)[1].rules


def test_a_fraud_revocation_restarts_the_window_only_when_configured() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.repair("A1", "penalty", "P1", "2024-09-20", granted="2024-10-10", revoked="2025-01-02", fraud=True)
    assert windows(h)[1] == (d("2025-01-02"), d("2027-03-06"))
    restart = replace(REF, penalty_fraud_restarts_window=True)
    assert [(i.start, i.end) for i in publicity(h.facts, RuleContext(CAL, restart))][1] == (
        d("2025-01-02"),
        d("2028-01-03"),
    )


def test_a_repair_of_another_penalty_does_not_touch_this_one() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.penalty("P2", "2024-03-01", published_on="2024-03-05", violation="other")
    h.repair("A1", "penalty", "P2", "2024-09-20", granted="2024-10-10")
    assert {i.subject: i.end for i in publicity(h.facts, CTX)} == {"P1": d("2027-03-06"), "P2": d("2024-10-10")}


def test_a_retracted_penalty_is_never_public() -> None:
    h = History()
    fact = h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.add(
        "record.retracted",
        "2024-03-10",
        {"target": {"department": fact.department, "record_id": fact.record_id}, "reason": "录入错误"},
    )
    assert publicity(h.facts, CTX) == []


def test_every_publicity_interval_names_its_rules_and_records() -> None:
    h = History()
    fact = h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    (window,) = publicity(h.facts, CTX)
    assert window.records == (fact.key,) and window.rules[:1] == ("PEN-01",) and window.version.startswith("S-45")


def test_restriction_years_on_a_fine_alone_do_not_lengthen_the_window() -> None:
    from domain.records import PenaltyDecided, from_stored
    from domain.rules.penalty import window_period

    h = History()
    fine = h.penalty("D1", "2024-03-01", ("fine",))
    # refused at intake now (PEN-09), but a record stored earlier may carry them
    stored = from_stored(PenaltyDecided, {**fine.data.model_dump(mode="json"), "restriction_years": 5})
    fine = replace(fine, data=stored)
    ban = h.penalty("D2", "2024-03-01", ("ban",), restriction_years=5)
    assert str(window_period(fine, h.facts, CTX)) == "3 Y"
    assert str(window_period(ban, h.facts, CTX)) == "5 Y"
    with pytest.raises(ValueError, match="restriction or ban"):
        PenaltyDecided.model_validate({**fine.data.model_dump(mode="json"), "restriction_years": 5})
