"""Repair cases (issue 21): each `repair.applied` opens one; its state, clocks and materials.

States (rulebook §5.4 state machine, REP-01..09):

    submitted ⇄ correction_requested (补正; the running clock stops)
    submitted → accepted | rejected        (SDL-32 / REP-07: accept within 2 WD of receipt)
    accepted ⇄ correction_requested        (material requested during verification)
    accepted → granted | denied            (SDL-32 / REP-07: decide within 15 WD of acceptance)
    submitted → granted | denied           (abnormal list only: AOL-10 has no acceptance step)
    granted → executed                     (SDL-33 / REP-07: within 3 WD; AOL-10)
    granted | executed → revoked           (REP-09, SDL-35: fraud restores and restarts)

A decision out of this order is refused at intake with the rule of the step it skips
(`transition_problems`). Every clock counts working days (TIME-01/02) from the record that
starts it; a correction request stops it and the next `repair.materials_received` starts it
again with the working days left (the days up to and including the request's are spent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.calendar import CalendarDate, Period, Unit
from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact, Fact
from domain.records import (
    AbnormalListed,
    AbnormalRemoved,
    Data,
    PenaltyDecided,
    RepairApplied,
    RepairCorrectionRequested,
    RepairDecided,
    RepairMaterialsReceived,
    RepairRevoked,
    SeriousListed,
    SeriousRemoved,
)
from domain.rules.book import Done, by_recording, recorded_on
from domain.rules.catalogue import param, provisional_reason
from domain.rules.common import Key, facts_of, first
from domain.rules.repair import repair_eligibility

RISK_CLASS_AUTHORITY = "TJ-CREDIT"
"""Who decides a risk-class repair: the credit-supervision division that runs the classification
(S-TJ28 五(七)1; REP-02 by analogy: the authority that made the record repairs it)."""

CASE_TYPES = (
    "repair.applied",
    "repair.materials_received",
    "repair.correction_requested",
    "repair.accepted",
    "repair.rejected",
    "repair.granted",
    "repair.denied",
    "repair.revoked",
)
TERMINAL = frozenset({"rejected", "denied", "revoked"})

MATERIALS: dict[str, tuple[tuple[str, ...], str]] = {
    # SDL-32: application form, credit-keeping commitment letter, evidence for conditions (1)-(2),
    # statement of facts and reasons.
    "serious": (("application_form", "commitment_letter", "evidence", "statement"), "SDL-32"),
    # REP-06 (SAMR applicant guide): application form, commitment letter, evidence of performed
    # obligations and corrected violation, identity documents (business licence).
    "penalty": (("application_form", "commitment_letter", "evidence", "identity_documents"), "REP-06"),
    "abnormal": (("application_form", "commitment_letter", "evidence", "identity_documents"), "REP-06"),
    "risk_class": (("application_form", "commitment_letter", "evidence", "identity_documents"), "REP-06"),
}


def procedure_rules(kind: str) -> tuple[str, str]:
    """(the rule of acceptance and decision, the rule of execution) for a target kind."""
    if kind == "serious":
        return "SDL-32", "SDL-33"
    if kind == "abnormal":
        return "AOL-10", "AOL-10"
    return "REP-07", "REP-07"  # penalty information; risk class by the same assumption


@dataclass(frozen=True)
class Step:
    type: str
    on: date
    record: Key
    state: str  # the case's state after this record
    reason: str | None = None
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clock:
    """One legal deadline of a case, with the spans its count stood still."""

    rule: str
    name: str  # acceptance | decision | execution
    what: str
    record: Key  # the record that started it
    start: date
    due: date
    provisional: bool
    stopped: tuple[tuple[date, date | None], ...]  # (correction requested, materials received)
    done: Done  # (record, day) that fulfilled it

    def status(self, as_of: date) -> str:
        """open | stopped | met | missed, judged as `domain.rules.book` judges deadlines."""
        if self.done is not None and self.done[1] <= as_of:
            return "met" if self.done[1] <= self.due else "missed"
        if self.stopped and self.stopped[-1][1] is None:
            return "stopped"
        return "open" if as_of <= self.due else "missed"


@dataclass(frozen=True)
class RepairCase:
    application_id: str
    target_kind: str
    target_ref: str
    authority: str  # the competent department (REP-02)
    applied: Fact[RepairApplied]
    state: str
    steps: tuple[Step, ...]
    required: tuple[str, ...]
    materials_rule: str
    received: tuple[str, ...]
    clocks: tuple[Clock, ...]
    granted_on: date | None
    executed_on: date | None
    fraud: bool
    unmet_at_application: tuple[str, ...] = ()  # rule IDs of the conditions unmet on the application date

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(m for m in self.required if m not in self.received)

    def next_due(self, as_of: date) -> Clock | None:
        """The clock running soonest due (open or already missed and not yet done)."""
        running = [c for c in self.clocks if c.status(as_of) in ("open", "missed") and c.done is None]
        return min(running, key=lambda c: c.due, default=None)


def case_facts(facts: Sequence[AnyFact], application_id: str) -> list[AnyFact]:
    """The application's own records, in (effective date, sequence) order."""
    out = [
        f
        for f in facts
        if f.type in CASE_TYPES and getattr(f.data, "application_id", None) == application_id  # every case type has it
    ]
    return sorted(out, key=lambda f: (f.effective_on, f.sequence))


