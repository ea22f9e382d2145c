"""What the rules need besides an enterprise's history, handed to them explicitly.

A `RuleContext` is a plain value: the working-day calendar (with any holiday schedules an
administrator loaded) and the reference data in force (the UNCONFIRMED numbers, dated). The
composition root builds one from the database (`adapters.reference_store.load`) and passes it
to every derivation and check; nothing in the domain keeps one in a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.calendar import DEFAULT_CALENDAR, WorkingCalendar
from domain.reference import DEFAULT_REFERENCE, ReferenceData


@dataclass(frozen=True)
class RuleContext:
    calendar: WorkingCalendar = field(default=DEFAULT_CALENDAR)
    reference: ReferenceData = field(default=DEFAULT_REFERENCE)


DEFAULT_CONTEXT = RuleContext()
"""The calendar of the `chinesecalendar` package and the rulebook's stated assumptions."""
