"""Serious illegal dishonesty list (Order 44: SDL-01..05, 10..13, 30..38) and the 2014 serious
illegal enterprise list it replaced (AOL-20), which counts as a serious listing wherever the
serious list is read (SDL-20, PEN-11(4), the exposure board, `/v1/lists/serious`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.calendar import Period, Unit
from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact, Fact
from domain.records import PenaltyDecided, PenaltyKind, SeriousListed, SeriousRemoved
from domain.rules.abnormal import serious_2014
from domain.rules.catalogue import S45_START, param, provisional_reason, version_applied
from domain.rules.challenges import listing_annulled, removal_annulled
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
from domain.rules.penalty import RESTRICTING_KINDS, violation_domain
from domain.rules.registration import is_district_bureau, registered_outside_tianjin

SERIOUS = "serious_list"

# SDL-01(2)-(3): heavier penalties by kind; (1), a fine set under the heavier-punishment rule,
# is `heavier_fine`. Not PEN-12's "more serious" list, which leaves the 从重 fine out (Q10).
HEAVIER_KINDS = frozenset(
    {
        PenaltyKind.qualification_downgrade,
        PenaltyKind.permit_revocation,
        PenaltyKind.licence_revocation,
        PenaltyKind.restriction,
        PenaltyKind.suspension,
        PenaltyKind.closure,
        PenaltyKind.ban,
    }
)
FOOD_DOMAINS = frozenset({"food_production", "special_food", "food_business"})


def is_heavier(penalty: PenaltyDecided) -> bool:
    """SDL-01: a heavier administrative penalty (较重行政处罚), (1) to (3)."""
    return bool(set(penalty.penalty_kinds) & HEAVIER_KINDS) or bool(penalty.heavier_fine)


def _penalty(fact: Fact[SeriousListed], facts: Sequence[AnyFact]) -> Fact[PenaltyDecided] | None:
    no = fact.data.penalty_decision_no
    return penalties(facts).get(no) if no is not None else None


def restriction(fact: Fact[SeriousListed], facts: Sequence[AnyFact]) -> tuple[int, date] | None:
    """SDL-30: (years, from) of the restriction of activity or bar from practice behind a listing.
    Only a penalty of those kinds restricts (PEN-09, SDL-30); the years run from its decision,
    the day it imposed them — one reading for the listing's end and for SDL-31's block. A
    court-ordered listing (SDL-37) restricts for its own `restriction_years` from its date."""
    penalty = _penalty(fact, facts)
    if penalty is None:
        years = fact.data.restriction_years if fact.data.court_judgment_no else None
        return (years, fact.effective_on) if years else None
    if not RESTRICTING_KINDS & set(penalty.data.penalty_kinds):
        return None
    years = max(fact.data.restriction_years or 0, penalty.data.restriction_years or 0)
    return (years, penalty.effective_on) if years else None


def listing_period(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> Period:
    """SDL-30: 3 Y, or the restriction's years when longer (for a restart after fraud, SDL-35)."""
    base: Period = param("SDL-30", "period", fact.effective_on, ctx.reference)
    found = restriction(fact, facts)
    years = found[0] if found else 0
    return Period(years, Unit.Y) if base.unit is Unit.Y and years > base.amount else base


