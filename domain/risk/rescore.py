"""Special cases: records that re-score an enterprise at once, between yearly runs.

S-TJ28 五(七)2 adjusts scores once a year at the start of the year, 特殊情况除外 (RISK-06). A model
names its special cases (`RiskModel.special_cases`); when one is recorded, the enterprise is
re-scored at once:

- on the special case's date (a listing date; a repair's execution date), by the model in force
  on that date as the ledger knew its models then;
- and, when an effective run dated on or after that date did not see the special case (it was
  recorded, or last corrected, after the run's input cut), on that run's date by that run's
  model: what the run would have said had it known.

Each re-score reads the history as known when the special case was (last) recorded: later
ordinary records wait for the next yearly run. Pure: the read model and a replay call it alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.context import DEFAULT_CONTEXT, RuleContext
from domain.history import AnyFact, resolve, typed
from domain.records import CommitmentVerified, RecordCorrected
from domain.risk.measures import Key
from domain.risk.model import ModelBook
from domain.risk.scoring import Assessment, assess, risk_class_repairs

TRIGGER_TYPES = frozenset(
    {
        "serious.listed",
        "enterprise.licence_revoked",
        "permit.revoked",
        "commitment.verified",
        "repair.granted",
        "record.corrected",
        "record.retracted",
    }
)
"""Record types that may start or change a special case: an enterprise with none of these in its
history is never re-scored between runs."""


@dataclass(frozen=True)
class RunRef:
    """What a re-score needs to know of an effective run."""

    run_id: str
    on: date
    model_version: str
    cut: datetime | None
    """Its input: every record recorded by this moment (None: the log was empty)."""
    recorded_at: datetime


@dataclass(frozen=True)
class Trigger:
    fact: AnyFact
    kind: str
    on: date
    """The date the special case takes effect (a repair: its execution date)."""
    known_at: datetime
    """When the ledger learned of it in its current form (the record, or its last correction)."""


@dataclass(frozen=True)
class Rescore:
    on: date
    cause: Key
    cause_kind: str
    for_run: str | None
    """The effective run this re-score stands in for (on that run's date), or None."""
    history_cut: datetime
    assessment: Assessment


def _known_at(fact: AnyFact, history: Sequence[AnyFact]) -> datetime:
    moments = [fact.recorded_at] if fact.recorded_at is not None else []
    for other in history:
        if (
            isinstance(other.data, RecordCorrected)
            and (other.data.target.department, other.data.target.record_id) == fact.key
            and other.recorded_at is not None
        ):
            moments.append(other.recorded_at)
    assert moments, "a stored history's facts have recorded times"
    return max(moments)


def triggers(history: Sequence[AnyFact], book: ModelBook, ctx: RuleContext = DEFAULT_CONTEXT) -> list[Trigger]:
    """The special cases in the history (raw, with recorded times), each kept only if the model
    in force on its date (as known when it was recorded) names its kind."""
    facts = resolve(history)
    if not any(f.type in TRIGGER_TYPES for f in facts):
        return []
    found: list[tuple[AnyFact, str, date]] = []
    for fact in facts.by_type.get("serious.listed", []):
        found.append((fact, "serious_listed", fact.effective_on))
    for fact in facts.by_type.get("enterprise.licence_revoked", []):
        found.append((fact, "licence_revoked", fact.effective_on))
    for fact in facts.by_type.get("permit.revoked", []):
        found.append((fact, "permit_revoked", fact.effective_on))
    for fact in facts.by_type.get("commitment.verified", []):
        if typed(fact, CommitmentVerified).data.outcome == "untrue":
            found.append((fact, "commitment_untrue", fact.effective_on))
    for grant in facts.by_type.get("repair.granted", []):
        model = book.in_force(grant.effective_on, _known_at(grant, history))
        if model is not None:
            found += [
                (g, "risk_class_repair_granted", on) for g, on in risk_class_repairs(facts, model, ctx) if g is grant
            ]
    out = []
    for fact, kind, on in found:
        known = _known_at(fact, history)
        model = book.in_force(on, known)
        if model is not None and kind in model.special_kinds:
            out.append(Trigger(fact, kind, on, known))
    return sorted(out, key=lambda t: (t.on, t.known_at, t.fact.key))


def rescores(
    history: Sequence[AnyFact], runs: Sequence[RunRef], book: ModelBook, ctx: RuleContext = DEFAULT_CONTEXT
) -> list[Rescore]:
    """Every re-score of one enterprise: `history` is its raw history as known at a moment (with
    recorded times, in log order), `runs` the effective runs known at that moment."""
    out = []
    for trigger in triggers(history, book, ctx):
        known = [f for f in history if f.recorded_at is not None and f.recorded_at <= trigger.known_at]
        model = book.in_force(trigger.on, trigger.known_at)
        if model is None:
            continue
        found = assess(known, model, trigger.on, ctx)
        if found is not None:
            out.append(Rescore(trigger.on, trigger.fact.key, trigger.kind, None, trigger.known_at, found))
        for run in runs:
            if run.on < trigger.on or (run.cut is not None and run.cut >= trigger.known_at):
                continue  # dated before the special case, or it saw it
            found = assess(known, book.version(run.model_version), run.on, ctx)
            if found is not None:
                out.append(Rescore(run.on, trigger.fact.key, trigger.kind, run.run_id, trigger.known_at, found))
    return out
