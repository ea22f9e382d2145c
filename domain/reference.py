"""Reference data: the numbers the rulebook marks UNCONFIRMED, as dated values.

Each value has an effective date; the default is the rulebook's stated assumption. Pass a
different `ReferenceData` to any derivation to override (the infrastructure loads overrides
from the database and builds one of these). Nothing here is read from a clock or a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from domain.calendar import Period, Unit

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A value that changes over time: ((effective_from, value), ...), oldest first."""

    versions: tuple[tuple[date, T], ...]

    def __post_init__(self) -> None:
        starts = [start for start, _ in self.versions]
        if not starts or starts != sorted(starts):
            raise ValueError("give at least one version, oldest first")

    def on(self, day: date) -> T:
        # Before the first version the first value applies: the rulebook gives nothing earlier.
        value = self.versions[0][1]
        for start, candidate in self.versions:
            if start <= day:
                value = candidate
        return value


def always(value: T) -> Dated[T]:
    return Dated(((date.min, value),))


@dataclass(frozen=True)
class ReferenceData:
    # PEN-10: Tianjin's lower-amount fine threshold (fines strictly below it). Default: the
    # Guizhou example quoted in the rulebook; None would mean "no fine is a lower-amount fine".
    lower_fine_threshold_organisation: Dated[Decimal | None] = always(Decimal("50000"))
    lower_fine_threshold_natural_person: Dated[Decimal | None] = always(Decimal("5000"))
    # KEY-03 (brief only): key-sector list adjusted within 3 WD of grant/revocation.
    key_list_adjustment: Dated[Period] = always(Period(3, Unit.WD))
    # REP-07: penalty-information repair deadlines, assumed to mirror Order 44 (SDL-32/33).
    penalty_repair_acceptance: Dated[Period] = always(Period(2, Unit.WD))
    penalty_repair_decision: Dated[Period] = always(Period(15, Unit.WD))
    penalty_repair_execution: Dated[Period] = always(Period(3, Unit.WD))
    # §12 / Q15: cut-over of the 2024 Disclosure Regulation (ends the AOL-20 transfer, starts
    # AOL-21) and of Order 101 (grounds AOL-02, no 3-year removal window AOL-11).
    disclosure_2024_effective: date = date(2024, 5, 1)
    order_101_effective: date = date(2025, 3, 18)
    # GSXT-06 exposure board windows (no source gives them).
    exposure_repeat_lookback: Dated[Period] = always(Period(1, Unit.Y))
    exposure_after_rectification_lookback: Dated[Period] = always(Period(1, Unit.Y))
    exposure_untrue_commitment: Dated[Period] = always(Period(1, Unit.Y))
    exposure_key_sector_only: bool = True
    # REP-09 for penalty information (UNCONFIRMED): does a repair revoked for fraud restart the
    # publicity window (as SDL-35 does for the serious list) or only restore what was left?
    penalty_fraud_restarts_window: bool = False
    notes: tuple[str, ...] = field(default=())


DEFAULT_REFERENCE = ReferenceData()
