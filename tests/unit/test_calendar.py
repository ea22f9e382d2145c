from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    Counting,
    Period,
    Unit,
    WorkingCalendar,
    YearSchedule,
    add_months,
    add_years,
)

CAL = WorkingCalendar()
d = date.fromisoformat

# (festival, first holiday, last holiday, make-up working weekend days,
#  last working day before, first working day after) — State Council schedules 2021–2026.
FESTIVALS = [
    ("2021 Spring Festival", "2021-02-11", "2021-02-17", ["2021-02-07", "2021-02-20"], "2021-02-10", "2021-02-18"),
    ("2021 National Day", "2021-10-01", "2021-10-07", ["2021-09-26", "2021-10-09"], "2021-09-30", "2021-10-08"),
    ("2022 Spring Festival", "2022-01-31", "2022-02-06", ["2022-01-29", "2022-01-30"], "2022-01-30", "2022-02-07"),
    ("2022 National Day", "2022-10-01", "2022-10-07", ["2022-10-08", "2022-10-09"], "2022-09-30", "2022-10-08"),
    ("2023 Spring Festival", "2023-01-21", "2023-01-27", ["2023-01-28", "2023-01-29"], "2023-01-20", "2023-01-28"),
    ("2023 National Day", "2023-09-29", "2023-10-06", ["2023-10-07", "2023-10-08"], "2023-09-28", "2023-10-07"),
    ("2024 Spring Festival", "2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"], "2024-02-09", "2024-02-18"),
    ("2024 National Day", "2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"], "2024-09-30", "2024-10-08"),
    ("2025 Spring Festival", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"], "2025-01-27", "2025-02-05"),
    ("2025 National Day", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"], "2025-09-30", "2025-10-09"),
    ("2026 Spring Festival", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"], "2026-02-13", "2026-02-24"),
    ("2026 National Day", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"], "2026-09-30", "2026-10-08"),
]


@pytest.mark.parametrize(
    ("name", "first", "last", "make_up", "before", "after"), FESTIVALS, ids=[f[0] for f in FESTIVALS]
)
def test_festival_weeks_are_rest_days_and_their_make_up_weekend_days_are_working_days(
    name: str, first: str, last: str, make_up: list[str], before: str, after: str
) -> None:
    day = d(first)
    while day <= d(last):
        assert not CAL.is_working_day(day), day
        day += timedelta(days=1)
    for m in make_up:
        assert d(m).weekday() >= 5 and CAL.is_working_day(d(m)), m
    assert CAL.is_working_day(d(before)) and CAL.is_working_day(d(after))


@pytest.mark.parametrize(
    ("name", "first", "last", "make_up", "before", "after"), FESTIVALS, ids=[f[0] for f in FESTIVALS]
)
def test_one_working_day_after_the_last_day_before_a_festival_is_the_first_day_after_it(
    name: str, first: str, last: str, make_up: list[str], before: str, after: str
) -> None:
    # 2026 Spring Festival: the make-up Saturday 14 Feb falls right before the holiday.
    expected = d(after) if name != "2026 Spring Festival" else d("2026-02-14")
    assert CAL.add_working_days(d(before), 1).date == expected
    assert CAL.working_days_between(d(before), expected).count == 1
    assert not CAL.add_working_days(d(before), 1).provisional


def test_twenty_working_days_across_the_2024_spring_festival_count_the_make_up_sunday() -> None:
    # Day 0 = 8 Feb; 9 Feb (1), holiday 10–17 Feb, make-up Sunday 18 Feb (2), 19.. (3..)
    assert CAL.add_working_days(d("2024-02-08"), 5).date == d("2024-02-21")
    assert CAL.add_working_days(d("2024-02-08"), 20).date == d("2024-03-13")


def test_a_decision_on_the_first_day_of_national_day_2025_starts_counting_after_the_holiday() -> None:
    assert CAL.add_working_days(d("2025-10-01"), 1).date == d("2025-10-09")
    assert CAL.add_working_days(d("2025-10-01"), 3).date == d("2025-10-11")  # make-up Saturday


def test_counting_from_day_x_with_the_first_day_counted_ends_one_working_day_earlier() -> None:
    counted = Counting(first_day_counts=True)
    assert CAL.add_working_days(d("2024-03-01"), 3).date == d("2024-03-06")
    assert CAL.add_working_days(d("2024-03-01"), 3, counted).date == d("2024-03-05")
    # a rest-day start is not a working day, so it cannot count as day 1
    assert CAL.add_working_days(d("2024-03-02"), 1, counted).date == d("2024-03-04")
    assert CAL.last_day(d("2022-03-01"), Period(3, Unit.Y)).date == d("2025-03-01")
    assert CAL.last_day(d("2022-03-01"), Period(3, Unit.Y), counted).date == d("2025-02-28")


def test_a_calendar_day_deadline_ending_on_a_holiday_rolls_to_the_next_working_day() -> None:
    rolled = Counting(roll_to_working_day=True)
    assert CAL.last_day(d("2024-09-21"), Period(10, Unit.D)).date == d("2024-10-01")
    assert CAL.last_day(d("2024-09-21"), Period(10, Unit.D), rolled).date == d("2024-10-08")
    assert CAL.last_day(d("2024-09-20"), Period(10, Unit.D), rolled).date == d("2024-09-30")


def test_zero_working_days_is_the_start_itself() -> None:
    assert CAL.add_working_days(d("2024-02-10"), 0).date == d("2024-02-10")
    with pytest.raises(ValueError):
        CAL.add_working_days(d("2024-02-10"), -1)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        ("2024-02-29", 1, "2025-02-28"),
        ("2024-02-29", 3, "2027-02-28"),
        ("2024-02-29", 4, "2028-02-29"),
        ("2023-02-28", 1, "2024-02-28"),
        ("2020-02-29", 5, "2025-02-28"),
    ],
)
def test_a_29_february_anniversary_falls_on_28_february_in_a_common_year(start: str, years: int, expected: str) -> None:
    assert add_years(d(start), years) == d(expected)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-11-30", 3, "2025-02-28"),
        ("2024-03-15", -3, "2023-12-15"),
    ],
)
def test_month_anniversaries_clamp_to_the_last_day_of_a_shorter_month(start: str, months: int, expected: str) -> None:
    assert add_months(d(start), months) == d(expected)