def listing_end(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> date:
    """SDL-30: 3 Y after listing, or the end of a longer restriction counted from its penalty."""
    base: Period = param("SDL-30", "period", fact.effective_on, ctx.reference)
    end = ctx.calendar.period_end(fact.effective_on, base).date
    found = restriction(fact, facts)
    if found and base.unit is Unit.Y and found[0] > base.amount:
        end = max(end, ctx.calendar.period_end(found[1], Period(found[0], Unit.Y)).date)
    return end


def restriction_end(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> date | None:
    """End of the statutory measure period that blocks early removal (SDL-31)."""
    found = restriction(fact, facts)
    return ctx.calendar.period_end(found[1], Period(found[0], Unit.Y)).date if found else None


def serious_list(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """Order 44 listings, and the 2014 serious illegal enterprise list (AOL-20)."""
    out: list[Interval] = []
    for fact in facts_of(facts, SeriousListed):
        out += listing_intervals(fact, facts, ctx)
    return out + serious_2014(facts, ctx)


def listing_intervals(fact: Fact[SeriousListed], facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    calendar, reference = ctx.calendar, ctx.reference
    listed, on = fact.data, fact.effective_on
    listing_id = listed.listing_id
    period = listing_period(fact, facts, ctx)
    end = listing_end(fact, facts, ctx)
    steps = list(repair_steps(facts, "serious", listing_id, "SDL-31"))
    removal = first(facts, SeriousRemoved, lambda f: f.data.listing_id == listing_id)
    annulled = revocation_of(facts, listed.penalty_decision_no) if listed.penalty_decision_no else None
    undone = removal_annulled(facts, "serious", listing_id)
    # A removal executing a repair is part of the repair (a fraud revocation undoes it too), and
    # so is any removal a reconsideration or court annulled (SDL-36): it stops the listing until
    # the annulment restores it. Any other removal, an annulment of the penalty (SDL-34) or of
    # the listing itself (SDL-36) ends the listing for good.
    hard: list[tuple[date, str, tuple[str, str]]] = []
    if removal is not None:
        if removal.data.kind == "early_repair" or undone is not None:
            steps.append(RepairStep(removal.effective_on, True, False, removal.key, "SDL-33"))
        else:
            rule = "SDL-34" if removal.data.kind == "penalty_annulled" else "SDL-30"
            hard.append((removal.effective_on, rule, removal.key))
    if undone is not None:
        steps.append(RepairStep(undone.on, False, False, undone.keys[1], "SDL-36"))
    if annulled is not None:
        hard.append((max(annulled.effective_on, on), "SDL-34", annulled.key))
    challenged = listing_annulled(facts, "serious", listing_id)
    if challenged is not None:
        hard.append((max(challenged.on, on), "SDL-36", challenged.keys[1]))
    steps.sort(key=lambda s: (s.on, not s.stops))
    hard_stop = min(hard) if hard else None
    version = version_applied("SDL-30", on, reference).source
    earlier = provisional_reason("SDL-30", on, reference)
    outside = registered_outside_tianjin(facts)
    due_rule, due_param = ("SDL-13", "push") if outside else ("SDL-13", "deadline")
    start_due = calendar.last_day(on, param(due_rule, due_param, on, reference)).date
    out = []
    for seg in segments(
        on, end, steps, lambda d: calendar.period_end(d, period).date, hard_stop[0] if hard_stop else None
    ):
        rules, records = ["SDL-13", "SDL-30"], [fact.key]
        if listed.court_judgment_no:
            rules.append("SDL-37")
        for step in seg.steps:
            rules.append("SDL-35" if step.fraud else step.rule)
            records.append(step.key)
        end_due = None
        if hard_stop is not None and seg.end == hard_stop[0]:
            rules.append(hard_stop[1])
            records.append(hard_stop[2])
            if hard_stop[1] == "SDL-34":
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
                provisional=bool(earlier),
                start_due=start_due if not seg.restarted else None,
                end_due=end_due,
                note=earlier,
            )
        )
    return out


def on_serious_list(facts: Sequence[AnyFact], on: date, ctx: RuleContext) -> bool:
    return any(i.contains(on) for i in serious_list(facts, ctx))


def listing_problems(
    data: SeriousListed, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Problem]:
    """Why a `serious.listed` has no lawful basis (refused at intake): SDL-10 (a penalty of this
    enterprise, decided together), SDL-01 (heavier), SDL-05 (no intent proved), SDL-02..04 (a
    ground that fits the violation), SDL-11 (only refusal to perform later), SDL-12 (a district
    bureau's needs the city's approval). Before Order 44 (2021-09-01) Order 83 governed, whose
    grounds the rulebook does not carry: only the penalty's existence is checked then."""
    if data.court_judgment_no is not None:
        return []  # SDL-37: the judgment is the basis; managed like an Order 44 listing
    no = data.penalty_decision_no
    penalty = penalties(facts).get(no) if no is not None else None
    if penalty is None:
        return [Problem("data.penalty_decision_no", f"no penalty.decided {no!r} of this enterprise", "SDL-10")]
    revoked = revocation_of(facts, penalty.data.decision_no)
    if revoked is not None and revoked.effective_on <= on:
        return [Problem("data.penalty_decision_no", f"the penalty was revoked on {revoked.effective_on}", "SDL-10")]
    if on < S45_START:
        return []
    problems = []
    if not is_heavier(penalty.data):
        problems.append(
            Problem(
                "data.penalty_decision_no",
                "not a heavier penalty: a listing needs a 从重 fine (heavier_fine), a downgrade, a revocation, "
                "a restriction, a suspension, a closure or a ban",
                "SDL-01",
            )
        )
    if penalty.data.party_proved_no_intent:
        problems.append(
            Problem("data.penalty_decision_no", "the party proved it had no subjective intent: no listing", "SDL-05")
        )
    if on < penalty.effective_on or (on > penalty.effective_on and data.ground_article != 11):
        problems.append(
            Problem(
                "effective_on",
                f"a listing is decided together with its penalty (decided {penalty.effective_on}); only refusing "
                "to perform (ground_article 11, SDL-11) is listed later",
                "SDL-10",
            )
        )
    if penalty.department != department:
        problems.append(
            Problem(
                "source.department",
                f"the penalty was decided by {penalty.department!r}, which alone decides its listing (SDL-10)",
                "AUTH-03",
            )
        )
    if is_district_bureau(department, ctx.reference) and not data.approved_by:
        problems.append(
            Problem("data.approved_by", "a district bureau's listing needs the city authority's approval", "SDL-12")
        )
    problems += _ground_problems(data, penalty.data)
    return problems


def _ground_problems(data: SeriousListed, penalty: PenaltyDecided) -> list[Problem]:
    """SDL-02..04: the Order 44 article named must fit the violation's domain."""
    article, domain = data.ground_article, violation_domain(penalty)
    if article is None:
        return []
    if article == 5 and domain not in FOOD_DOMAINS:
        return [Problem("data.ground_article", f"Art 5 grounds are food-safety violations, not {domain}", "SDL-02")]
    if article == 7 and domain in FOOD_DOMAINS | {"drug"}:
        return [Problem("data.ground_article", f"a {domain} violation is listed under Art 5 or 6, not 7", "SDL-03")]
    if article == 6 and domain != "drug":
        return [Problem("data.ground_article", f"Art 6 grounds are drug violations, not {domain}", "SDL-04")]
    return []
