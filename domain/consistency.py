"""State checks at intake: a record must make sense against the history it joins.

Each check returns `Problem`s (field, reason, rule) instead of raising, so that intake can
report every reason at once. Rule IDs are the rulebook's where one applies; `LEDGER-*`
IDs are the ledger's own integrity rules (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from domain.history import Fact, parse_data, resolve
from domain.records import AMENDMENT_TYPES, DATA_MODELS


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    rule: str | None = None
    earliest_on: date | None = None

    def __str__(self) -> str:
        rule = f" ({self.rule})" if self.rule else ""
        return f"{self.field}: {self.reason}{rule}"


Check = Callable[[str, date, dict[str, Any], list[Fact], list[Fact]], list[Problem]]
_CHECKS: dict[str, list[Check]] = {}
"""Extra checks per record type, registered by rule modules (e.g. repair eligibility)."""


def register_check(record_type: str, check: Check) -> None:
    _CHECKS.setdefault(record_type, []).append(check)


def check_record(
    record_type: str,
    effective_on: date,
    source: dict[str, str],
    data: dict[str, Any],
    history: Sequence[Fact],
    *,
    today: date,
) -> list[Problem]:
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
        return []
    if not registered:
        return [Problem("uscc", "no enterprise.registered record for this USCC", "LEDGER-03")]
    if record_type in AMENDMENT_TYPES:
        return _check_amendment(record_type, source, data, history, facts)
    deregistered = [f for f in facts if f.type == "enterprise.deregistered"]
    if deregistered and effective_on > deregistered[0].effective_on:
        return [
            Problem(
                "effective_on",
                f"the enterprise was deregistered on {deregistered[0].effective_on}",
                "LEDGER-04",
            )
        ]
    problems = _check_references(record_type, data, facts) or _check_owner(record_type, source, data, facts)
    for check in _CHECKS.get(record_type, []):
        problems += check(record_type, effective_on, data, history, facts)
    return problems


def _check_amendment(
    record_type: str, source: dict[str, str], data: dict[str, Any], history: list[Fact], facts: list[Fact]
) -> list[Problem]:
    target = (data["target"]["department"], data["target"]["record_id"])
    if target[0] != source["department"]:
        return [Problem("data.target.department", "a department amends only its own records", "LEDGER-05")]
    in_force = {f.key: f for f in facts}
    if target not in in_force:
        ever = any(f.key == target for f in history)
        reason = "the target record was retracted" if ever else "no record with this key for this enterprise"
        return [Problem("data.target", reason, "LEDGER-06")]
    target_fact = in_force[target]
    if target_fact.type in AMENDMENT_TYPES:
        return [Problem("data.target", "corrections and retractions cannot themselves be amended", "LEDGER-06")]
    if record_type == "record.corrected":
        try:
            parse_data(target_fact.type, data["data"])
        except ValidationError as exc:
            return [
                Problem(f"data.data.{'.'.join(str(p) for p in err['loc'])}", err["msg"], None) for err in exc.errors()
            ]
        if target_fact.type == "enterprise.registered" and data["data"].get("district_code") is None:
            return [Problem("data.data.district_code", "required", None)]
    if record_type == "record.retracted" and target_fact.type == "enterprise.registered":
        others = [f for f in facts if f.key != target]
        if others:
            return [Problem("data.target", "retract the enterprise's other records first", "LEDGER-06")]
    return []


def _ids(facts: list[Fact], record_type: str, attribute: str) -> set[str]:
    return {getattr(f.data, attribute) for f in facts if f.type == record_type}


def _check_references(record_type: str, data: dict[str, Any], facts: list[Fact]) -> list[Problem]:
    prefix = record_type.split(".")[0]
    if prefix == "permit" and record_type != "permit.granted":
        permit_no = data["permit_no"]
        if permit_no not in _ids(facts, "permit.granted", "permit_no"):
            return [Problem("data.permit_no", f"no permit {permit_no!r} was granted to this enterprise", "LEDGER-07")]
        ended = _ids(facts, "permit.revoked", "permit_no") | _ids(facts, "permit.cancelled", "permit_no")
        if permit_no in ended:
            return [Problem("data.permit_no", f"permit {permit_no!r} was already revoked or cancelled", "LEDGER-07")]
    elif record_type == "permit.granted":
        if data["permit_no"] in _ids(facts, "permit.granted", "permit_no"):
            return [Problem("data.permit_no", "this permit was already granted; renew it instead", "LEDGER-07")]
    elif record_type == "penalty.decided":
        if data["decision_no"] in _ids(facts, "penalty.decided", "decision_no"):
            return [Problem("data.decision_no", "a penalty with this decision number exists", "LEDGER-07")]
    elif record_type == "penalty.revoked":
        decision_no = data["decision_no"]
        if decision_no not in _ids(facts, "penalty.decided", "decision_no"):
            return [Problem("data.decision_no", f"no penalty {decision_no!r} for this enterprise", "LEDGER-07")]
        if decision_no in _ids(facts, "penalty.revoked", "decision_no"):
            return [Problem("data.decision_no", "this penalty was already revoked", "LEDGER-07")]
    elif record_type == "commitment.made":
        if data["commitment_id"] in _ids(facts, "commitment.made", "commitment_id"):
            return [Problem("data.commitment_id", "a commitment with this id exists", "LEDGER-07")]
    elif record_type == "commitment.verified":
        if data["commitment_id"] not in _ids(facts, "commitment.made", "commitment_id"):
            return [Problem("data.commitment_id", "no such commitment for this enterprise", "LEDGER-07")]
    elif record_type in ("abnormal.listed", "serious.listed"):
        if data["listing_id"] in _ids(facts, record_type, "listing_id"):
            return [Problem("data.listing_id", "a listing with this id exists", "LEDGER-07")]
    elif record_type in ("abnormal.removed", "serious.removed"):
        listed_type = record_type.replace("removed", "listed")
        listing_id = data["listing_id"]
        if listing_id not in _ids(facts, listed_type, "listing_id"):
            return [Problem("data.listing_id", f"no {listed_type} record with listing_id {listing_id!r}", "LEDGER-07")]
        if listing_id in _ids(facts, record_type, "listing_id"):
            return [Problem("data.listing_id", "this listing was already removed", "LEDGER-07")]
    elif record_type == "repair.applied":
        if data["application_id"] in _ids(facts, "repair.applied", "application_id"):
            return [Problem("data.application_id", "an application with this id exists", "LEDGER-07")]
        return _check_repair_target(data, facts)
    elif prefix == "repair":
        if data["application_id"] not in _ids(facts, "repair.applied", "application_id"):
            return [Problem("data.application_id", "no repair.applied with this application_id", "LEDGER-07")]
    return []


def _check_repair_target(data: dict[str, Any], facts: list[Fact]) -> list[Problem]:
    kind, ref = data["target_kind"], data["target_ref"]
    known = {
        "penalty": _ids(facts, "penalty.decided", "decision_no"),
        "serious": _ids(facts, "serious.listed", "listing_id"),
        "abnormal": _ids(facts, "abnormal.listed", "listing_id"),
    }[kind]
    if ref not in known:
        return [Problem("data.target_ref", f"no {kind} record {ref!r} for this enterprise", "LEDGER-07")]
    return []


# A record that ends or changes another record's effect comes from the department that
# recorded that record: the deciding, listing or issuing authority (AUTH-03).
_OWNED: dict[str, tuple[str, str, str]] = {
    "penalty.revoked": ("penalty.decided", "decision_no", "PEN-07"),
    "serious.removed": ("serious.listed", "listing_id", "SDL-10"),
    "abnormal.removed": ("abnormal.listed", "listing_id", "AOL-10"),
    "permit.renewed": ("permit.granted", "permit_no", "KEY-04"),
    "permit.cancelled": ("permit.granted", "permit_no", "KEY-04"),
}
_REPAIR_TARGETS = {"penalty": ("penalty.decided", "decision_no"), "serious": ("serious.listed", "listing_id")}
_REPAIR_DECISIONS = {"repair.accepted", "repair.rejected", "repair.granted", "repair.denied", "repair.revoked"}


def _check_owner(record_type: str, source: dict[str, str], data: dict[str, Any], facts: list[Fact]) -> list[Problem]:
    if record_type in _OWNED:
        target_type, attribute, basis = _OWNED[record_type]
        ref, what = data[attribute], target_type
    elif record_type in _REPAIR_DECISIONS:
        applied = next(
            (f for f in facts if f.type == "repair.applied" and f.data.application_id == data["application_id"]),  # type: ignore[attr-defined]
            None,
        )
        if applied is None:
            return []
        kind, ref = applied.data.target_kind, applied.data.target_ref  # type: ignore[attr-defined]
        target_type, attribute = _REPAIR_TARGETS.get(kind, ("abnormal.listed", "listing_id"))
        what, basis = f"{kind} record", "REP-02"
    else:
        return []
    target = next((f for f in facts if f.type == target_type and getattr(f.data, attribute) == ref), None)
    if target is None or target.department == source["department"]:
        return []
    reason = f"the {what} {ref!r} was recorded by {target.department!r}, which alone decides this ({basis})"
    return [Problem("source.department", reason, "AUTH-03")]
