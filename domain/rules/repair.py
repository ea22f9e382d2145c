"""Credit-repair eligibility (PEN-11, 12; SDL-31, 32; AOL-10, 11; REP-*) and its intake check.

`repair_eligibility` answers, for a target and a date: may an application be made, from when,
and which conditions are unmet (each with its rule ID). Conditions the records cannot show
(obligations performed, harm removed) are left to the reviewer and not checked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.calendar import Period
from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact
from domain.records import AbnormalListed, RepairApplied, SeriousListed
from domain.rules.abnormal import abnormal_list, removal_window_closed
from domain.rules.catalogue import param, provisional_reason
from domain.rules.common import applications, decision_of, first, penalties, revocation_of
from domain.rules.penalty import (
    NEVER_REPAIRABLE_KINDS,
    in_key_domain,
    is_light,
    is_published,
    publication_start,
    publicity_of,
    same_violation,
)
from domain.rules.serious import is_heavier, listing_intervals, on_serious_list, restriction_end


@dataclass(frozen=True)
class Condition:
    rule: str
    reason: str
    earliest_on: date | None = None  # met by the passing of time from this date; None: not by time
    never: bool = False  # cannot be met for this target
    refuses_intake: bool = False  # a repair.applied breaking it is not recorded


@dataclass(frozen=True)
class RepairEligibility:
    target_kind: str
    target_ref: str
    on: date
    may_apply: bool
    earliest_on: date | None  # when every time condition is met; None if never
    provisional: bool
    unmet: tuple[Condition, ...]

    def as_json(self) -> dict[str, Any]:
        """What the eligibility endpoint and a repair case show of it."""
        return {
            "on": self.on.isoformat(),
            "may_apply": self.may_apply,
            "earliest_on": self.earliest_on.isoformat() if self.earliest_on else None,
            "provisional": self.provisional,
            "unmet": [
                {
                    "rule": c.rule,
                    "reason": c.reason,
                    "earliest_on": c.earliest_on.isoformat() if c.earliest_on else None,
                    "never": c.never,
                }
                for c in self.unmet
            ],
        }


def repair_eligibility(
    facts: Sequence[AnyFact], target_kind: str, target_ref: str, on: date, ctx: RuleContext
) -> RepairEligibility:
    checker = {"penalty": _penalty, "serious": _serious, "abnormal": _abnormal, "risk_class": _risk_class}[target_kind]
    unmet, earliest, provisional = checker(facts, target_ref, on, ctx)
    unmet += _pending(facts, target_kind, target_ref)
    if any(c.never for c in unmet):
        earliest = None
    return RepairEligibility(target_kind, target_ref, on, not unmet, earliest, provisional, tuple(unmet))


Result = tuple[list[Condition], "date | None", bool]


def _penalty(facts: Sequence[AnyFact], ref: str, on: date, ctx: RuleContext) -> Result:
    cal, reference = ctx.calendar, ctx.reference
    fact = penalties(facts).get(ref)
    if fact is None:
        return [Condition("LEDGER-07", f"no penalty {ref!r}", never=True, refuses_intake=True)], None, False
    penalty, decided = fact.data, fact.effective_on
    if not is_published(penalty):
        return (
            [
                Condition(
                    "PEN-01",
                    "the penalty is never published: there is nothing to stop",
                    never=True,
                    refuses_intake=True,
                )
            ],
            None,
            False,
        )
    severe = sorted(set(penalty.penalty_kinds) & NEVER_REPAIRABLE_KINDS)
    if severe:
        return (
            [
                Condition(
                    "PEN-12", f"publicity of {', '.join(severe)} never stops early", never=True, refuses_intake=True
                )
            ],
            None,
            False,
        )
    if is_light(penalty, decided, facts, ctx):
        return (
            [
                Condition(
                    "PEN-12",
                    "criticism or lower-amount fine: publicity ends after 3 M, no early stop",
                    never=True,
                    refuses_intake=True,
                )
            ],
            None,
            False,
        )
    unmet: list[Condition] = []
    revoked = revocation_of(facts, ref)
    if revoked is not None and revoked.effective_on <= on:
        unmet.append(
            Condition(
                "PEN-07", "the decision was revoked and its publication withdrawn", never=True, refuses_intake=True
            )
        )
    start = publication_start(fact, facts, ctx)
    # PEN-11, PEN-14: the 1-year wait for violations in the food, drug and special-equipment
    # domains — the violation's own, never the permits the enterprise happens to hold.
    key_domain = in_key_domain(penalty)
    minimum: Period = param("PEN-11", "minimum_key_domain" if key_domain else "minimum", decided, reference)
    earliest = cal.period_end(start.date, minimum).date
    if on < earliest:
        unmet.append(
            Condition(
                "PEN-11",
                f"{minimum} of publicity from {start.date} not yet passed"
                + (" (food, drug or special-equipment domain)" if key_domain else ""),
                earliest_on=earliest,
                refuses_intake=True,
            )
        )
    windows = publicity_of(ref, fact, facts, ctx)
    if on >= start.date and not any(w.contains(on) for w in windows) and revoked is None:
        unmet.append(Condition("PEN-09", "the penalty is no longer public", never=True, refuses_intake=True))
    again = [
        p
        for no, p in penalties(facts).items()
        if no != ref and decided < p.effective_on <= on and same_violation(p.data, penalty)
    ]
    if again:
        unmet.append(
            Condition("PEN-11", f"penalised again for the same violation ({again[0].data.decision_no})", never=True)
        )
    unmet += _not_listed(facts, on, ctx, "PEN-11")
    return unmet, earliest, start.provisional or bool(provisional_reason("PEN-11", decided, reference))


def _not_listed(facts: Sequence[AnyFact], on: date, ctx: RuleContext, rule: str) -> list[Condition]:
    out = []
    if any(i.kind == "abnormal_list" and i.contains(on) for i in abnormal_list(facts, ctx)):
        out.append(Condition(rule, "the enterprise is on the abnormal list"))
    if on_serious_list(facts, on, ctx):
        out.append(Condition(rule, "the enterprise is on the serious list"))
    return out


def _serious(facts: Sequence[AnyFact], ref: str, on: date, ctx: RuleContext) -> Result:
    cal, reference = ctx.calendar, ctx.reference
    fact = first(facts, SeriousListed, lambda f: f.data.listing_id == ref)
    if fact is None:
        return [Condition("LEDGER-07", f"no serious listing {ref!r}", never=True, refuses_intake=True)], None, False
    intervals = listing_intervals(fact, facts, ctx)
    current = [i for i in intervals if i.contains(on)]
    unmet: list[Condition] = []
    if not current and on >= fact.effective_on:
        unmet.append(Condition("SDL-30", "not on the serious list on that date", never=True, refuses_intake=True))
    # SDL-31: 1 Y from the listing; only a fraud relisting (SDL-35) starts the year again, not a
    # restore after a repair revoked for another reason.
    relisted = [i.start for i in intervals if "SDL-35" in i.rules and i.start <= max(on, fact.effective_on)]
    since = max(relisted) if relisted else fact.effective_on
    earliest = cal.period_end(since, param("SDL-31", "minimum", fact.effective_on, reference)).date
    if on < earliest:
        unmet.append(
            Condition("SDL-31", f"listed for less than 1 Y (since {since})", earliest_on=earliest, refuses_intake=True)
        )
    measures_end = restriction_end(fact, facts, ctx)
    if measures_end is not None:
        earliest = max(earliest, measures_end)
        if on < measures_end:
            unmet.append(
                Condition(
                    "SDL-31",
                    "a statutory restriction period is still running",
                    earliest_on=measures_end,
                    refuses_intake=True,
                )
            )
    heavier = [p for p in penalties(facts).values() if fact.effective_on < p.effective_on <= on and is_heavier(p.data)]
    if heavier:
        unmet.append(Condition("SDL-31", f"a further heavier penalty ({heavier[0].data.decision_no})", never=True))
    return unmet, earliest, bool(provisional_reason("SDL-31", fact.effective_on, reference))


def _abnormal(facts: Sequence[AnyFact], ref: str, on: date, ctx: RuleContext) -> Result:
    fact = first(facts, AbnormalListed, lambda f: f.data.listing_id == ref)
    if fact is None:
        return [Condition("LEDGER-07", f"no abnormal listing {ref!r}", never=True, refuses_intake=True)], None, False
    unmet: list[Condition] = []
    listed = [i for i in abnormal_list(facts, ctx) if i.kind == "abnormal_list" and i.subject == ref]
    if on >= fact.effective_on and not any(i.contains(on) for i in listed):
        unmet.append(Condition("AOL-10", "not on the abnormal list on that date", never=True, refuses_intake=True))
    # AOL-11 is judged by the rule in force on the application date: while the 3-year transfer
    # existed (Order 68 Art 10) a late application is refused; from the 2024 Regulation, none is.
    earliest = fact.effective_on
    closed = removal_window_closed(fact, on, ctx)
    if closed is not None:
        earliest = ctx.reference.disclosure_2024_effective
        unmet.append(
            Condition(
                "AOL-11",
                f"removal could be applied for only until {closed - timedelta(days=1)} under Order 68 Art 10, "
                f"in force on {on} (no window from {earliest})",
                earliest_on=earliest,
                refuses_intake=True,
            )
        )
    return unmet, earliest, False


def _risk_class(facts: Sequence[AnyFact], ref: str, on: date, ctx: RuleContext) -> Result:
    """Risk-class repair (seed 六(十一) 信用风险分类修复): no waiting period or exclusion is
    published; the reviewer judges the conditions (docs/repair-cases.md)."""
    return [], on, False


def _pending(facts: Sequence[AnyFact], kind: str, ref: str) -> list[Condition]:
    for applied in applications(facts, kind, ref):
        app_id = applied.data.application_id
        if not any(decision_of(facts, t, app_id) for t in ("repair.rejected", "repair.granted", "repair.denied")):
            return [Condition("LEDGER-09", f"application {app_id} for this target is still open")]
    return []


def intake_problems(facts: Sequence[AnyFact], data: RepairApplied, on: date, ctx: RuleContext) -> list[Problem]:
    """PEN-11/12, SDL-31, AOL-11: the Problems that refuse a `repair.applied` record at intake
    (made too early, or for a target that can never be repaired), naming the rule and the
    earliest permitted date."""
    result = repair_eligibility(facts, data.target_kind, data.target_ref, on, ctx)
    # The earliest date by time alone: a condition only the reviewer can judge must not hide it.
    waits = [c.earliest_on for c in result.unmet if c.earliest_on is not None]
    earliest = max(waits) if waits else None
    problems = []
    for c in result.unmet:
        if not c.refuses_intake or c.rule == "LEDGER-07":  # LEDGER-07 is reported by consistency
            continue
        if c.earliest_on is not None:
            problems.append(Problem("effective_on", f"{c.reason}; earliest {earliest}", c.rule, earliest_on=earliest))
        else:
            problems.append(Problem("data.target_ref", c.reason, c.rule))
    return problems
