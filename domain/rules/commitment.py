"""Notify-and-commit eligibility (SDL-20(3), COM-04)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.context import RuleContext
from domain.history import AnyFact
from domain.records import CommitmentVerified, RepairDecided
from domain.rules.common import Interval, facts_of, merge
from domain.rules.serious import serious_list

INELIGIBLE = "notify_commit_ineligible"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Interval, ...]


def untrue_commitments(facts: Sequence[AnyFact]) -> list[Interval]:
    """COM-04 (INFERENCE on "until repaired"): an untrue-commitment finding blocks
    notify-and-commit until the first credit repair granted after it, of any target."""
    grants = facts_of(facts, RepairDecided, "repair.granted")
    out = []
    for finding in facts_of(facts, CommitmentVerified):
        if finding.data.outcome != "untrue":
            continue
        later = [g for g in grants if g.effective_on > finding.effective_on]
        end = later[0].effective_on if later else None
        records = (finding.key, later[0].key) if later else (finding.key,)
        out.append(Interval(INELIGIBLE, "untrue_commitment", finding.effective_on, end, ("COM-04",), records))
    return out


def notify_commit_ineligible(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """When notify-and-commit may not be used: while on the serious list (SDL-20(3)) and after an
    untrue commitment until repaired (COM-04). One interval per cause, overlaps joined."""
    out = []
    serious = serious_list(facts, ctx)
    for start, end in merge((i.start, i.end) for i in serious):
        keys = tuple(
            dict.fromkeys(
                k
                for i in serious
                if i.start < (end or date.max) and (i.end is None or i.end > start)
                for k in i.records
            )
        )
        out.append(Interval(INELIGIBLE, "serious_list", start, end, ("SDL-20",), keys))
    untrue = untrue_commitments(facts)
    for start, end in merge((i.start, i.end) for i in untrue):
        keys = tuple(
            dict.fromkeys(
                k for i in untrue if i.start < (end or date.max) and (i.end is None or i.end > start) for k in i.records
            )
        )
        out.append(Interval(INELIGIBLE, "untrue_commitment", start, end, ("COM-04",), keys))
    return out


def notify_commit_eligibility(facts: Sequence[AnyFact], on: date, ctx: RuleContext) -> Eligibility:
    blocking = tuple(i for i in notify_commit_ineligible(facts, ctx) if i.contains(on))
    return Eligibility(not blocking, blocking)
