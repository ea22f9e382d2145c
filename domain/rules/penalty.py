"""Penalty publicity (Order 45: PEN-01, 05, 07, 09, 10, 11, 12)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from domain.calendar import CalendarDate, Period, Unit
from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import EnterpriseRegistered, PenaltyDecided, PenaltyKind
from domain.rules.catalogue import param, version_applied
from domain.rules.common import Interval, facts_of, penalties, repair_steps, revocation_of, segments

PUBLICITY = "penalty_publicity"

# PEN-12: Art 14(3) severe penalties never stop early.
NEVER_REPAIRABLE_KINDS = frozenset(
    {
        PenaltyKind.suspension,
        PenaltyKind.restriction,
        PenaltyKind.ban,
        PenaltyKind.qualification_downgrade,
        PenaltyKind.permit_revocation,
        PenaltyKind.licence_revocation,
        PenaltyKind.closure,
    }
)
RESTRICTING_KINDS = frozenset({PenaltyKind.restriction, PenaltyKind.ban})


def is_published(penalty: PenaltyDecided) -> bool:
    """PEN-01: ordinary procedure and not warning-only (simplified procedure: INFERENCE)."""
    return penalty.procedure == "ordinary" and set(penalty.penalty_kinds) != {PenaltyKind.warning}


def is_light(penalty: PenaltyDecided, on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> bool:
    """PEN-09/10: only a circulated criticism, or only a lower-amount fine. A warning alongside
    does not make a penalty heavier; any other kind does (PEN-10 INFERENCE)."""
    kinds = set(penalty.penalty_kinds) - {PenaltyKind.warning}
    if kinds == {PenaltyKind.criticism}:
        return True
    if kinds != {PenaltyKind.fine} or penalty.fine_yuan is None:
        return False
    threshold = _threshold(on, facts, ctx)
    return threshold is not None and penalty.fine_yuan < threshold


def _threshold(on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> Decimal | None:
    registered = facts_of(facts, EnterpriseRegistered)
    natural = bool(registered) and registered[0].data.entity_kind == "individual_business"
    threshold: Decimal | None = param("PEN-10", "natural_person" if natural else "organisation", on, ctx.reference)
    return threshold


def publication_start(fact: Fact[PenaltyDecided], ctx: RuleContext) -> CalendarDate:
    """Where the publicity window starts (PEN-09 counts from publication, Q4): `published_on`
    when given (never before the decision), else the last lawful publication day (PEN-05)."""
    penalty = fact.data
    if penalty.published_on is not None:
        return CalendarDate(max(penalty.published_on, fact.effective_on))
    return ctx.calendar.last_day(fact.effective_on, param("PEN-05", "deadline", fact.effective_on, ctx.reference))


def window_period(fact: Fact[PenaltyDecided], facts: Sequence[AnyFact], ctx: RuleContext) -> Period:
    """PEN-09: 3 M for light penalties, 3 Y otherwise, the restriction when longer than 3 Y."""
    penalty, on = fact.data, fact.effective_on
    if is_light(penalty, on, facts, ctx):
        short: Period = param("PEN-09", "short", on, ctx.reference)
        return short
    long: Period = param("PEN-09", "long", on, ctx.reference)
    # Only a restriction of activity or a bar from practice lengthens the window (PEN-09).
    years = (penalty.restriction_years or 0) if RESTRICTING_KINDS & set(penalty.penalty_kinds) else 0
    if years > long.amount and long.unit is Unit.Y:
        return Period(years, Unit.Y)
    return long


def publicity(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """Every publicity interval of every penalty of the enterprise."""
    out: list[Interval] = []
    for decision_no, fact in penalties(facts).items():
        out += publicity_of(decision_no, fact, facts, ctx)
    return out


def publicity_of(
    decision_no: str, fact: Fact[PenaltyDecided], facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Interval]:
    penalty, decided = fact.data, fact.effective_on
    if not is_published(penalty):
        return []
    calendar, reference = ctx.calendar, ctx.reference
    start = publication_start(fact, ctx)
    period = window_period(fact, facts, ctx)
    end = calendar.period_end(start.date, period)
    revoked = revocation_of(facts, decision_no)
    steps = repair_steps(facts, "penalty", decision_no, "PEN-11")

    def restart(on: date) -> date | None:
        return calendar.period_end(on, period).date

    # REP-09 for penalties is UNCONFIRMED: by default a fraud revocation restores what was left.
    restart_fn = restart if reference.penalty_fraud_restarts_window else None
    hard_stop = revoked.effective_on if revoked is not None else None
    version = version_applied("PEN-09", decided, reference).source
    start_due = calendar.last_day(decided, param("PEN-05", "deadline", decided, reference)).date
    end_due = None
    if revoked is not None:
        end_due = calendar.last_day(revoked.effective_on, param("PEN-07", "deadline", decided, reference)).date
    out = []
    for seg in segments(start.date, end.date, steps, restart_fn, hard_stop):
        rules = ["PEN-01", "PEN-05" if penalty.published_on is None else "PEN-09", "PEN-09"]
        records = [fact.key]
        if penalty.restriction_years and period.amount == penalty.restriction_years and period.unit is Unit.Y:
            rules.append("PEN-09(restriction)")
        if is_light(penalty, decided, facts, ctx):
            rules.append("PEN-10")
        for step in seg.steps:
            rules.append(step.rule)
            records.append(step.key)
        if revoked is not None and seg.end == hard_stop:
            rules.append("PEN-07")
            records.append(revoked.key)
        out.append(
            Interval(
                kind=PUBLICITY,
                subject=decision_no,
                start=seg.start,
                end=seg.end,
                rules=tuple(dict.fromkeys(rules)),
                records=tuple(dict.fromkeys(records)),
                version=version,
                provisional=start.provisional and not seg.restarted,
                start_due=start_due,
                end_due=end_due if hard_stop is not None and seg.end == hard_stop else None,
                note="" if penalty.published_on else "start assumed at the PEN-05 deadline (no published_on)",
            )
        )
    return out


def is_public(facts: Sequence[AnyFact], decision_no: str, on: date, ctx: RuleContext) -> bool:
    fact = penalties(facts).get(decision_no)
    if fact is None:
        return False
    return any(i.contains(on) for i in publicity_of(decision_no, fact, facts, ctx))
