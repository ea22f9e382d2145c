"""Serious illegal dishonesty list (Order 44: SDL-13, 30, 31, 33, 34, 35)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.calendar import Period, Unit, WorkingCalendar
from domain.history import Fact
from domain.records import SeriousListed
from domain.rules.catalogue import param, version_applied
from domain.rules.common import (
    Interval,
    RepairStep,
    first,
    of_type,
    penalties,
    repair_steps,
    revocation_of,
    segments,
)
from domain.rules.reference import ReferenceData

SERIOUS = "serious_list"


def listed_data(fact: Fact) -> SeriousListed:
    assert isinstance(fact.data, SeriousListed)
    return fact.data


def listing_period(fact: Fact, facts: Sequence[Fact], reference: ReferenceData) -> Period:
    """SDL-30: 3 Y, or the restriction period (listing's or underlying penalty's) when longer."""
    listed = listed_data(fact)
    base: Period = param("SDL-30", "period", fact.effective_on, reference)
    penalty = penalties(facts).get(listed.penalty_decision_no)
    years = max(listed.restriction_years or 0, (penalty.data.restriction_years or 0) if penalty else 0)  # type: ignore[attr-defined]
    return Period(years, Unit.Y) if base.unit is Unit.Y and years > base.amount else base


def restriction_end(fact: Fact, facts: Sequence[Fact], calendar: WorkingCalendar) -> date | None:
    """End of the statutory measure period that blocks early removal (SDL-31)."""
    listed = listed_data(fact)
    penalty = penalties(facts).get(listed.penalty_decision_no)
    years = max(listed.restriction_years or 0, (penalty.data.restriction_years or 0) if penalty else 0)  # type: ignore[attr-defined]
    if not years:
        return None
    start = penalty.effective_on if penalty is not None else fact.effective_on
    return calendar.period_end(start, Period(years, Unit.Y)).date


def serious_list(facts: Sequence[Fact], calendar: WorkingCalendar, reference: ReferenceData) -> list[Interval]:
    out: list[Interval] = []
    for fact in of_type(facts, "serious.listed"):
        out += listing_intervals(fact, facts, calendar, reference)
    return out


def listing_intervals(
    fact: Fact, facts: Sequence[Fact], calendar: WorkingCalendar, reference: ReferenceData
) -> list[Interval]:
    listed, on = listed_data(fact), fact.effective_on
    listing_id = listed.listing_id
    period = listing_period(fact, facts, reference)
    end = calendar.period_end(on, period).date
    steps = list(repair_steps(facts, "serious", listing_id, "SDL-31"))
    removal = first(facts, "serious.removed", lambda f: f.data.listing_id == listing_id)  # type: ignore[attr-defined]
    annulled = revocation_of(facts, listed.penalty_decision_no)
    # A removal executing a repair is part of the repair (a fraud revocation undoes it too);
    # any other removal, or annulment of the penalty (SDL-34), ends the listing for good.
    hard: list[tuple[date, str, tuple[str, str]]] = []
    if removal is not None:
        if removal.data.kind == "early_repair":  # type: ignore[attr-defined]
            steps = sorted(
                [*steps, RepairStep(removal.effective_on, True, False, removal.key, "SDL-33")],
                key=lambda s: (s.on, not s.stops),
            )
        else:
            rule = "SDL-34" if removal.data.kind == "penalty_annulled" else "SDL-30"  # type: ignore[attr-defined]
            hard.append((removal.effective_on, rule, removal.key))
    if annulled is not None:
        hard.append((max(annulled.effective_on, on), "SDL-34", annulled.key))
    hard_stop = min(hard) if hard else None
    version = version_applied("SDL-30", on, reference).source
    start_due = calendar.last_day(on, param("SDL-13", "deadline", on, reference)).date
    out = []
    for seg in segments(
        on, end, steps, lambda d: calendar.period_end(d, period).date, hard_stop[0] if hard_stop else None
    ):
        rules, records = ["SDL-13", "SDL-30"], [fact.key]
        for step in seg.steps:
            rules.append("SDL-35" if step.fraud else step.rule)
            records.append(step.key)
        end_due = None
        if hard_stop is not None and seg.end == hard_stop[0]:
            rules.append(hard_stop[1])
            records.append(hard_stop[2])
            end_due = calendar.last_day(hard_stop[0], param("SDL-34", "deadline", on, reference)).date
        elif seg.steps and seg.steps[-1].stops:
            end_due = calendar.last_day(seg.end, param("SDL-33", "execution", on, reference)).date  # type: ignore[arg-type]
        if period.amount != 3:
            rules.append("SDL-30(restriction)")
        out.append(
            Interval(
                kind=SERIOUS,
                subject=listing_id,
                start=seg.start,
                end=seg.end,
                rules=tuple(dict.fromkeys(rules)),
                records=tuple(dict.fromkeys(records)),
                version=version,
                start_due=start_due if not seg.restarted else None,
                end_due=end_due,
            )
        )
    return out


def on_serious_list(facts: Sequence[Fact], on: date, calendar: WorkingCalendar, reference: ReferenceData) -> bool:
    return any(i.contains(on) for i in serious_list(facts, calendar, reference))
