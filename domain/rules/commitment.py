"""Notify-and-commit eligibility (SDL-20(3), COM-04); commitment templates, intake checks and
verification tasks (COM-03, COM-05, COM-07; issue 21)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact
from domain.records import (
    CommitmentConsequenceRecorded,
    CommitmentMade,
    CommitmentVerified,
    PenaltyDecided,
    RepairDecided,
)
from domain.reference import CommitmentTemplate
from domain.rules.book import Book, on_date
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


# --- templates, intake checks and the verification tasks (issue 21; COM-03..07) ---------------


def template_in_force(template_id: str, on: date, ctx: RuleContext) -> CommitmentTemplate | None:
    """COM-07: the version of `template_id` in force on `on` (the latest started by then)."""
    versions = [
        t for t in ctx.reference.commitment_templates if t.template_id == template_id and t.effective_from <= on
    ]
    return max(versions, key=lambda t: (t.effective_from, t.version), default=None)


def templates_in_force(on: date, ctx: RuleContext) -> list[CommitmentTemplate]:
    ids = sorted({t.template_id for t in ctx.reference.commitment_templates})
    return [t for i in ids if (t := template_in_force(i, on, ctx)) is not None]


def commitment_problems(data: CommitmentMade, on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    """A `commitment.made` names a template in force (COM-07) and its matter; a matter excluded
    from notify-and-commit refuses it (COM-03); a notify-and-commit commitment is refused while
    the enterprise is on the serious list (SDL-20(3)) or after an untrue commitment not yet
    repaired (COM-04)."""
    excluded = {t.matter: t for t in templates_in_force(on, ctx) if t.excluded}
    template = template_in_force(data.template_id, on, ctx) if data.template_id is not None else None
    if data.template_id is not None and template is None:
        return [Problem("data.template_id", f"no commitment template {data.template_id!r} in force on {on}", "COM-07")]
    if template is None and data.matter in excluded:
        template = excluded[data.matter]
    if template is None:
        return []  # a free-text commitment (COM-06: published only with consent)
    if template.excluded:
        reason = f"{template.matter!r} is excluded from notify-and-commit ({template.source}): the proof is required"
        return [Problem("data.template_id", reason, "COM-03")]
    if data.matter != template.matter:
        reason = f"the matter must be the template's ({template.template_id} v{template.version}: {template.matter!r})"
        return [Problem("data.matter", reason, "COM-07")]
    if template.kind != "notify_commit":
        return []  # a credit-keeping letter (SDL-32) is made while listed: that is its purpose
    blocking = notify_commit_eligibility(facts, on, ctx).reasons
    return [
        Problem(
            "effective_on",
            "on the serious list: notify-and-commit never applies (Order 44 Art 15(3))"
            if i.subject == "serious_list"
            else f"an untrue commitment found on {i.start} is not yet repaired",
            i.rules[0] if i.subject == "serious_list" else "COM-04",
        )
        for i in blocking
    ]


def verification_problems(data: CommitmentVerified, facts: Sequence[AnyFact]) -> list[Problem]:
    """COM-05: a finding of an untrue commitment names the consequence that follows (and a
    fulfilled one none); a commitment is verified once."""
    done = [f for f in facts_of(facts, CommitmentVerified) if f.data.commitment_id == data.commitment_id]
    if done:
        return [
            Problem(
                "data.commitment_id",
                f"commitment {data.commitment_id} was verified on {done[0].effective_on}",
                "COM-05",
            )
        ]
    if data.outcome == "untrue" and data.consequence is None:
        reason = "an untrue commitment names its consequence: terminated, rectification_ordered, decision_revoked or penalised"
        return [Problem("data.consequence", reason, "COM-05")]
    if data.outcome == "fulfilled" and (data.consequence is not None or data.consequence_ref is not None):
        return [Problem("data.consequence", "a fulfilled commitment has no consequence", "COM-05")]
    return []


def commitment_deadlines(facts: Sequence[AnyFact], book: Book) -> None:
    """COM-05: each commitment's verification task (period: reference data, assumed), and for an
    untrue finding the consequence record that must follow: a `commitment.consequence_recorded`
    of the commitment, or for `penalised` the penalty.decided named by `consequence_ref`."""
    verified = {f.data.commitment_id: f for f in facts_of(facts, CommitmentVerified)}
    for made in facts_of(facts, CommitmentMade):
        cid = made.data.commitment_id
        found = verified.get(cid)
        book.after(
            "COM-05",
            "verification",
            f"verify commitment {cid}",
            made,
            on_date(found, found.effective_on if found else None),
        )
    for finding in verified.values():
        if finding.data.outcome != "untrue":
            continue
        cid, ref = finding.data.commitment_id, finding.data.consequence_ref
        arrived: AnyFact | None = next(
            (f for f in facts_of(facts, CommitmentConsequenceRecorded) if f.data.commitment_id == cid), None
        )
        if arrived is None and finding.data.consequence == "penalised" and ref is not None:
            arrived = next((f for f in facts_of(facts, PenaltyDecided) if f.data.decision_no == ref), None)
        what = f"record the consequence ({finding.data.consequence}) of untrue commitment {cid}"
        book.after("COM-05", "consequence", what, finding, on_date(arrived, arrived.effective_on if arrived else None))
