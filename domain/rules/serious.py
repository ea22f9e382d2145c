"""Serious illegal dishonesty list (Order 44: SDL-13, 30, 31, 33, 34, 35)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.calendar import Period, Unit
from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import SeriousListed, SeriousRemoved
from domain.rules.catalogue import param, version_applied
from domain.rules.common import (
    Interval,
    RepairStep,
    facts_of,
    first,
    penalties,
    repair_steps,
    revocation_of,
    segments,
)

SERIOUS = "serious_list"


def _restriction_years(fact: Fact[SeriousListed], facts: Sequence[AnyFact]) -> int:
    penalty = penalties(facts).get(fact.data.penalty_decision_no)
    return max(fact.data.restriction_years or 0, (penalty.data.restriction_years or 0) if penalty else 0)


def listing_period(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> Period:
    """SDL-30: 3 Y, or the restriction period (listing's or underlying penalty's) when longer."""
    base: Period = param("SDL-30", "period", fact.effective_on, ctx.reference)
    years = _restriction_years(fact, facts)
    return Period(years, Unit.Y) if base.unit is Unit.Y and years > base.amount else base


def restriction_end(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> date | None:
    """End of the statutory measure period that blocks early removal (SDL-31)."""
    years = _restriction_years(fact, facts)
    if not years:
        return None
    penalty = penalties(facts).get(fact.data.penalty_decision_no)
    start = penalty.effective_on if penalty is not None else fact.effective_on
    return ctx.calendar.period_end(start, Period(years, Unit.Y)).date


def serious_list(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    out: list[Interval] = []
    for fact in facts_of(facts, SeriousListed):
        out += listing_intervals(fact, facts, ctx)
    return out


def listing_intervals(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    calendar, reference = ctx.calendar, ctx.reference
    listed, on = fact.data, fact.effective_on
    listing_id = listed.listing_id
    period = listing_period(fact, facts, ctx)
    end = calendar.period_end(on, period).date
    steps = list(repair_steps(facts, "serious", listing_id, "SDL-31"))
    removal = first(facts, SeriousRemoved, lambda f: f.data.listing_id == listing_id)
    annulled = revocation_of(facts, listed.penalty_decision_no)
    # A removal executing a repair is part of the repair (a fraud revocation undoes it too);
    # any other removal, or annulment of the penalty (SDL-34), ends the listing for good.
    hard: list[tuple[date, str, tuple[str, str]]] = []
    if removal is not None:
        if removal.data.kind == "early_repair":
            steps = sorted(
                [*steps, RepairStep(removal.effective_on, True, False, removal.key, "SDL-33")],
                key=lambda s: (s.on, not s.stops),
            )
        else:
            rule = "SDL-34" if removal.data.kind == "penalty_annulled" else "SDL-30"
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
        elif seg.steps and seg.steps[-1].stops and seg.end is not None:
            end_due = calendar.last_day(seg.end, param("SDL-33", "execution", on, reference)).date
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


def on_serious_list(facts: Sequence[AnyFact], on: date, ctx: RuleContext) -> bool:
    return any(i.contains(on) for i in serious_list(facts, ctx))
