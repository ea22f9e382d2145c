from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.calendar import WorkingCalendar
from domain.context import RuleContext
from domain.reference import DEFAULT_REFERENCE
from domain.rules.abnormal import (
    ABNORMAL,
    LICENCE_REVOCATION_DUE,
    TRANSFER_REMINDER,
    abnormal_list,
    ground_in_force,
)
from domain.rules.key_sector import key_sector_list, on_key_sector_list
from domain.rules.serious import on_serious_list, serious_list
from tests.unit.rules_history import History, d

CAL = WorkingCalendar()
REF = DEFAULT_REFERENCE
CTX = RuleContext(CAL, REF)
REGIME_2024_ALWAYS = replace(REF, disclosure_2024_effective=date(2014, 1, 1), order_101_effective=date(2014, 1, 1))


def spans(intervals, kind=None):  # type: ignore[no-untyped-def]
    return [(i.start, i.end) for i in intervals if kind is None or i.kind == kind]


def listed(
    with_penalty_years: int | None = None,
    listing_years: int | None = None,
    kinds: tuple[str, ...] = ("fine", "suspension"),
) -> History:
    h = History()
    h.penalty("P1", "2022-03-01", kinds, restriction_years=with_penalty_years)
    h.serious("S1", "2022-03-01", "P1", restriction_years=listing_years)
    return h


# --- serious list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "on_list"), [("2022-02-28", False), ("2022-03-01", True), ("2025-03-01", True), ("2025-03-02", False)]
)
def test_a_serious_listing_is_removed_automatically_after_three_years(day: str, on_list: bool) -> None:
    assert on_serious_list(listed().facts, d(day), CTX) is on_list


def test_sdl_13_a_serious_listing_must_be_published_within_twenty_working_days() -> None:
    (interval,) = serious_list(listed().facts, CTX)
    assert interval.start_due == d("2022-03-29") and "SDL-13" in interval.rules


@pytest.mark.parametrize(
    ("kind", "penalty_years", "listing_years", "end"),
    [
        ("restriction", None, 5, "2027-03-02"),
        ("restriction", 5, None, "2027-03-02"),
        ("restriction", 3, None, "2025-03-02"),
        ("ban", 4, 6, "2028-03-02"),
        ("suspension", None, 5, "2025-03-02"),  # SDL-30: only a restriction or a ban lengthens
    ],
)
def test_a_longer_restriction_period_keeps_the_listing(kind, penalty_years, listing_years, end) -> None:  # type: ignore[no-untyped-def]
    h = listed(penalty_years, listing_years, ("fine", kind))
    assert spans(serious_list(h.facts, CTX)) == [(d("2022-03-01"), d(end))]


@pytest.mark.parametrize(("day", "on_list"), [("2023-03-31", True), ("2023-04-01", False), ("2023-04-02", False)])
def test_a_granted_early_removal_ends_the_listing_on_the_grant(day: str, on_list: bool) -> None:
    h = listed()
    h.repair("A1", "serious", "S1", "2023-03-10", accepted="2023-03-13", granted="2023-04-01")
    h.serious_removed("S1", "2023-04-04", "early_repair")
    assert on_serious_list(h.facts, d(day), CTX) is on_list
    (interval,) = serious_list(h.facts, CTX)
    # SDL-33: executed within 3 WD; 5 Apr 2023 is Qingming
    assert interval.end_due == d("2023-04-06") and "SDL-31" in interval.rules


@pytest.mark.parametrize(("day", "on_list"), [("2023-01-09", True), ("2023-01-10", False), ("2023-01-11", False)])
def test_sdl_34_a_listing_is_revoked_when_its_penalty_is_annulled(day: str, on_list: bool) -> None:
    h = listed()
    h.revoke_penalty("P1", "2023-01-10")
    assert on_serious_list(h.facts, d(day), CTX) is on_list
    (interval,) = serious_list(h.facts, CTX)
    assert "SDL-34" in interval.rules and interval.end_due == d("2023-01-13")


def test_a_serious_removed_record_ends_the_listing() -> None:
    h = listed()
    h.serious_removed("S1", "2023-06-01", "other")
    assert spans(serious_list(h.facts, CTX)) == [(d("2022-03-01"), d("2023-06-01"))]


def test_sdl_35_a_repair_revoked_for_fraud_relists_with_the_period_restarted() -> None:
    h = listed()
    h.repair("A1", "serious", "S1", "2023-03-10", granted="2023-04-01", revoked="2023-06-01", fraud=True)
    h.serious_removed("S1", "2023-04-04", "early_repair")
    intervals = serious_list(h.facts, CTX)
    assert spans(intervals) == [(d("2022-03-01"), d("2023-04-01")), (d("2023-06-01"), d("2026-06-02"))]
    assert "SDL-35" in intervals[1].rules