def authority_of(facts: Sequence[AnyFact], kind: str, ref: str) -> str | None:
    """REP-02: the department that recorded the target (the penalty or listing authority)."""
    if kind == "risk_class":
        return RISK_CLASS_AUTHORITY
    found: AnyFact | None
    if kind == "penalty":
        found = first(facts, PenaltyDecided, lambda f: f.data.decision_no == ref)
    elif kind == "serious":
        found = first(facts, SeriousListed, lambda f: f.data.listing_id == ref)
    else:
        found = first(facts, AbnormalListed, lambda f: f.data.listing_id == ref)
    return found.department if found is not None else None


# --- the state machine ------------------------------------------------------------------------


def _next_state(kind: str, state: str, before: str, type_: str) -> str | None:
    """The state after a record of `type_` in `state` (`before`: the state a correction
    request interrupted), or None if the record is out of order."""
    if state in TERMINAL:
        return None
    if type_ == "repair.materials_received":
        if state == "correction_requested":
            return before
        return state if state in ("submitted", "accepted") else None
    if type_ == "repair.correction_requested":
        return "correction_requested" if state in ("submitted", "accepted") else None
    if type_ == "repair.accepted":
        return "accepted" if state == "submitted" else None
    if type_ == "repair.rejected":
        return "rejected" if state in ("submitted", "correction_requested") else None
    if type_ in ("repair.granted", "repair.denied"):
        allowed = ("accepted", "submitted") if kind == "abnormal" else ("accepted",)
        return type_.removeprefix("repair.") if state in allowed else None
    if type_ == "repair.revoked":
        return "revoked" if state in ("granted", "executed") else None
    return None


EXPECTED = {
    "repair.materials_received": "submitted, correction_requested or accepted",
    "repair.correction_requested": "submitted or accepted",
    "repair.accepted": "submitted (materials complete)",
    "repair.rejected": "submitted or correction_requested (not yet accepted)",
    "repair.granted": "accepted",
    "repair.denied": "accepted",
    "repair.revoked": "granted or executed",
}


def transition_problems(record_type: str, data: Data, on: date, facts: Sequence[AnyFact]) -> list[Problem]:
    """A repair decision, materials or correction record must follow the case's state (rule of the
    step: SDL-32/33, REP-07, AOL-10, REP-06, REP-09); none may be dated before the case's last record."""
    if record_type not in CASE_TYPES or record_type == "repair.applied" or not isinstance(data, RepairDecided):
        return []
    own = case_facts(facts, data.application_id)
    if not own or own[0].type != "repair.applied":
        return []  # LEDGER-07 reports the missing application
    kind = own[0].data.target_kind  # type: ignore[attr-defined]
    state, before = _replay(kind, own)
    rule = _rule_of(kind, record_type)
    if own and on < own[-1].effective_on:
        return [Problem("effective_on", f"before the case's last record ({own[-1].effective_on})", rule)]
    if _next_state(kind, state, before, record_type) is None:
        expected = EXPECTED[record_type]
        if record_type in ("repair.granted", "repair.denied") and kind == "abnormal":
            expected = "submitted or accepted"
        reason = f"application {data.application_id} is {state}: a {record_type} needs it {expected}"
        return [Problem("type", reason, rule)]
    return []


