"""The measures catalogue and the change feed's items, pure (issue 23)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from domain.context import DEFAULT_CONTEXT
from domain.measures import BY_ID, CATALOGUE, feedback_due, measures_for
from domain.reference import DEFAULT_REFERENCE
from projections.change_feed import TYPE_PREFIX, changes

REF = DEFAULT_REFERENCE
AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def _ids(list_name: str, day: str) -> set[str]:
    return {m.id for m in measures_for(list_name, date.fromisoformat(day), REF)}  # type: ignore[arg-type]


def test_sdl_20_measures_follow_serious_listings_from_order_44_on() -> None:
    assert not {i for i in _ids("serious", "2021-08-31") if i.startswith("sdl-20")}
    assert {"sdl-20-key-supervision", "sdl-20-no-notify-commit"} <= _ids("serious", "2021-09-01")


def test_sdl_21_joint_punishment_is_in_the_catalogue_with_its_basis() -> None:
    assert "sdl-21-joint-punishment" in _ids("serious", "2021-09-01")
    assert "Order 44" in BY_ID["sdl-21-joint-punishment"].legal_basis


def test_sdl_22_restrictions_start_on_the_2024_regulations_cut_over_date_held_in_reference_data() -> None:
    assert "sdl-22-procurement" not in _ids("serious", "2024-04-30")
    assert "sdl-22-procurement" in _ids("serious", "2024-05-01")
    later = dataclasses.replace(REF, disclosure_2024_effective=date(2024, 6, 1))
    assert "sdl-22-procurement" not in {m.id for m in measures_for("serious", date(2024, 5, 15), later)}


def test_sdl_22_legal_representative_bar_is_shown_as_open_question_q17() -> None:
    bar = BY_ID["sdl-22-legal-representative-bar"]
    assert bar.open_question == "Q17" and bar.status == "OPEN" and "Q17" in bar.note


def test_aol_22_restrictions_follow_abnormal_listings_only_from_2024_05_01() -> None:
    assert _ids("abnormal", "2024-04-30") == set()
    assert _ids("abnormal", "2024-05-01") == {
        "aol-22-procurement",
        "aol-22-bidding",
        "aol-22-state-land",
        "aol-22-honours",
    }


def test_every_measure_has_a_rule_a_legal_basis_and_who_applies_it() -> None:
    assert all(m.rule and m.legal_basis and m.applied_by for m in CATALOGUE)
    assert len({m.id for m in CATALOGUE}) == len(CATALOGUE)


def _entry(until: str | None) -> dict[str, object]:
    return {
        "kind": "serious_list",
        "subject": "黑-1",
        "from": "2024-06-03",
        "until": until,
        "body": {"rules": ["SDL-30"], "records": []},
    }


def test_a_new_listing_with_a_known_end_gives_listed_and_a_scheduled_removal_item() -> None:
    items = changes("U", {}, {"k": _entry("2027-06-04")}, AT, {"serious.listed"}, DEFAULT_CONTEXT)
    assert [i["type"] for i in items] == [
        f"{TYPE_PREFIX}serious.listed",
        f"{TYPE_PREFIX}measure.imposed",
        f"{TYPE_PREFIX}serious.removed",
        f"{TYPE_PREFIX}measure.lifted",
    ]
    assert items[2]["data"]["reason"] == "expiry" and items[2]["data"]["stop_using_from"] == "2027-06-04"


def test_an_item_that_disappears_is_withdrawn_whole_and_ids_are_stable() -> None:
    old = {"k": _entry(None)}
    once = changes("U", old, {}, AT, {"record.retracted"}, DEFAULT_CONTEXT)
    again = changes("U", old, {}, AT, {"record.retracted"}, DEFAULT_CONTEXT)
    assert [i["id"] for i in once] == [i["id"] for i in again]
    assert once[0]["data"]["change"] == "withdrawn" and once[0]["data"]["reason"] == "retraction"
    assert once[0]["data"]["stop_using_from"] == "2024-06-03"
    assert changes("U", old, old, AT, set(), DEFAULT_CONTEXT) == []


def test_sdl_21_feedback_is_due_ten_working_days_after_the_trigger_and_open_only_when_missing_past_it() -> None:
    window = DEFAULT_REFERENCE.measure_feedback_window.on(date(2025, 1, 6))
    calendar = DEFAULT_CONTEXT.calendar
    due, open_deadline = feedback_due(date(2025, 1, 6), window, calendar, False, date(2025, 1, 6))
    assert due == calendar.last_day(date(2025, 1, 6), window).date and due >= date(2025, 1, 17)
    assert open_deadline is False
    assert feedback_due(date(2025, 1, 6), window, calendar, False, due)[1] is False  # due that day: not yet
    assert feedback_due(date(2025, 1, 6), window, calendar, False, due + timedelta(days=1))[1] is True
    assert feedback_due(date(2025, 1, 6), window, calendar, True, due + timedelta(days=1))[1] is False
