"""The working-day calendar and the period arithmetic every rule uses (rulebook TIME-01..03).

Statutory holidays and make-up working days (调休) come from `chinesecalendar`; schedules for
later years are loaded as data (`YearSchedule`). A question about a year nobody has loaded is
answered with weekends only and marked `provisional`; once the year is loaded the same question
gets the firm answer. Period arithmetic lives only here: rules name a `Period` and a `Counting`
convention, never add days themselves.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

ONE_DAY = timedelta(days=1)


class Unit(StrEnum):
    WD = "WD"  # working days, 工作日 (TIME-01)
    D = "D"  # calendar days, 日
    M = "M"  # months, 个月
    Y = "Y"  # years, 年


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


@dataclass(frozen=True)
class Counting:
    """How a period "counted from day X" (自…之日起) is counted (TIME-02), configurable per rule.

    Default: day X is day 0 and the count starts the next day, so a 3-year period from
    2022-03-01 has 2025-03-01 as its last day. `first_day_counts=True` makes day X day 1.
    `roll_to_working_day` moves a last day that falls on a rest day to the next working day
    (民法典 Arts 201, 203) — meant for deadlines, not for publicity windows.
    """

    first_day_counts: bool = False
    roll_to_working_day: bool = False


TIME_02 = Counting()
TIME_02_DEADLINE = Counting(roll_to_working_day=True)


@dataclass(frozen=True)
class YearSchedule:
    """A year's official State Council schedule, loaded by an administrator."""

    year: int
    holidays: frozenset[date]
    make_up_working_days: frozenset[date]

    def __post_init__(self) -> None:
        stray = [d for d in self.holidays | self.make_up_working_days if d.year != self.year]
        if stray:
            raise ValueError(f"dates outside {self.year}: {sorted(stray)}")
        if self.holidays & self.make_up_working_days:
            raise ValueError("a day cannot be both a holiday and a make-up working day")


@dataclass(frozen=True)
class CalendarDate:
    date: date
    provisional: bool = False


@dataclass(frozen=True)
class CalendarCount:
    count: int
    provisional: bool = False


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later; a day the target month lacks becomes its last day
    (31 Jan + 1 M = 28/29 Feb; 29 Feb + 12 M = 28 Feb) — TIME-03, 民法典 Art 202."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """N-year anniversary (满 N 年, TIME-03); 29 Feb → 28 Feb in a non-leap year."""
    return add_months(day, 12 * years)


_PACKAGE_HOLIDAYS: frozenset[date] = frozenset(chinese_calendar.holidays)
_PACKAGE_WORKDAYS: frozenset[date] = frozenset(chinese_calendar.workdays)
_PACKAGE_YEARS: frozenset[int] = frozenset(d.year for d in _PACKAGE_HOLIDAYS)


class WorkingCalendar:
    """Working days = Monday–Friday minus statutory holidays, plus make-up working days (TIME-01)."""

    def __init__(self, extra_schedules: Iterable[YearSchedule] = ()):
        holidays = set(_PACKAGE_HOLIDAYS)
        workdays = set(_PACKAGE_WORKDAYS)
        years = set(_PACKAGE_YEARS)
        for schedule in extra_schedules:
            # A loaded schedule replaces the package's data for its year: the official text wins.
            holidays = {d for d in holidays if d.year != schedule.year} | schedule.holidays
            workdays = {d for d in workdays if d.year != schedule.year} | schedule.make_up_working_days
            years.add(schedule.year)
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self.known_years: frozenset[int] = frozenset(years)

    def with_schedule(self, schedule: YearSchedule) -> WorkingCalendar:
        extra = [
            YearSchedule(
                y,
                frozenset(d for d in self._holidays if d.year == y),
                frozenset(d for d in self._workdays if d.year == y),
            )
            for y in self.known_years - _PACKAGE_YEARS
        ]
        return WorkingCalendar([*extra, schedule])

    def is_known(self, day: date) -> bool:
        return day.year in self.known_years

    def is_working_day(self, day: date) -> bool:
        if day in self._workdays:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: date, days: int, counting: Counting = TIME_02) -> CalendarDate:
        """The `days`-th working day counted from `start` (TIME-02: `start` is day 0).

        With `first_day_counts`, a working `start` is itself working day 1.
        `days=0` answers `start` itself.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        if days == 0:
            return CalendarDate(start, not self.is_known(start))
        provisional = False
        remaining = days
        day = start
        if counting.first_day_counts:
            provisional = not self.is_known(start)
            if self.is_working_day(start):
                remaining -= 1
                if remaining == 0:
                    return CalendarDate(start, provisional)
        while remaining:
            day += ONE_DAY
            provisional = provisional or not self.is_known(day)
            if self.is_working_day(day):
                remaining -= 1
        return CalendarDate(day, provisional)

    def working_days_between(self, start: date, end: date) -> CalendarCount:
        """Working days in (start, end]: the inverse of `add_working_days` (TIME-02)."""
        if end < start:
            back = self.working_days_between(end, start)
            return CalendarCount(-back.count, back.provisional)
        count, provisional, day = 0, False, start
        while day < end:
            day += ONE_DAY
            provisional = provisional or not self.is_known(day)
            count += self.is_working_day(day)
        return CalendarCount(count, provisional)

    def next_working_day(self, day: date) -> CalendarDate:
        """`day` itself when it is a working day, else the next one."""
        provisional = not self.is_known(day)
        while not self.is_working_day(day):
            day += ONE_DAY
            provisional = provisional or not self.is_known(day)
        return CalendarDate(day, provisional)

    def last_day(self, start: date, period: Period, counting: Counting = TIME_02) -> CalendarDate:
        """The last day of `period` counted from `start` — the one place periods are counted."""
        if period.unit is Unit.WD:
            return self.add_working_days(start, period.amount, counting)
        if period.unit is Unit.D:
            end = start + timedelta(days=period.amount)
        elif period.unit is Unit.M:
            end = add_months(start, period.amount)
        else:
            end = add_years(start, period.amount)
        if counting.first_day_counts:
            end -= ONE_DAY
        if counting.roll_to_working_day:
            return self.next_working_day(end)
        return CalendarDate(end)

    def period_end(self, start: date, period: Period, counting: Counting = TIME_02) -> CalendarDate:
        """The first day after the period: the exclusive end of a window, or the first day on
        which "after N" is satisfied."""
        last = self.last_day(start, period, counting)
        return CalendarDate(last.date + ONE_DAY, last.provisional)


DEFAULT_CALENDAR = WorkingCalendar()
