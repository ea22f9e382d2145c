"""Reference data: the numbers the rulebook marks UNCONFIRMED, and the dated choices the ledger
makes where the rulebook is silent, each with its source.

Each `Dated` value has effective dates; the default is the rulebook's stated assumption or the
ledger's documented choice (docs/rules.md). Pass a different `ReferenceData` to any derivation
to override (the infrastructure loads overrides of the `Dated` values from the database and
builds one of these). Nothing here is read from a clock or a file.
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
class DistrictChange:
    """A Tianjin county-level code retired from GB/T 2260 on `on`, its area going to `successor`
    (ID-11). The dates are the State Council approval or the city's announcement found in the
    sources named; the GB/T 2260 edition dates themselves are UNCONFIRMED."""

    retired: str
    retired_name: str
    successor: str
    on: date
    source: str


# ID-11: every Tianjin code retired since the 2014 Disclosure Regulation's records could begin,
# and before. Codes as the issue and the rulebook give them (120107-120109, 120222, 120224 are
# UNCONFIRMED codes there).
TIANJIN_DISTRICT_CHANGES: tuple[DistrictChange, ...] = (
    DistrictChange(
        "120222", "武清县", "120114", date(2000, 6, 13), "State Council approval of 2000-06-13 (武清撤县设区)"
    ),
    DistrictChange("120224", "宝坻县", "120115", date(2001, 3, 22), "国函〔2001〕29号, 2001-03-22"),
    DistrictChange("120107", "塘沽区", "120116", date(2009, 10, 21), "国函〔2009〕125号, 2009-10-21"),
    DistrictChange("120108", "汉沽区", "120116", date(2009, 10, 21), "国函〔2009〕125号, 2009-10-21"),
    DistrictChange("120109", "大港区", "120116", date(2009, 10, 21), "国函〔2009〕125号, 2009-10-21"),
    DistrictChange(
        "120221", "宁河县", "120117", date(2015, 8, 12), "State Council approval announced by the city 2015-08-12"
    ),
    DistrictChange(
        "120223", "静海县", "120118", date(2015, 8, 12), "State Council approval announced by the city 2015-08-12"
    ),
    DistrictChange(
        "120225",
        "蓟县",
        "120119",
        date(2016, 7, 28),
        "State Council approval (June 2016) announced by the city 2016-07-28",
    ),
)


@dataclass(frozen=True)
class ReferenceData:
    # PEN-10 (Q6): Tianjin's lower-amount fine threshold (fines strictly below it) is unknown.
    # None: no threshold set for that date, so no fine is a lower-amount fine (3 Y, PEN-09).
    # An administrator sets Tianjin's from the date it applies (`credit-ledger reference set`).
    lower_fine_threshold_organisation: Dated[Decimal | None] = always(None)
    lower_fine_threshold_natural_person: Dated[Decimal | None] = always(None)
    # PEN-10: which threshold an individual business (个体工商户) takes. The rulebook does not say
    # (its Guizhou example names natural persons and legal persons/other organisations only);
    # the ledger's choice: the natural person's, since the operator answers personally.
    individual_business_threshold: Dated[str] = always("natural_person")
    # REP-07: penalty-information repair deadlines, assumed to mirror Order 44 (SDL-32/33).
    penalty_repair_acceptance: Dated[Period] = always(Period(2, Unit.WD))
    penalty_repair_decision: Dated[Period] = always(Period(15, Unit.WD))
    penalty_repair_execution: Dated[Period] = always(Period(3, Unit.WD))
    # §12 / Q15: cut-over of the 2024 Disclosure Regulation (ends the AOL-20 transfer and with
    # it the AOL-11 removal window, starts AOL-21) and of Order 101 (grounds AOL-02).
    disclosure_2024_effective: date = date(2024, 5, 1)
    order_101_effective: date = date(2025, 3, 18)
    # GSXT-06 exposure board windows (no source gives them).
    exposure_repeat_lookback: Dated[Period] = always(Period(1, Unit.Y))
    exposure_after_rectification_lookback: Dated[Period] = always(Period(1, Unit.Y))
    exposure_untrue_commitment: Dated[Period] = always(Period(1, Unit.Y))
    exposure_key_sector_only: bool = True
    # Issue 23 (SDL-21 joint punishment, trigger → feedback): working days a department has to
    # report the measures it applied on a trigger before it shows as an open deadline. No source
    # gives a number: assumed.
    measure_feedback_window: Dated[Period] = always(Period(10, Unit.WD))
    # REP-09 for penalty information (UNCONFIRMED): does a repair revoked for fraud restart the
    # publicity window (as SDL-35 does for the serious list) or only restore what was left?
    penalty_fraud_restarts_window: bool = False
    # ID-11: retired Tianjin district codes and their successors, by date.
    district_changes: tuple[DistrictChange, ...] = TIANJIN_DISTRICT_CHANGES
    # SDL-12, KEY-05: which recording departments are district bureaus (区市场监管局). The ledger
    # names a district bureau's department `TJ-D<its GB/T 2260 code>` (docs/access.md).
    district_bureau_prefix: str = "TJ-D"
    # KEY-05: districts whose bureau grants special-food licences in its own name. S-TJ28 四(一)1(1):
    # "滨海新区市场监管局梳理以区局名义作出的企业名单" (Binhai New Area).
    provincial_licence_districts: frozenset[str] = frozenset({"120116"})
    notes: tuple[str, ...] = field(default=())


DEFAULT_REFERENCE = ReferenceData()

RETIRED_REFERENCE_VALUES: dict[str, str] = {
    "key_list_adjustment": "KEY-03 is CONFIRMED (S-TJ28 四(一)2): its 3 WD are part of the rule, not reference data",
}
"""Names an older ledger may hold overrides of, now ignored (with the reason)."""
