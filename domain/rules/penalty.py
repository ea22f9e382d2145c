"""Penalty publicity (Order 45: PEN-01, 02, 05, 06, 07, 09, 10, 11, 12, 14)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain.calendar import CalendarDate, Period, Unit
from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import EnterpriseChanged, EnterpriseRegistered, PenaltyDecided, PenaltyKind
from domain.rules.catalogue import param, provisional_reason, version_applied
from domain.rules.common import Interval, facts_of, penalties, repair_steps, revocation_of, segments
from domain.rules.registration import registered_outside_tianjin

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

# PEN-11: the food, drug and special-equipment domains wait 1 Y (drug regulators too: PEN-14).
KEY_DOMAINS = frozenset({"food_production", "special_food", "food_business", "special_equipment", "drug"})
# A penalty without `sector`: its domain is read from the law it cites (the first 《…》 title).
_DOMAIN_BY_LAW = (
    ("特种设备", "special_equipment"),
    ("药品", "drug"),
    ("医疗器械", "drug"),
    ("化妆品", "drug"),
    ("疫苗", "drug"),
    ("食品", "food_production"),
)
_LAW = re.compile(r"《([^》]+)》")
_ARTICLE = re.compile(r"《([^》]+)》\s*第([〇零一二三四五六七八九十百千0-9]+)条")


def is_published(penalty: PenaltyDecided) -> bool:
    """PEN-01: ordinary procedure and not warning-only (simplified procedure: INFERENCE)."""
    return penalty.procedure == "ordinary" and set(penalty.penalty_kinds) != {PenaltyKind.warning}


def threshold_of(on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> Decimal | None:
    """PEN-10: the lower-amount threshold for this party on `on` (None: none set). An individual
    business takes the threshold `individual_business_threshold` names (a dated choice)."""
    registered = facts_of(facts, EnterpriseRegistered)
    kind = registered[0].data.entity_kind if registered else "enterprise"
    which = "organisation"
    if kind == "individual_business":
        which = "natural_person" if ctx.reference.individual_business_threshold.on(on) == "natural_person" else which
    threshold: Decimal | None = param("PEN-10", which, on, ctx.reference)
    return threshold


def is_light(penalty: PenaltyDecided, on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> bool:
    """PEN-09/10: only a circulated criticism, or only a lower-amount fine. "Only" is the decision's
    whole content: any second kind — a warning too, though a warning is not published by itself —
    makes it 3 Y, whatever the order of the kinds (PEN-10 INFERENCE, docs/rules.md)."""
    kinds = set(penalty.penalty_kinds)
    if kinds == {PenaltyKind.criticism}:
        return True
    if kinds != {PenaltyKind.fine} or penalty.fine_yuan is None:
        return False
    threshold = threshold_of(on, facts, ctx)
    return threshold is not None and penalty.fine_yuan < threshold


def threshold_unset(penalty: PenaltyDecided, on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> bool:
    """PEN-10: a fine alone, judged without a threshold (none set for its date)."""
    return set(penalty.penalty_kinds) == {PenaltyKind.fine} and threshold_of(on, facts, ctx) is None


def violation_domain(penalty: PenaltyDecided) -> str:
    """PEN-11: the domain of the violation: `sector` when recorded, else the law cited."""
    if penalty.sector is not None:
        return penalty.sector.value
    law = _LAW.search(penalty.legal_basis)
    title = law.group(1) if law else penalty.legal_basis
    return next((domain for word, domain in _DOMAIN_BY_LAW if word in title), "other")


def in_key_domain(penalty: PenaltyDecided) -> bool:
    """PEN-11, PEN-14: food, drug or special equipment — by the violation, never by the permits held."""
    return violation_domain(penalty) in KEY_DOMAINS


def _article(legal_basis: str) -> tuple[str, str] | None:
    found = _ARTICLE.search(legal_basis.replace(" ", ""))
    return (found.group(1), found.group(2)) if found else None


def same_violation(a: PenaltyDecided, b: PenaltyDecided) -> bool:
    """PEN-11(3), GSXT-06: the same type of violation — the same words, or the same article of the
    same law cited as legal basis (paragraphs and items aside: one article is one kind of offence)."""
    if a.violation.strip() == b.violation.strip():
        return True
    article = _article(a.legal_basis)
    return article is not None and article == _article(b.legal_basis)


def publication_start(fact: Fact[PenaltyDecided], facts: Sequence[AnyFact], ctx: RuleContext) -> CalendarDate:
    """Where the publicity window starts (PEN-09 counts from publication, Q4): `published_on`
    when given (never before the decision), else the last lawful publication day: PEN-05's, or
    for a party registered in another province PEN-06's push and its registration place's 10 WD."""
    penalty, on, reference = fact.data, fact.effective_on, ctx.reference
    if penalty.published_on is not None:
        return CalendarDate(max(penalty.published_on, on))
    if registered_outside_tianjin(facts):
        pushed = ctx.calendar.last_day(on, param("PEN-06", "push", on, reference))
        published = ctx.calendar.last_day(pushed.date, param("PEN-06", "publish", on, reference))
        return CalendarDate(published.date, pushed.provisional or published.provisional)
    return ctx.calendar.last_day(on, param("PEN-05", "deadline", on, reference))


def window_period(fact: Fact[PenaltyDecided], facts: Sequence[AnyFact], ctx: RuleContext) -> Period:
    """PEN-09: 3 M for light penalties, 3 Y otherwise, the restriction when longer than 3 Y."""
    penalty, on = fact.data, fact.effective_on
    if is_light(penalty, on, facts, ctx):
        short: Period = param("PEN-09", "short", on, ctx.reference)
        return short
    long: Period = param("PEN-09", "long", on, ctx.reference)
    # Only a restriction of activity or a bar from practice lengthens the window (PEN-09); its
    # length counts from publication, as the whole publicity period does (Art 13).
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
    start = publication_start(fact, facts, ctx)
    period = window_period(fact, facts, ctx)
    end = calendar.period_end(start.date, period)
    revoked = revocation_of(facts, decision_no)
    steps = repair_steps(facts, "penalty", decision_no, "PEN-11")
    outside = registered_outside_tianjin(facts)

    def restart(on: date) -> date | None:
        return calendar.period_end(on, period).date

    # REP-09 for penalties is UNCONFIRMED: by default a fraud revocation restores what was left.
    restart_fn = restart if reference.penalty_fraud_restarts_window else None
    hard_stop = revoked.effective_on if revoked is not None else None
    version = version_applied("PEN-09", decided, reference).source
    deadline_rule = "PEN-06" if outside else "PEN-05"
    start_due = (
        calendar.last_day(decided, param("PEN-06", "push", decided, reference)).date
        if outside
        else calendar.last_day(decided, param("PEN-05", "deadline", decided, reference)).date
    )
    end_due = None
    if revoked is not None:
        end_due = calendar.last_day(revoked.effective_on, param("PEN-07", "deadline", decided, reference)).date
    notes = []
    if penalty.published_on is None:
        notes.append(f"start assumed at the {deadline_rule} deadline (no published_on)")
    if threshold_unset(penalty, decided, facts, ctx):
        notes.append(f"PEN-10: no lower-amount fine threshold is set for {decided}: not a lower-amount fine")
    earlier = provisional_reason("PEN-09", decided, reference)
    if earlier:
        notes.append(earlier)
    out = []
    for seg in segments(start.date, end.date, steps, restart_fn, hard_stop):
        rules = ["PEN-01", deadline_rule if penalty.published_on is None else "PEN-09", "PEN-09", "PEN-02"]
        if outside:
            rules.append("PEN-06")
        records = [fact.key]
        if penalty.restriction_years and period.amount == penalty.restriction_years and period.unit is Unit.Y:
            rules.append("PEN-09(restriction)")
        if is_light(penalty, decided, facts, ctx) or threshold_unset(penalty, decided, facts, ctx):
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
                provisional=bool(earlier) or (start.provisional and not seg.restarted),
                start_due=start_due,
                end_due=end_due if hard_stop is not None and seg.end == hard_stop else None,
                note="; ".join(notes),
            )
        )
    return out


def is_public(facts: Sequence[AnyFact], decision_no: str, on: date, ctx: RuleContext) -> bool:
    fact = penalties(facts).get(decision_no)
    if fact is None:
        return False
    return any(i.contains(on) for i in publicity_of(decision_no, fact, facts, ctx))


def published_summary(fact: Fact[PenaltyDecided], facts: Sequence[AnyFact]) -> dict[str, Any]:
    """PEN-02: the summary published in front of the decision: decision number, party, type of
    violation, penalty content, deciding authority and decision date."""
    penalty = fact.data
    party = None
    for f in facts_of(facts, EnterpriseRegistered):
        party = f.data.name
    for change in facts_of(facts, EnterpriseChanged):
        if change.effective_on <= fact.effective_on and change.data.name:
            party = change.data.name
    content = [kind.value for kind in penalty.penalty_kinds]
    if penalty.fine_yuan is not None:
        content.append(f"fine_yuan {penalty.fine_yuan}")
    if penalty.confiscated_yuan is not None:
        content.append(f"confiscated_yuan {penalty.confiscated_yuan}")
    if penalty.restriction_years:
        content.append(f"restriction_years {penalty.restriction_years}")
    return {
        "decision_no": penalty.decision_no,
        "party": party,
        "violation": penalty.violation,
        "legal_basis": penalty.legal_basis,
        "penalty": "; ".join(content),
        "deciding_authority": penalty.deciding_authority or fact.department,
        "decided_on": fact.effective_on.isoformat(),
    }
