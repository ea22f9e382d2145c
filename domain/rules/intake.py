"""Registers the rules' intake checks with `domain.consistency` (imported by `domain.rules`).

The registered check uses the calendar and reference data set by `use`; the infrastructure
calls `use` once at start-up after loading holiday schedules and reference-data overrides.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.calendar import DEFAULT_CALENDAR, WorkingCalendar
from domain.consistency import Problem, register_check
from domain.history import Fact
from domain.rules.reference import DEFAULT_REFERENCE, ReferenceData
from domain.rules.repair import intake_problems

_in_use: dict[str, Any] = {"calendar": DEFAULT_CALENDAR, "reference": DEFAULT_REFERENCE}


def use(calendar: WorkingCalendar | None = None, reference: ReferenceData | None = None) -> None:
    if calendar is not None:
        _in_use["calendar"] = calendar
    if reference is not None:
        _in_use["reference"] = reference


def check_repair_applied(
    record_type: str, effective_on: date, data: dict[str, Any], history: list[Fact], facts: list[Fact]
) -> list[Problem]:
    """PEN-11/12, SDL-31, AOL-11: refuse an application made too early or for a target that
    can never be repaired, naming the rule and the earliest permitted date."""
    return intake_problems(facts, data, effective_on, _in_use["calendar"], _in_use["reference"])


_registered = False


def register() -> None:
    global _registered
    if not _registered:  # importing twice (e.g. reloads in tests) must not check twice
        register_check("repair.applied", check_repair_applied)
        _registered = True


register()
