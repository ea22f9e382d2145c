"""State checks at intake: a record must make sense against the history it joins.

Each check returns `Problem`s (field, reason, rule) instead of raising, so that intake can
report every reason at once. Rule IDs are the rulebook's where one applies; `LEDGER-*`
IDs are the ledger's own integrity rules (docs/rules.md). After the ledger's own checks come
the rules' (`domain.rules.intake.RULE_CHECKS`), with the rule context they are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError

from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact, resolve
from domain.records import (
    AMENDMENT_TYPES,
    DATA_MODELS,
    AbnormalListed,
    AbnormalObjected,
    AbnormalRemoved,
    ChallengeDecided,
    ChallengeFiled,
    CommitmentConsequenceRecorded,
    CommitmentMade,
    CommitmentVerified,
    Data,
    InstantInfoOrdered,
    InstantInfoPublished,
    ObjectionDecided,
    PenaltyCorrectionHandled,
    PenaltyCorrectionRequested,
    PenaltyDecided,
    PenaltyRevoked,
    PermitCancelled,
    PermitGranted,
    PermitRenewed,
    PermitRevoked,
    RecordCorrected,
    RecordRetracted,
    RepairApplied,
    RepairDecided,
    SeriousListed,
    SeriousRemoved,
)
from domain.rules.common import facts_of, first
from domain.rules.intake import RULE_CHECKS
from domain.rules.repair_case import RISK_CLASS_AUTHORITY, transition_problems


def check_record(
    record_type: str,
    effective_on: date,
    department: str,
    data: Data,
    history: Sequence[AnyFact],
    *,
    today: date,
    ctx: RuleContext,
) -> list[Problem]:
    """Why `data` (already valid for `record_type`) may not join `history`; [] when it may."""
    if record_type not in DATA_MODELS:
        return [Problem("type", f"unknown record type {record_type!r}")]
    if effective_on > today:
        return [Problem("effective_on", f"{effective_on} is in the future (today is {today})", "LEDGER-01")]
    history = list(history)
    facts = resolve(history)
    registered = any(f.type == "enterprise.registered" for f in facts)
    if record_type == "enterprise.registered":
        if registered:
            return [Problem("uscc", "the enterprise is already registered", "LEDGER-02")]
        return [p for check in RULE_CHECKS[record_type] for p in check(data, effective_on, department, facts, ctx)]
    if not registered:
        return [Problem("uscc", "no enterprise.registered record for this USCC", "LEDGER-03")]
    if isinstance(data, RecordCorrected | RecordRetracted):
        return _check_amendment(department, data, history, facts)
    deregistered = [f for f in facts if f.type == "enterprise.deregistered"]
    if deregistered and effective_on > deregistered[0].effective_on:
        return [
            Problem(
                "effective_on",
                f"the enterprise was deregistered on {deregistered[0].effective_on}",
                "LEDGER-04",
            )
        ]
    problems = (
        _check_references(record_type, data, facts)
        or _check_owner(record_type, department, data, facts)
        or transition_problems(record_type, data, effective_on, facts)  # repair cases: REP-*, SDL-32..35
    )
    for check in RULE_CHECKS.get(record_type, ()):
        problems += check(data, effective_on, department, facts, ctx)
    return problems


def _check_amendment(
    department: str, data: RecordCorrected | RecordRetracted, history: list[AnyFact], facts: list[AnyFact]
) -> list[Problem]:
    target = (data.target.department, data.target.record_id)
    if target[0] != department:
        return [Problem("data.target.department", "a department amends only its own records", "LEDGER-05")]
    in_force = {f.key: f for f in facts}
    if target not in in_force:
        ever = any(f.key == target for f in history)
        reason = "the target record was retracted" if ever else "no record with this key for this enterprise"
        return [Problem("data.target", reason, "LEDGER-06")]
    target_fact = in_force[target]
    if target_fact.type in AMENDMENT_TYPES:
        return [Problem("data.target", "corrections and retractions cannot themselves be amended", "LEDGER-06")]
    if isinstance(data, RecordCorrected):
        # The replacement is validated here, once, as the target's type: it is stored as sent.
        try:
            DATA_MODELS[target_fact.type].model_validate(data.data)
        except ValidationError as exc:
            return [
                Problem(f"data.data.{'.'.join(str(p) for p in err['loc'])}", err["msg"], None) for err in exc.errors()
            ]
    if isinstance(data, RecordRetracted) and target_fact.type == "enterprise.registered":
        others = [f for f in facts if f.key != target]
        if others:
            return [Problem("data.target", "retract the enterprise's other records first", "LEDGER-06")]
    return []


def _check_references(record_type: str, data: Data, facts: list[AnyFact]) -> list[Problem]:
    granted = {f.data.permit_no for f in facts_of(facts, PermitGranted)}
    if isinstance(data, PermitRenewed | PermitRevoked | PermitCancelled):
        permit_no = data.permit_no
        if permit_no not in granted:
            return [Problem("data.permit_no", f"no permit {permit_no!r} was granted to this enterprise", "LEDGER-07")]
        ended = {f.data.permit_no for f in facts_of(facts, PermitRevoked)}
        ended |= {f.data.permit_no for f in facts_of(facts, PermitCancelled)}
        if permit_no in ended:
            return [Problem("data.permit_no", f"permit {permit_no!r} was already revoked or cancelled", "LEDGER-07")]
    elif isinstance(data, PermitGranted):
        if data.permit_no in granted:
            ended = {f.data.permit_no for f in facts_of(facts, PermitRevoked)}
            ended |= {f.data.permit_no for f in facts_of(facts, PermitCancelled)}
            if data.permit_no in ended:  # S-FPL Art 40
                return [Problem("data.permit_no", "a cancelled or revoked licence number is never reused", "ID-20")]
            return [Problem("data.permit_no", "this permit was already granted; renew it instead", "LEDGER-07")]
    elif isinstance(data, PenaltyDecided):
        if data.decision_no in {f.data.decision_no for f in facts_of(facts, PenaltyDecided)}:
            return [Problem("data.decision_no", "a penalty with this decision number exists", "LEDGER-07")]
    elif isinstance(data, PenaltyRevoked):
        decision_no = data.decision_no
        if decision_no not in {f.data.decision_no for f in facts_of(facts, PenaltyDecided)}:
            return [Problem("data.decision_no", f"no penalty {decision_no!r} for this enterprise", "LEDGER-07")]
        if decision_no in {f.data.decision_no for f in facts_of(facts, PenaltyRevoked)}:
            return [Problem("data.decision_no", "this penalty was already revoked", "LEDGER-07")]
    elif isinstance(data, CommitmentMade):
        if data.commitment_id in {f.data.commitment_id for f in facts_of(facts, CommitmentMade)}:
            return [Problem("data.commitment_id", "a commitment with this id exists", "LEDGER-07")]
    elif isinstance(data, CommitmentVerified):
        if data.commitment_id not in {f.data.commitment_id for f in facts_of(facts, CommitmentMade)}:
            return [Problem("data.commitment_id", "no such commitment for this enterprise", "LEDGER-07")]
    elif isinstance(data, CommitmentConsequenceRecorded):
        untrue = {
            f.data.commitment_id: f.data.consequence
            for f in facts_of(facts, CommitmentVerified)
            if f.data.outcome == "untrue"
        }
        if data.commitment_id not in untrue:
            return [Problem("data.commitment_id", "no untrue finding for this commitment", "COM-05")]
        if untrue[data.commitment_id] != data.consequence:
            reason = f"the finding named {untrue[data.commitment_id]!r} as the consequence"
            return [Problem("data.consequence", reason, "COM-05")]
    elif isinstance(data, AbnormalListed | SeriousListed):
        if data.listing_id in {f.data.listing_id for f in facts_of(facts, type(data))}:
            return [Problem("data.listing_id", "a listing with this id exists", "LEDGER-07")]
    elif isinstance(data, AbnormalRemoved | SeriousRemoved):
        listed: type[AbnormalListed | SeriousListed] = SeriousListed
        removed: type[AbnormalRemoved | SeriousRemoved] = SeriousRemoved
        if isinstance(data, AbnormalRemoved):
            listed, removed = AbnormalListed, AbnormalRemoved
        listed_type = record_type.replace("removed", "listed")
        listing_id = data.listing_id
        if listing_id not in {f.data.listing_id for f in facts_of(facts, listed)}:
            return [Problem("data.listing_id", f"no {listed_type} record with listing_id {listing_id!r}", "LEDGER-07")]
        if listing_id in {f.data.listing_id for f in facts_of(facts, removed)}:
            return [Problem("data.listing_id", "this listing was already removed", "LEDGER-07")]
    elif isinstance(data, RepairApplied):
        if data.application_id in {f.data.application_id for f in facts_of(facts, RepairApplied)}:
            return [Problem("data.application_id", "an application with this id exists", "LEDGER-07")]
        return _check_repair_target(data, facts)
    elif isinstance(data, RepairDecided):
        if data.application_id not in {f.data.application_id for f in facts_of(facts, RepairApplied)}:
            return [Problem("data.application_id", "no repair.applied with this application_id", "LEDGER-07")]
    else:
        return _check_new_references(data, facts)
    return []


def _check_new_references(data: Data, facts: list[AnyFact]) -> list[Problem]:
    """References of the records of issue 18: orders, objections, challenges, correction requests."""
    if isinstance(data, InstantInfoOrdered | InstantInfoPublished) and data.order_id is not None:
        orders = {f.data.order_id for f in facts_of(facts, InstantInfoOrdered)}
        if isinstance(data, InstantInfoOrdered) and data.order_id in orders:
            return [Problem("data.order_id", "an order with this id exists", "LEDGER-07")]
        if isinstance(data, InstantInfoPublished) and data.order_id not in orders:
            return [Problem("data.order_id", f"no instant_info.ordered {data.order_id!r}", "LEDGER-07")]
    elif isinstance(data, AbnormalObjected):
        if data.objection_id in {f.data.objection_id for f in facts_of(facts, AbnormalObjected)}:
            return [Problem("data.objection_id", "an objection with this id exists", "LEDGER-07")]
    elif isinstance(data, ObjectionDecided):
        objection = first(facts, AbnormalObjected, lambda f: f.data.objection_id == data.objection_id)
        if objection is None:
            return [Problem("data.objection_id", "no abnormal.objected with this objection_id", "LEDGER-07")]
        steps = [f.data.decision for f in facts_of(facts, ObjectionDecided) if f.data.objection_id == data.objection_id]
        verifying = data.decision in ("listing_confirmed", "listing_wrong")
        if verifying != ("accepted" in steps) or (not verifying and steps) or (verifying and len(steps) > 1):
            reason = "verify an accepted objection once; accept or reject it once, first"
            return [Problem("data.decision", reason, "AOL-12")]
    elif isinstance(data, ChallengeFiled):
        if data.challenge_id in {f.data.challenge_id for f in facts_of(facts, ChallengeFiled)}:
            return [Problem("data.challenge_id", "a challenge with this id exists", "LEDGER-07")]
        serious = data.target_kind.startswith("serious")
        target: type[AbnormalListed | SeriousListed | AbnormalRemoved | SeriousRemoved]
        if data.target_kind.endswith("_listing"):
            target = SeriousListed if serious else AbnormalListed
        else:
            target = SeriousRemoved if serious else AbnormalRemoved
        if data.listing_id not in {f.data.listing_id for f in facts_of(facts, target)}:
            return [
                Problem("data.listing_id", f"no {data.target_kind} decision about {data.listing_id!r}", "LEDGER-07")
            ]
    elif isinstance(data, ChallengeDecided):
        if first(facts, ChallengeFiled, lambda f: f.data.challenge_id == data.challenge_id) is None:
            return [Problem("data.challenge_id", "no challenge.filed with this challenge_id", "LEDGER-07")]
        if first(facts, ChallengeDecided, lambda f: f.data.challenge_id == data.challenge_id) is not None:
            return [Problem("data.challenge_id", "this challenge was already decided", "LEDGER-07")]
    elif isinstance(data, PenaltyCorrectionRequested):
        if data.decision_no not in {f.data.decision_no for f in facts_of(facts, PenaltyDecided)}:
            return [Problem("data.decision_no", f"no penalty {data.decision_no!r} for this enterprise", "LEDGER-07")]
        if data.request_id in {f.data.request_id for f in facts_of(facts, PenaltyCorrectionRequested)}:
            return [Problem("data.request_id", "a request with this id exists", "LEDGER-07")]
    elif isinstance(data, PenaltyCorrectionHandled):
        if first(facts, PenaltyCorrectionRequested, lambda f: f.data.request_id == data.request_id) is None:
            return [Problem("data.request_id", "no penalty.correction_requested with this request_id", "LEDGER-07")]
    return []


def _check_repair_target(data: RepairApplied, facts: list[AnyFact]) -> list[Problem]:
    kind, ref = data.target_kind, data.target_ref
    if kind == "risk_class":
        return []  # the class is internal and derived: its reference names the assessment
    if kind == "penalty":
        known = {f.data.decision_no for f in facts_of(facts, PenaltyDecided)}
    elif kind == "serious":
        known = {f.data.listing_id for f in facts_of(facts, SeriousListed)}
    else:
        known = {f.data.listing_id for f in facts_of(facts, AbnormalListed)}
    if ref not in known:
        return [Problem("data.target_ref", f"no {kind} record {ref!r} for this enterprise", "LEDGER-07")]
    return []


def _owner(facts: list[AnyFact], kind: str, ref: str) -> str | None:
    """The department that recorded the penalty, listing or permit `ref` of `kind`."""
    found: list[tuple[str, str]] = []
    if kind == "penalty":
        found = [(f.data.decision_no, f.department) for f in facts_of(facts, PenaltyDecided)]
    elif kind == "serious":
        found = [(f.data.listing_id, f.department) for f in facts_of(facts, SeriousListed)]
    elif kind == "abnormal":
        found = [(f.data.listing_id, f.department) for f in facts_of(facts, AbnormalListed)]
    elif kind == "permit":
        found = [(f.data.permit_no, f.department) for f in facts_of(facts, PermitGranted)]
    elif kind == "risk_class":
        return RISK_CLASS_AUTHORITY
    return next((department for key, department in found if key == ref), None)


def _check_owner(record_type: str, department: str, data: Data, facts: list[AnyFact]) -> list[Problem]:
    """A record that ends or changes another record's effect comes from the department that
    recorded that record: the deciding, listing or issuing authority (AUTH-03)."""
    if isinstance(data, PenaltyRevoked):
        kind, ref, what, basis = "penalty", data.decision_no, "penalty.decided", "PEN-07"
    elif isinstance(data, SeriousRemoved):
        kind, ref, what, basis = "serious", data.listing_id, "serious.listed", "SDL-10"
    elif isinstance(data, AbnormalRemoved):
        kind, ref, what, basis = "abnormal", data.listing_id, "abnormal.listed", "AOL-10"
    elif isinstance(data, PermitRenewed | PermitCancelled):
        kind, ref, what, basis = "permit", data.permit_no, "permit.granted", "KEY-04"
    elif isinstance(data, PenaltyCorrectionHandled):
        request = first(facts, PenaltyCorrectionRequested, lambda f: f.data.request_id == data.request_id)
        if request is None:
            return []
        kind, ref, what, basis = "penalty", request.data.decision_no, "penalty.decided", "PEN-08, PEN-13"
    elif isinstance(data, ObjectionDecided):
        objection = first(facts, AbnormalObjected, lambda f: f.data.objection_id == data.objection_id)
        if objection is None:
            return []
        kind, ref, what, basis = "abnormal", objection.data.listing_id, "abnormal.listed", "AOL-12"
    elif isinstance(data, ChallengeFiled | ChallengeDecided):
        filed = data if isinstance(data, ChallengeFiled) else None
        if filed is None:
            found = first(facts, ChallengeFiled, lambda f: f.data.challenge_id == data.challenge_id)
            filed = found.data if found is not None else None
        if filed is None:
            return []
        serious = filed.target_kind.startswith("serious")
        kind, ref = ("serious" if serious else "abnormal"), filed.listing_id
        what, basis = ("serious.listed", "SDL-36") if serious else ("abnormal.listed", "AOL-13")
    elif isinstance(data, RepairDecided):
        applied = next(
            (f for f in facts_of(facts, RepairApplied) if f.data.application_id == data.application_id), None
        )
        if applied is None:
            return []
        kind, ref = applied.data.target_kind, applied.data.target_ref
        what, basis = f"{kind} record", "REP-02"
    else:
        return []
    owner = _owner(facts, kind, ref)
    if owner is None or owner == department:
        return []
    reason = f"the {what} {ref!r} was recorded by {owner!r}, which alone decides this ({basis})"
    return [Problem("source.department", reason, "AUTH-03")]
