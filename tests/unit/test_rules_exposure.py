from __future__ import annotations

from dataclasses import replace

import pytest

from domain.calendar import WorkingCalendar
from domain.context import RuleContext
from domain.reference import DEFAULT_REFERENCE
from domain.rules.commitment import notify_commit_eligibility, notify_commit_ineligible
from domain.rules.exposure import exposure_board
from tests.unit.rules_history import History, d

CAL = WorkingCalendar()
REF = DEFAULT_REFERENCE
CTX = RuleContext(CAL, REF)


def board(h: History, reference=REF):  # type: ignore[no-untyped-def]
    return {(i.subject, i.start, i.end) for i in exposure_board(h.facts, RuleContext(CAL, reference))}


def key_sector() -> History:
    h = History()
    h.permit("SC1", "2020-01-01", "2029-12-31")
    return h


def untrue(h: History, on: str) -> None:
    h.add(
        "commitment.made", "2023-01-01", {"commitment_id": "C1", "matter": "m", "text": "t", "consent_to_publish": True}
    )
    h.add("commitment.verified", on, {"commitment_id": "C1", "outcome": "untrue", "consequence": "penalised"})


@pytest.mark.parametrize(("day", "eligible"), [("2022-02-28", True), ("2022-03-01", False), ("2025-03-02", True)])
def test_sdl_20_notify_and_commit_is_not_used_while_on_the_serious_list(day: str, eligible: bool) -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    result = notify_commit_eligibility(h.facts, d(day), CTX)
    assert result.eligible is eligible
    if not eligible:
        assert result.reasons[0].rules == ("SDL-20",)


@pytest.mark.parametrize(("day", "eligible"), [("2023-05-31", True), ("2023-06-01", False), ("2024-01-10", True)])
def test_an_untrue_commitment_blocks_notify_and_commit_until_repaired(day: str, eligible: bool) -> None:
    h = History()
    untrue(h, "2023-06-01")
    h.abnormal("A1", "2023-07-01")
    h.repair("R1", "abnormal", "A1", "2024-01-05", granted="2024-01-10")
    assert notify_commit_eligibility(h.facts, d(day), CTX).eligible is eligible
    assert notify_commit_ineligible(h.facts, CTX)[0].rules == ("COM-04",)


def test_a_serious_listing_of_a_key_sector_enterprise_is_exposed_while_listed() -> None:
    h = key_sector()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    assert board(h) == {("serious_list", d("2022-03-01"), d("2025-03-02"))}


def test_only_key_sector_enterprises_are_exposed_unless_configured_otherwise() -> None:
    h = History()
    h.penalty("P1", "2022-03-01", ("fine", "suspension"))
    h.serious("S1", "2022-03-01", "P1")
    assert board(h) == set()
    assert board(h, replace(REF, exposure_key_sector_only=False)) == {
        ("serious_list", d("2022-03-01"), d("2025-03-02"))
    }


def test_an_untrue_commitment_is_exposed_for_the_configured_window() -> None:
    h = key_sector()
    untrue(h, "2023-06-01")
    assert board(h) == {("untrue_commitment", d("2023-06-01"), d("2024-06-02"))}


@pytest.mark.parametrize(("second", "exposed"), [("2025-03-04", True), ("2025-03-05", True), ("2025-03-06", False)])
def test_a_repeat_offence_within_the_lookback_is_exposed_while_both_penalties_are_public(
    second: str, exposed: bool
) -> None:
    h = key_sector()
    h.penalty("P1", "2024-03-05", published_on="2024-03-05")
    h.penalty("P2", second, published_on=second)
    got = [x for x in board(h) if x[0] == "repeat_offence"]
    assert bool(got) is exposed
    if exposed:
        assert got == [("repeat_offence", d(second), d("2027-03-06"))]


def test_a_repeat_offence_ends_on_the_board_when_a_repair_stops_one_penalty() -> None:
    h = key_sector()
    h.penalty("P1", "2024-03-05", published_on="2024-03-05", sector="other")
    h.penalty("P2", "2024-06-01", published_on="2024-06-01")
    h.repair("A1", "penalty", "P1", "2024-09-10", granted="2024-09-20")
    assert [x for x in board(h) if x[0] == "repeat_offence"] == [("repeat_offence", d("2024-06-01"), d("2024-09-20"))]


def test_a_penalty_after_an_order_to_rectify_is_exposed_while_public() -> None:
    h = key_sector()
    h.add(
        "inspection.concluded",
        "2024-01-10",
        {"task_id": "T1", "item": "i", "kind": "double_random", "result": "rectification_ordered"},
    )
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    h.penalty("P2", "2025-01-11", published_on="2025-01-13", violation="other")
    assert [x for x in board(h) if x[0].startswith("penalised")] == [
        ("penalised_after_rectification_order", d("2024-03-05"), d("2027-03-06"))
    ]
