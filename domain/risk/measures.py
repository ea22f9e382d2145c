"""What each indicator of a risk model counts in an enterprise's history on a date.

Each measure returns how many units it found and the records it found them in (department,
record_id), so that every point of a score names its records. The vocabulary is closed
(`domain.risk.model.Measure`): a model chooses and weighs measures, the ledger computes them.
Only facts in force (corrections applied, retractions dropped) with an effective date on or
before the scoring date count; a look-back window counts facts dated after `on - window`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache

from domain.calendar import Period, Unit, add_months, add_years
from domain.context import RuleContext
from domain.history import AnyFact, Facts, typed
from domain.records import (
    AbnormalListed,
    AbnormalRemoved,
    AnnualReportFiled,
    CommitmentVerified,
    EnterpriseRegistered,
    InspectionConcluded,
    PenaltyDecided,
    PenaltyKind,
    PenaltyRevoked,
    PermitCancelled,
    PermitGranted,
    PermitRenewed,
    PermitRevoked,
)
from domain.risk.model import Indicator
from domain.rules.common import Interval
from domain.rules.serious import serious_list

Key = tuple[str, str]
KEY_SECTORS = ("food_production", "special_food", "special_equipment")
FAILED_INSPECTIONS = frozenset({"issues_found", "rectification_ordered", "not_at_address", "refused"})
SEVERE_KINDS = frozenset(
    {
        PenaltyKind.suspension,
        PenaltyKind.permit_revocation,
        PenaltyKind.licence_revocation,
        PenaltyKind.ban,
        PenaltyKind.restriction,
        PenaltyKind.closure,
    }
)


@lru_cache(maxsize=1024)
def window_start(on: date, period: Period) -> date:
    """The first day counted by a look-back window ending on `on` (inclusive)."""
    if period.unit is Unit.Y:
        return add_years(on, -period.amount) + timedelta(days=1)
    if period.unit is Unit.M:
        return add_months(on, -period.amount) + timedelta(days=1)
    return on - timedelta(days=period.amount - 1)


@dataclass(frozen=True)
class Permit:
    key: Key
    permit_no: str
    sector: str
    valid_from: date
    valid_until: date
    ended_on: date | None
    """Revoked or cancelled on this date."""

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day < self.valid_until and (self.ended_on is None or day < self.ended_on)


@dataclass(frozen=True)
class Evidence:
    """One enterprise's facts in force with an effective date on or before `on`."""

    facts: Facts
    on: date
    ctx: RuleContext

    def of(self, *types: str) -> list[AnyFact]:
        return [f for t in types for f in self.facts.by_type.get(t, ())]

    def within(self, facts: list[AnyFact], indicator: Indicator) -> list[AnyFact]:
        period = indicator.period
        if period is None:
            return facts
        start = window_start(self.on, period)
        return [f for f in facts if f.effective_on >= start]

    @cached_property
    def registration(self) -> AnyFact | None:
        found = self.of("enterprise.registered")
        return found[0] if found else None

    @cached_property
    def permits(self) -> list[Permit]:
        ends: dict[str, date] = {}
        for fact in self.of("permit.revoked", "permit.cancelled"):
            data = fact.data
            assert isinstance(data, PermitRevoked | PermitCancelled)
            ends.setdefault(data.permit_no, fact.effective_on)
        until: dict[str, date] = {}
        for fact in self.of("permit.renewed"):
            renewed = typed(fact, PermitRenewed).data
            until[renewed.permit_no] = max(until.get(renewed.permit_no, renewed.valid_until), renewed.valid_until)
        out = []
        for fact in self.of("permit.granted"):
            granted = typed(fact, PermitGranted).data
            out.append(
                Permit(
                    fact.key,
                    granted.permit_no,
                    granted.sector.value,
                    granted.valid_from,
                    max(granted.valid_until, until.get(granted.permit_no, granted.valid_until)),
                    ends.get(granted.permit_no),
                )
            )
        return out

    @cached_property
    def serious_intervals(self) -> list[Interval]:
        """The serious-list intervals of the history (SDL-*, and AOL-20's 2014 transfer). Only a
        serious or an abnormal listing can make one, so most histories skip deriving them."""
        if not self.facts.by_type.get("serious.listed") and not self.facts.by_type.get("abnormal.listed"):
            return []
        return serious_list(self.facts, self.ctx)

    @cached_property
    def valid_key_permits(self) -> list[Permit]:
        return [p for p in self.permits if p.sector in KEY_SECTORS and p.valid_on(self.on)]

    @cached_property
    def penalties_in_force(self) -> list[AnyFact]:
        revoked = {typed(f, PenaltyRevoked).data.decision_no for f in self.of("penalty.revoked")}
        return [f for f in self.of("penalty.decided") if typed(f, PenaltyDecided).data.decision_no not in revoked]


Found = tuple[int, tuple[Key, ...], str]
MeasureFn = Callable[[Evidence, Indicator, str], Found]


def _keys(facts: list[AnyFact]) -> tuple[Key, ...]:
    return tuple(dict.fromkeys(f.key for f in facts))


def _count(facts: list[AnyFact], what: str) -> Found:
    return len(facts), _keys(facts), f"{len(facts)} {what}"


def young(ev: Evidence, ind: Indicator, sector: str) -> Found:
    reg = ev.registration
    if reg is None:
        return 0, (), ""
    years = ind.params.get("years", 3)
    established = typed(reg, EnterpriseRegistered).data.established_on
    if add_years(established, years) > ev.on:
        return 1, (reg.key,), f"established {established}, under {years} years before {ev.on}"
    return 0, (), ""