def test_a_three_year_window_from_29_february_ends_after_28_february() -> None:
    assert CAL.period_end(d("2024-02-29"), Period(3, Unit.Y)).date == d("2027-03-01")


def test_a_date_past_the_known_schedules_is_provisional_until_the_year_is_loaded() -> None:
    first = CAL.add_working_days(d("2026-12-30"), 3)
    assert first.provisional and first.date == d("2027-01-04")  # weekends only: 1 Jan counted
    schedule = YearSchedule(2027, frozenset({d("2027-01-01")}), frozenset())
    firm = WorkingCalendar(extra_schedules=[schedule]).add_working_days(d("2026-12-30"), 3)
    assert not firm.provisional and firm.date == d("2027-01-05")
    assert CAL.with_schedule(schedule).add_working_days(d("2026-12-30"), 3) == firm


def test_a_question_inside_known_years_is_never_provisional() -> None:
    assert not CAL.add_working_days(d("2026-12-28"), 2).provisional
    assert CAL.working_days_between(d("2026-12-28"), d("2027-01-04")).provisional


def test_a_loaded_make_up_day_is_a_working_weekend_day() -> None:
    schedule = YearSchedule(2027, frozenset({d("2027-02-08")}), frozenset({d("2027-02-06")}))
    cal = WorkingCalendar([schedule])
    assert cal.is_working_day(d("2027-02-06")) and not cal.is_working_day(d("2027-02-08"))
    assert cal.add_working_days(d("2027-02-05"), 1).date == d("2027-02-06")


def test_a_schedule_with_dates_of_another_year_is_refused() -> None:
    with pytest.raises(ValueError):
        YearSchedule(2027, frozenset({d("2026-12-31")}), frozenset())
    with pytest.raises(ValueError):
        YearSchedule(2027, frozenset({d("2027-01-02")}), frozenset({d("2027-01-02")}))


@settings(max_examples=150, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2027, 12, 31)), st.integers(0, 60))
def test_counting_working_days_is_the_inverse_of_adding_them(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end.date).count == n
    assert end.date == start or CAL.is_working_day(end.date)