def _rule_of(kind: str, record_type: str) -> str:
    procedure, _ = procedure_rules(kind)
    if record_type == "repair.revoked":
        return "SDL-35" if kind == "serious" else "REP-09"
    if record_type in ("repair.materials_received", "repair.correction_requested"):
        return MATERIALS[kind][1]
    return procedure


def _replay(kind: str, own: Sequence[AnyFact]) -> tuple[str, str]:
    state, before = "submitted", "submitted"
    for fact in own[1:]:
        after = _next_state(kind, state, before, fact.type)
        if after is None:
            continue  # recorded before the checks existed: it does not move the case
        if after == "correction_requested":
            before = state
        state = after
    return state, before


# --- the case ---------------------------------------------------------------------------------


def repair_cases(facts: Sequence[AnyFact], ctx: RuleContext) -> list[RepairCase]:
    return [case for a in facts_of(facts, RepairApplied) if (case := _case(facts, a, ctx)) is not None]


def repair_case(facts: Sequence[AnyFact], application_id: str, ctx: RuleContext) -> RepairCase | None:
    applied = first(facts, RepairApplied, lambda f: f.data.application_id == application_id)
    return None if applied is None else _case(facts, applied, ctx)


def _case(facts: Sequence[AnyFact], applied: Fact[RepairApplied], ctx: RuleContext) -> RepairCase | None:
    data = applied.data
    app_id, kind, ref = data.application_id, data.target_kind, data.target_ref
    own = case_facts(facts, app_id)
    steps = [Step("repair.applied", applied.effective_on, applied.key, "submitted")]
    state, before = "submitted", "submitted"
    received: list[str] = []
    stops: list[tuple[str, date, date | None]] = []  # (clock stopped, from, until)
    moments: dict[str, AnyFact] = {}
    fraud = False
    for fact in own[1:]:
        after = _next_state(kind, state, before, fact.type)
        if after is None:
            continue
        if after == "correction_requested":
            before = state
            running = "deadline" if kind == "abnormal" else "acceptance" if state == "submitted" else "decision"
            stops.append((running, fact.effective_on, None))
        elif state == "correction_requested" and fact.type == "repair.materials_received":
            stops[-1] = (stops[-1][0], stops[-1][1], fact.effective_on)
        materials: tuple[str, ...] = ()
        if isinstance(fact.data, RepairMaterialsReceived):
            materials = tuple(fact.data.materials)
            received += [m for m in materials if m not in received]
        if isinstance(fact.data, RepairCorrectionRequested):
            materials = tuple(fact.data.missing)
        if isinstance(fact.data, RepairRevoked):
            fraud = fact.data.fraud
        state = after
        moments.setdefault(fact.type, fact)
        reason = fact.data.reason if isinstance(fact.data, RepairDecided) else None
        steps.append(Step(fact.type, fact.effective_on, fact.key, state, reason, materials))
    granted = moments.get("repair.granted")
    executed = _execution(facts, kind, ref, granted)
    if executed is not None and granted is not None:
        if state == "granted":
            state = "executed"
        # in date order: a revocation after the execution stays last
        at = next((n for n, s in enumerate(steps) if s.on > executed.effective_on), len(steps))
        steps.insert(at, Step("executed", executed.effective_on, executed.key, "executed"))
    required, materials_rule = MATERIALS[kind]
    clocks = _clocks(applied, moments, executed, stops, ctx)
    mine = {f.key for f in own}
    others = [f for f in facts if f.key not in mine]  # its own records would block it (LEDGER-09)
    judged = repair_eligibility(others, kind, ref, applied.effective_on, ctx)
    return RepairCase(
        app_id,
        kind,
        ref,
        authority_of(facts, kind, ref) or applied.department,
        applied,
        state,
        tuple(steps),
        required,
        materials_rule,
        tuple(received),
        tuple(clocks),
        granted.effective_on if granted is not None else None,
        executed.effective_on if executed is not None and granted is not None else None,
        fraud,
        tuple(dict.fromkeys(c.rule for c in judged.unmet)),
    )