def test_rep_09_a_repair_revoked_without_fraud_restores_only_the_rest_of_the_period() -> None:
    h = listed()
    h.repair("A1", "serious", "S1", "2023-03-10", granted="2023-04-01", revoked="2023-06-01")
    assert spans(serious_list(h.facts, CTX)) == [
        (d("2022-03-01"), d("2023-04-01")),
        (d("2023-06-01"), d("2025-03-02")),
    ]


# --- abnormal list ---------------------------------------------------------------------------


def test_an_abnormal_listing_lasts_until_removed() -> None:
    h = History()
    h.abnormal("A1", "2024-07-10")
    h.abnormal_removed("A1", "2024-09-02")
    intervals = abnormal_list(h.facts, CTX)
    assert spans(intervals, ABNORMAL) == [(d("2024-07-10"), d("2024-09-02"))]
    assert "AOL-10" in intervals[0].rules


def test_a_granted_abnormal_repair_ends_the_listing() -> None:
    h = History()
    h.abnormal("A1", "2024-07-10")
    h.repair("R1", "abnormal", "A1", "2024-08-01", granted="2024-08-05")
    assert spans(abnormal_list(h.facts, CTX), ABNORMAL) == [(d("2024-07-10"), d("2024-08-05"))]


def transferred(h: History, ctx: RuleContext = CTX) -> list[tuple[date, date | None]]:
    """The 2014 serious illegal enterprise list (AOL-20), which is part of the serious list."""
    return spans([i for i in serious_list(h.facts, ctx) if i.subject.startswith("AOL-20:")])


def test_the_same_listing_is_transferred_under_the_2014_regime_but_not_under_the_2024_regime() -> None:
    h = History()
    h.abnormal("A1", "2020-07-10")
    old = abnormal_list(h.facts, CTX)
    new = abnormal_list(h.facts, RuleContext(CAL, REGIME_2024_ALWAYS))
    assert transferred(h) == [(d("2020-07-10").replace(year=2023, day=11), d("2028-07-12"))]
    assert spans(old, TRANSFER_REMINDER) == [(d("2023-05-12"), d("2023-07-11"))]
    assert transferred(h, RuleContext(CAL, REGIME_2024_ALWAYS)) == [] and spans(new, TRANSFER_REMINDER) == []
    assert spans(old, ABNORMAL) == spans(new, ABNORMAL)


@pytest.mark.parametrize(
    ("listed_on", "expected"), [("2021-04-29", True), ("2021-04-30", False), ("2021-05-01", False)]
)
def test_the_transfer_must_fall_before_the_2024_cut_over(listed_on: str, expected: bool) -> None:
    h = History()
    h.abnormal("A1", listed_on)
    assert bool(transferred(h)) is expected


@pytest.mark.parametrize(
    ("removed_on", "expected"), [("2023-07-10", False), ("2023-07-11", False), ("2023-07-12", True)]
)
def test_a_listing_removed_before_its_third_year_ends_is_not_transferred(removed_on: str, expected: bool) -> None:
    h = History()
    h.abnormal("A1", "2020-07-10")
    h.abnormal_removed("A1", removed_on)
    assert bool(transferred(h)) is expected


def two_years_unreported_and_unreachable() -> History:
    h = History()
    h.abnormal("A24", "2024-07-10")
    h.abnormal("A25", "2025-07-10")
    h.abnormal("U1", "2025-08-01", "unreachable")
    return h


def test_aol_21_two_unreported_years_and_unreachable_make_licence_revocation_due_under_the_2024_regime() -> None:
    h = two_years_unreported_and_unreachable()
    due = [i for i in abnormal_list(h.facts, CTX) if i.kind == LICENCE_REVOCATION_DUE]
    assert spans(due) == [(d("2025-08-01"), None)] and due[0].rules == ("AOL-21",)
    h.add("enterprise.licence_revoked", "2025-10-09", {"decision_no": "吊销1"})
    assert spans(abnormal_list(h.facts, CTX), LICENCE_REVOCATION_DUE) == [(d("2025-08-01"), d("2025-10-09"))]


def test_licence_revocation_is_never_due_while_the_2014_regime_is_in_force() -> None:
    h = two_years_unreported_and_unreachable()
    regime_2014 = replace(REF, disclosure_2024_effective=date(2030, 1, 1))
    assert spans(abnormal_list(h.facts, RuleContext(CAL, regime_2014)), LICENCE_REVOCATION_DUE) == [
        (date(2030, 1, 1), None)
    ]


def test_licence_revocation_needs_consecutive_years() -> None:
    h = History()
    h.abnormal("A24", "2024-07-10")
    h.abnormal("A26", "2026-07-10")
    h.abnormal("U1", "2025-08-01", "unreachable")
    assert spans(abnormal_list(h.facts, CTX), LICENCE_REVOCATION_DUE) == []


