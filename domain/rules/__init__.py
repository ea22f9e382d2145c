"""The legal rules (rulebook) as pure functions of an enterprise's resolved history.

Importing this package registers the intake checks (`domain.rules.intake`).
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.calendar import DEFAULT_CALENDAR, WorkingCalendar
from domain.history import Fact
from domain.rules import intake as _intake  # noqa: F401  (registers the repair.applied check)
from domain.rules.abnormal import abnormal_list
from domain.rules.commitment import notify_commit_eligibility, notify_commit_ineligible
from domain.rules.common import Interval
from domain.rules.exposure import exposure_board
from domain.rules.key_sector import key_sector_list
from domain.rules.penalty import publicity
from domain.rules.reference import DEFAULT_REFERENCE, ReferenceData
from domain.rules.serious import serious_list


def derive(
    facts: Sequence[Fact], calendar: WorkingCalendar = DEFAULT_CALENDAR, reference: ReferenceData = DEFAULT_REFERENCE
) -> list[Interval]:
    """Every interval of one enterprise (the projector's and the replay's single entry point)."""
    return [
        *publicity(facts, calendar, reference),
        *serious_list(facts, calendar, reference),
        *abnormal_list(facts, calendar, reference),
        *key_sector_list(facts, calendar, reference),
        *notify_commit_ineligible(facts, calendar, reference),
        *exposure_board(facts, calendar, reference),
    ]


__all__ = ["Interval", "derive", "notify_commit_eligibility"]