def _execution(facts: Sequence[AnyFact], kind: str, ref: str, granted: AnyFact | None) -> AnyFact | None:
    """What executes a grant: the listing's removal (serious, abnormal: SDL-33, AOL-10); the grant
    itself for penalty information (the ledger stops its publicity from the grant's date, REP-08)
    and for a risk class (lowered from the grant, the risk model's override)."""
    if kind == "abnormal":  # AOL-10: the removal decides, whether or not a grant was recorded
        return first(facts, AbnormalRemoved, lambda f: f.data.listing_id == ref)
    if granted is None:
        return None
    if kind == "serious":
        return first(
            facts, SeriousRemoved, lambda f: f.data.listing_id == ref and f.effective_on >= granted.effective_on
        )
    return granted


def _clocks(
    applied: Fact[RepairApplied],
    moments: dict[str, AnyFact],
    executed: AnyFact | None,
    stops: list[tuple[str, date, date | None]],
    ctx: RuleContext,
) -> list[Clock]:
    kind = applied.data.target_kind
    app_id = applied.data.application_id
    procedure, execution = procedure_rules(kind)
    accepted, rejected = moments.get("repair.accepted"), moments.get("repair.rejected")
    granted, denied = moments.get("repair.granted"), moments.get("repair.denied")

    def earliest(*found: AnyFact | None) -> Done:
        return by_recording(min((f for f in found if f is not None), key=recorded_on, default=None))

    def of(name: str) -> list[tuple[date, date | None]]:
        return [(a, b) for clock, a, b in stops if clock == name]

    out: list[Clock] = []
    if kind == "abnormal":
        # AOL-10: removal decided within 5 WD of the application (verification is not recorded).
        what = f"decide abnormal-list removal ({app_id})"
        out.append(
            _clock(
                procedure,
                "deadline",
                what,
                applied,
                applied.effective_on,
                of("deadline"),
                earliest(granted, denied, executed),
                ctx,
            )
        )
        return out
    what = f"accept or reject repair application {app_id}"
    out.append(
        _clock(
            procedure,
            "acceptance",
            what,
            applied,
            applied.effective_on,
            of("acceptance"),
            earliest(accepted, rejected),
            ctx,
        )
    )
    if accepted is not None:
        what = f"decide repair application {app_id}"
        out.append(
            _clock(
                procedure,
                "decision",
                what,
                accepted,
                accepted.effective_on,
                of("decision"),
                earliest(granted, denied),
                ctx,
            )
        )
    if granted is not None:
        # The ledger stops penalty publicity when the grant is recorded; a serious-list removal
        # needs its own serious.removed record (SDL-33).
        done = by_recording(executed)
        out.append(
            _clock(execution, "execution", f"execute repair {app_id}", granted, granted.effective_on, [], done, ctx)
        )
    return out


def _clock(
    rule: str,
    name: str,
    what: str,
    start: AnyFact,
    begin: date,
    stops: Sequence[tuple[date, date | None]],
    done: Done,
    ctx: RuleContext,
) -> Clock:
    """A clock of `rule`'s period `name` from `begin`, its working days paused over `stops`."""
    cal = ctx.calendar
    period: Period = param(rule, name, start.effective_on, ctx.reference)
    due: CalendarDate = cal.last_day(begin, period)
    provisional = due.provisional or bool(provisional_reason(rule, start.effective_on, ctx.reference))
    for stopped, resumed in stops:
        if stopped > due.date:
            continue  # asked after the deadline: it stays missed
        spent = cal.working_days_between(begin, stopped)
        if resumed is None and done is not None:
            resumed = done[1]  # decided (e.g. rejected) while stopped: the clock ran again that day
        if resumed is None:
            break  # due again only once the materials arrive
        if period.unit is not Unit.WD:
            continue  # only working-day clocks stop (every repair clock is one)
        left = max(period.amount - spent.count, 0)
        due = cal.add_working_days(resumed, left)
        begin, period = resumed, Period(left, period.unit)
        provisional = provisional or due.provisional or spent.provisional
    return Clock(rule, name, what, start.key, start.effective_on, due.date, provisional, tuple(stops), done)