def annual_reports_missing(ev: Evidence, ind: Indicator, sector: str) -> Found:
    """Years of the window whose report was due by 30 June of the next year (AOL-01) and is not filed."""
    reg = ev.registration
    if reg is None:
        return 0, (), ""
    established = typed(reg, EnterpriseRegistered).data.established_on
    filed = {typed(f, AnnualReportFiled).data.year for f in ev.of("annual_report.filed")}
    period = ind.period or Period(1, Unit.Y)
    first = window_start(ev.on, period).year - 1
    missing = [
        year
        for year in range(max(first, established.year), ev.on.year)
        if date(year + 1, 6, 30) < ev.on and year not in filed
    ]
    if not missing:
        return 0, (), ""
    return len(missing), (reg.key,), f"no annual report for {', '.join(map(str, missing))}"


def abnormal_listed(ev: Evidence, ind: Indicator, sector: str) -> Found:
    removed = {typed(f, AbnormalRemoved).data.listing_id for f in ev.of("abnormal.removed")}
    open_ = [f for f in ev.of("abnormal.listed") if typed(f, AbnormalListed).data.listing_id not in removed]
    return _count(open_, "abnormal listing(s) not removed")


def licence_revoked(ev: Evidence, ind: Indicator, sector: str) -> Found:
    return _count(ev.of("enterprise.licence_revoked"), "business licence revocation")


def no_valid_permit(ev: Evidence, ind: Indicator, sector: str) -> Found:
    held = [p for p in ev.permits if p.sector in KEY_SECTORS]
    if held and not ev.valid_key_permits:
        return 1, tuple(p.key for p in held), f"no key-sector permit valid on {ev.on} (held {len(held)})"
    return 0, (), ""


def permits_revoked(ev: Evidence, ind: Indicator, sector: str) -> Found:
    return _count(ev.within(ev.of("permit.revoked"), ind), f"permit revocation(s) in {ind.window}")


def inspections_failed(ev: Evidence, ind: Indicator, sector: str) -> Found:
    failed = [
        f for f in ev.of("inspection.concluded") if typed(f, InspectionConcluded).data.result in FAILED_INSPECTIONS
    ]
    return _count(ev.within(failed, ind), f"inspection(s) with problems in {ind.window}")


def inspections_passed(ev: Evidence, ind: Indicator, sector: str) -> Found:
    passed = [f for f in ev.of("inspection.concluded") if typed(f, InspectionConcluded).data.result == "compliant"]
    return _count(ev.within(passed, ind), f"compliant inspection(s) in {ind.window}")


def penalties(ev: Evidence, ind: Indicator, sector: str) -> Found:
    return _count(ev.within(ev.penalties_in_force, ind), f"penalty decision(s) in {ind.window}")


def penalties_severe(ev: Evidence, ind: Indicator, sector: str) -> Found:
    severe = [
        f
        for f in ev.penalties_in_force
        if set(typed(f, PenaltyDecided).data.penalty_kinds) & SEVERE_KINDS or typed(f, PenaltyDecided).data.heavier_fine
    ]
    return _count(ev.within(severe, ind), f"severe penalty decision(s) in {ind.window}")


def serious_listed(ev: Evidence, ind: Indicator, sector: str) -> Found:
    intervals = [i for i in ev.serious_intervals if i.contains(ev.on)]
    if not intervals:
        return 0, (), ""
    keys = tuple(dict.fromkeys(k for i in intervals for k in i.records))
    return 1, keys, f"on the serious list on {ev.on} (since {min(i.start for i in intervals)})"


def commitments_untrue(ev: Evidence, ind: Indicator, sector: str) -> Found:
    untrue = [f for f in ev.of("commitment.verified") if typed(f, CommitmentVerified).data.outcome == "untrue"]
    return _count(ev.within(untrue, ind), f"commitment(s) found untrue in {ind.window} (COM-05)")


def commitments_kept(ev: Evidence, ind: Indicator, sector: str) -> Found:
    kept = [f for f in ev.of("commitment.verified") if typed(f, CommitmentVerified).data.outcome == "fulfilled"]
    return _count(ev.within(kept, ind), f"commitment(s) verified as kept in {ind.window}")


def repairs_granted(ev: Evidence, ind: Indicator, sector: str) -> Found:
    return _count(ev.within(ev.of("repair.granted"), ind), f"credit repair(s) granted in {ind.window}")


def sector_inherent(ev: Evidence, ind: Indicator, sector: str) -> Found:
    if sector == "general":
        return 0, (), ""
    permits = [p for p in ev.valid_key_permits if p.sector == sector]
    return 1, tuple(p.key for p in permits), f"sector {sector}"


def permit_lines(ev: Evidence, ind: Indicator, sector: str) -> Found:
    extra = ev.valid_key_permits[ind.params.get("free", 1) :]
    return len(extra), tuple(p.key for p in extra), f"{len(ev.valid_key_permits)} key-sector permits valid"


MEASURES: dict[str, MeasureFn] = {
    "young": young,
    "annual_reports_missing": annual_reports_missing,
    "abnormal_listed": abnormal_listed,
    "licence_revoked": licence_revoked,
    "no_valid_permit": no_valid_permit,
    "permits_revoked": permits_revoked,
    "inspections_failed": inspections_failed,
    "inspections_passed": inspections_passed,
    "penalties": penalties,
    "penalties_severe": penalties_severe,
    "serious_listed": serious_listed,
    "commitments_untrue": commitments_untrue,
    "commitments_kept": commitments_kept,
    "repairs_granted": repairs_granted,
    "sector_inherent": sector_inherent,
    "permit_lines": permit_lines,
}
