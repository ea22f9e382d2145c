"""What derivations return (`Interval`) and the history look-ups they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TypeVar

from domain.history import AnyFact, Fact, Facts, typed
from domain.records import (
    DATA_MODELS,
    Data,
    PenaltyDecided,
    PenaltyRevoked,
    RepairApplied,
    RepairDecided,
    RepairRevoked,
)

D = TypeVar("D", bound=Data)

Key = tuple[str, str]

SERIOUS = "serious_list"
"""The serious list's interval kind: Order 44 listings and the 2014 serious illegal enterprise list."""


@dataclass(frozen=True)
class Interval:
    """A derived, dated state: `kind` (which list or view) for `subject`, from `start` to `end`
    (exclusive; None = open), produced by `rules` from the records `records`."""

    kind: str
    subject: str
    start: date
    end: date | None
    rules: tuple[str, ...]
    records: tuple[Key, ...]
    version: str = ""
    provisional: bool = False
    start_due: date | None = None  # by when the start had to be published/adjusted
    end_due: date | None = None  # by when the end had to be published/adjusted
    note: str = ""

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def of_type(facts: Iterable[AnyFact], *types: str) -> list[AnyFact]:
    """The facts of these types in (effective date, sequence) order."""
    if isinstance(facts, Facts):
        if len(types) == 1:
            return list(facts.by_type.get(types[0], ()))
        return [f for f in facts.chronological if f.type in types]
    return sorted((f for f in facts if f.type in types), key=lambda f: (f.effective_on, f.sequence))


@cache
def _types_of(model: type[Data]) -> tuple[str, ...]:
    return tuple(t for t, m in DATA_MODELS.items() if m is model)


def facts_of(facts: Iterable[AnyFact], model: type[D], *types: str) -> list[Fact[D]]:
    """The facts of `types` (default: every record type whose data is a `model`), typed, in
    (effective date, sequence) order."""
    return [typed(f, model) for f in of_type(facts, *(types or _types_of(model)))]


def first(
    facts: Iterable[AnyFact], model: type[D], predicate: Callable[[Fact[D]], bool], *types: str
) -> Fact[D] | None:
    """The earliest fact of `types` (default: those of `model`) that satisfies `predicate`."""
    return next((f for f in facts_of(facts, model, *types) if predicate(f)), None)


def first_with(facts: Iterable[AnyFact], model: type[D], **equal: object) -> Fact[D] | None:
    """The earliest fact of `model` whose data has these attribute values."""
    return next((f for f in facts_of(facts, model) if all(getattr(f.data, k) == v for k, v in equal.items())), None)


def penalties(facts: Iterable[AnyFact]) -> dict[str, Fact[PenaltyDecided]]:
    return {f.data.decision_no: f for f in facts_of(facts, PenaltyDecided)}


def revocation_of(facts: Iterable[AnyFact], decision_no: str) -> Fact[PenaltyRevoked] | None:
    return first(facts, PenaltyRevoked, lambda f: f.data.decision_no == decision_no)


@dataclass(frozen=True)
class RepairStep:
    on: date
    stops: bool  # True: a granted repair stops the state; False: a revoked repair restores it
    fraud: bool
    key: Key
    rule: str


def applications(facts: Sequence[AnyFact], kind: str, ref: str) -> list[Fact[RepairApplied]]:
    return [f for f in facts_of(facts, RepairApplied) if f.data.target_kind == kind and f.data.target_ref == ref]


def decision_of(facts: Sequence[AnyFact], type_: str, application_id: str) -> Fact[RepairDecided] | None:
    return first(facts, RepairDecided, lambda f: f.data.application_id == application_id, type_)


def repair_steps(facts: Sequence[AnyFact], kind: str, ref: str, grant_rule: str) -> list[RepairStep]:
    """Grants (stop) and later revocations of those grants (restore) for one target (REP-01, REP-09)."""
    steps: list[RepairStep] = []
    for applied in applications(facts, kind, ref):
        app_id = applied.data.application_id
        granted = decision_of(facts, "repair.granted", app_id)
        if granted is None:
            continue
        steps.append(RepairStep(granted.effective_on, True, False, granted.key, grant_rule))
        revoked = decision_of(facts, "repair.revoked", app_id)
        # A revocation dated before the grant it revokes cannot restore anything.
        if revoked is not None and revoked.effective_on >= granted.effective_on:
            fraud = typed(revoked, RepairRevoked).data.fraud
            steps.append(RepairStep(revoked.effective_on, False, fraud, revoked.key, "REP-09"))
    return sorted(steps, key=lambda s: (s.on, not s.stops))


@dataclass(frozen=True)
class Segment:
    start: date
    end: date | None
    steps: tuple[RepairStep, ...]  # the steps that shaped this segment
    restarted: bool = False


def segments(
    start: date,
    end: date | None,
    steps: Sequence[RepairStep],
    restart: Callable[[date], date | None] | None = None,
    hard_stop: date | None = None,
) -> list[Segment]:
    """Cut the window [start, end) by repair steps: a grant stops it, a revocation restores the
    remainder (or, with fraud and `restart`, starts a fresh period). Nothing here lengthens a
    window except a fraud restart. `hard_stop` (revocation of the decision, removal) ends all."""
    out: list[Segment] = []
    shaped: list[RepairStep] = []
    active, seg_start, seg_end, restarted = True, start, end, False
    for step in steps:
        if step.stops and active:
            cut = max(step.on, seg_start)
            if seg_end is not None and cut >= seg_end:
                cut = seg_end
            if cut > seg_start:
                out.append(Segment(seg_start, cut, (*shaped, step), restarted))
            active = False
        elif not step.stops and not active:
            if step.fraud and restart is not None:
                seg_start, seg_end, restarted = step.on, restart(step.on), True
            elif seg_end is None or step.on < seg_end:
                seg_start = max(step.on, seg_start)
            else:
                continue
            active, shaped = True, [step]
    if active:
        out.append(Segment(seg_start, seg_end, tuple(shaped), restarted))
    if hard_stop is None:
        return out
    return [
        Segment(s.start, hard_stop if s.end is None or s.end > hard_stop else s.end, s.steps, s.restarted)
        for s in out
        if s.start < hard_stop
    ]


def merge(spans: Iterable[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Union of half-open spans, sorted; touching spans join."""
    out: list[tuple[date, date | None]] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            last_start, last_end = out[-1]
            out[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
        else:
            out.append((start, end))
    return out


def intersect(
    a: Sequence[tuple[date, date | None]], b: Sequence[tuple[date, date | None]]
) -> list[tuple[date, date | None]]:
    out = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start = max(a_start, b_start)
            ends = [e for e in (a_end, b_end) if e is not None]
            end = min(ends) if ends else None
            if end is None or start < end:
                out.append((start, end))
    return merge(out)