@pytest.mark.parametrize(
    ("day", "false_info", "name_change"),
    [("2025-03-17", True, False), ("2025-03-18", False, True), ("2025-03-19", False, True)],
)
def test_abnormal_list_grounds_follow_the_order_in_force(day: str, false_info: bool, name_change: bool) -> None:
    assert ground_in_force("false_info", d(day), REF) is false_info
    assert ground_in_force("name_change", d(day), REF) is name_change
    assert ground_in_force("annual_report", d(day), REF)


def test_aol_02_a_stored_listing_on_a_ground_no_longer_in_force_is_never_published() -> None:
    h = History()
    h.abnormal("A1", "2025-04-01", "false_info")
    assert abnormal_list(h.facts, CTX) == []


# --- key-sector list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "sectors"),
    [("2021-02-28", []), ("2021-03-01", ["food_production"]), ("2026-02-28", ["food_production"]), ("2026-03-01", [])],
)
def test_an_enterprise_is_on_the_key_sector_list_while_its_permit_is_valid(day: str, sectors: list[str]) -> None:
    h = History()
    h.permit("SC1", "2021-03-01", "2026-02-28")
    assert on_key_sector_list(h.facts, d(day), CTX) == sectors


def test_key_03_the_key_sector_adjustment_deadline_is_three_working_days_from_the_plan_on() -> None:
    h = History()
    h.permit("SC1", "2021-09-01", "2026-08-31")
    (interval,) = key_sector_list(h.facts, CTX)
    assert (interval.start_due, interval.end_due) == (d("2021-09-06"), d("2026-09-04"))
    before = History()
    before.permit("SC1", "2021-03-01", "2026-02-28")
    assert key_sector_list(before.facts, CTX)[0].start_due is None  # the list began with the plan


def test_key_06_a_renewal_before_expiry_extends_membership_without_a_gap() -> None:
    h = History()
    h.permit("SC1", "2021-03-01", "2026-02-28")
    h.add("permit.renewed", "2026-01-10", {"permit_no": "SC1", "valid_until": "2031-02-28"})
    assert spans(key_sector_list(h.facts, CTX)) == [(d("2021-03-01"), d("2031-03-01"))]


def test_a_renewal_after_expiry_leaves_a_gap() -> None:
    h = History()
    h.permit("SC1", "2021-03-01", "2026-02-28")
    h.add("permit.renewed", "2026-03-10", {"permit_no": "SC1", "valid_until": "2031-02-28"})
    assert spans(key_sector_list(h.facts, CTX)) == [
        (d("2021-03-01"), d("2026-03-01")),
        (d("2026-03-10"), d("2031-03-01")),
    ]


@pytest.mark.parametrize(
    "ender", ["permit.revoked", "permit.cancelled", "enterprise.licence_revoked", "enterprise.deregistered"]
)
@pytest.mark.parametrize(("day", "on_list"), [("2023-05-09", True), ("2023-05-10", False), ("2023-05-11", False)])
def test_key_04_an_enterprise_leaves_the_key_sector_list_when_its_permit_or_licence_ends(
    ender: str, day: str, on_list: bool
) -> None:
    h = History()
    h.permit("SC1", "2021-03-01", "2026-02-28")
    data = {
        "permit.revoked": {"permit_no": "SC1", "kind": "revoked", "decision_no": "X"},
        "permit.cancelled": {"permit_no": "SC1", "reason": "停产"},
        "enterprise.licence_revoked": {"decision_no": "X"},
        "enterprise.deregistered": {},
    }[ender]
    h.add(ender, "2023-05-10", data)
    assert bool(on_key_sector_list(h.facts, d(day), CTX)) is on_list
    # KEY-03: 3 WD from the act; deregistration is an automatic exit with no deadline of its own
    automatic = ender == "enterprise.deregistered"
    assert key_sector_list(h.facts, CTX)[0].end_due == (None if automatic else d("2023-05-15"))


def test_two_permits_of_one_sector_give_one_membership_and_other_sectors_are_not_key() -> None:
    h = History()
    h.permit("SC1", "2021-03-01", "2026-02-28")
    h.permit("SC2", "2025-01-01", "2029-12-31")
    h.permit("X1", "2021-03-01", "2026-02-28", sector="other")
    h.permit("TS1", "2022-01-01", "2025-12-31", sector="special_equipment")
    got = {(i.subject, i.start, i.end) for i in key_sector_list(h.facts, CTX)}
    assert got == {
        ("food_production", d("2021-03-01"), d("2030-01-01")),
        ("special_equipment", d("2022-01-01"), d("2026-01-01")),
    }
