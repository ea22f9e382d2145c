"""The record vocabulary: the exchange format of design.md, defined once.

Each record `type` has a pydantic model for its `data`. The `type` names and the field
names are a contract with other systems: add, never rename. Fields holding personal
data carry `x-personal` in their JSON schema and never reach a public view
(rulebook PEN-03, KEY-07).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache, reduce
from types import UnionType
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, Union, cast, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from domain.errors import InvalidUSCCError
from domain.identifiers import TIANJIN_DISTRICTS, normalise_uscc
from domain.reference import TIANJIN_DISTRICT_CHANGES

PERSONAL: JsonDict = {"x-personal": True}

# No control characters but tab and line breaks: PostgreSQL text and jsonb refuse NUL, and
# nothing a department records needs the others.
PRINTABLE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
Text = Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]
Ref = Annotated[str, Field(min_length=1, max_length=120, pattern=PRINTABLE)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000, pattern=PRINTABLE)]
Yuan = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
# A real calendar date (LEDGER-10): the rules add years to these, and a stand-in such as
# 9999-12-31 for "indefinitely" would overflow them.
EARLIEST_DAY, LATEST_DAY = date(1949, 10, 1), date(2199, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sector(StrEnum):
    food_production = "food_production"
    special_food = "special_food"
    special_equipment = "special_equipment"
    food_business = "food_business"  # 食品经营: not a key sector (KEY-02), a food domain (PEN-11)
    other = "other"


class ViolationSector(StrEnum):
    food_production = "food_production"
    special_food = "special_food"
    special_equipment = "special_equipment"
    food_business = "food_business"
    other = "other"
    drug = "drug"


class PenaltyKind(StrEnum):
    warning = "warning"
    criticism = "criticism"
    fine = "fine"
    confiscation = "confiscation"
    suspension = "suspension"
    restriction = "restriction"
    ban = "ban"
    qualification_downgrade = "qualification_downgrade"
    permit_revocation = "permit_revocation"
    licence_revocation = "licence_revocation"
    closure = "closure"


# --- enterprise -------------------------------------------------------------------------


# ID-10, ID-11: every Tianjin county-level code, current or retired; which one was in force on a
# record's date is judged at intake (`domain.rules.registration`).
TIANJIN_CODES = frozenset(TIANJIN_DISTRICTS) | {change.retired for change in TIANJIN_DISTRICT_CHANGES}


class EnterpriseRegistered(Data):
    name: Text
    district_code: str | None = Field(
        default=None,
        description="GB/T 2260 code of the supervising Tianjin district, as in force on effective_on (ID-10, "
        "ID-11: a retired code such as 120225 is taken for a date before its change); absent for an enterprise "
        "registered outside Tianjin (PEN-06)",
    )
    registration_region: str | None = Field(
        default=None,
        description="for an enterprise registered outside Tianjin: GB/T 2260 code of its registering authority's "
        "region (PEN-06); when absent the ledger takes the USCC's positions 3-8 (ID-01)",
    )
    entity_kind: Literal["enterprise", "individual_business", "cooperative", "branch", "other"]
    established_on: Day
    address: Text | None = None
    legal_representative: Text | None = Field(default=None, json_schema_extra=PERSONAL)

    @field_validator("district_code")
    @classmethod
    def _tianjin_district(cls, value: str | None) -> str | None:
        if value is not None and value not in TIANJIN_CODES:
            raise ValueError(f"{value!r} is not a Tianjin district code, current or retired (ID-10, ID-11)")
        return value

    @field_validator("registration_region")
    @classmethod
    def _outside_tianjin(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 6 and value.isdigit() and not value.startswith("12")):
            raise ValueError(f"{value!r} is not a GB/T 2260 region code outside Tianjin (12xxxx) (PEN-06)")
        return value

    @model_validator(mode="after")
    def _one_place(self) -> EnterpriseRegistered:
        if self.district_code is not None and self.registration_region is not None:
            raise ValueError("give district_code (registered in Tianjin) or registration_region (elsewhere), not both")
        return self


class EnterpriseChanged(Data):
    name: Text | None = None
    address: Text | None = None
    legal_representative: Text | None = Field(default=None, json_schema_extra=PERSONAL)

    @model_validator(mode="after")
    def _something_changes(self) -> EnterpriseChanged:
        if self.name is None and self.address is None and self.legal_representative is None:
            raise ValueError("give at least one of name, address, legal_representative")
        return self


class EnterpriseDeregistered(Data):
    pass


class EnterpriseLicenceRevoked(Data):
    decision_no: Ref


# --- permits ----------------------------------------------------------------------------


class PermitGranted(Data):
    permit_no: Ref
    sector: Sector
    category: Text
    valid_from: Day
    valid_until: Day
    issuing_authority: Text

    @model_validator(mode="after")
    def _valid_range(self) -> PermitGranted:
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class PermitRenewed(Data):
    permit_no: Ref
    valid_until: Day


class PermitRevoked(Data):
    permit_no: Ref
    kind: Literal["withdrawn", "revoked", "certificate_revoked"]
    decision_no: Ref


class PermitCancelled(Data):
    permit_no: Ref
    reason: Text


# --- penalties and inspections ----------------------------------------------------------


class PenaltyDecided(Data):
    decision_no: Ref
    procedure: Literal["ordinary", "simplified"]
    penalty_kinds: list[PenaltyKind] = Field(min_length=1)
    fine_yuan: Yuan | None = None
    confiscated_yuan: Yuan | None = None
    restriction_years: int | None = Field(default=None, ge=1, le=99)
    violation: Text
    legal_basis: Text
    sector: ViolationSector | None = Field(
        default=None,
        description="domain of the violation; when absent, read from the law cited in legal_basis (PEN-11)",
    )
    published_on: Day | None = Field(default=None, description="when it was published (PEN-05, PEN-09)")
    heavier_fine: bool | None = Field(
        default=None,
        description="the fine was set under the heavier-punishment rule (从重处罚) of the discretion benchmark: "
        "a heavier penalty for SDL-01(1) and SDL-31(3); absent: not heavier",
    )
    deciding_authority: Text | None = Field(
        default=None, description="name of the deciding authority for the published summary (PEN-02)"
    )
    pushed_on: Day | None = Field(
        default=None,
        description="for a party registered outside Tianjin: when the record was pushed to its registration "
        "place (PEN-06)",
    )
    party_proved_no_intent: bool | None = Field(
        default=None, description="the party proved it had no subjective intent: no serious listing (SDL-05)"
    )

    @model_validator(mode="after")
    def _amounts_match_kinds(self) -> PenaltyDecided:
        kinds = set(self.penalty_kinds)
        if len(kinds) != len(self.penalty_kinds):
            raise ValueError("penalty_kinds lists a kind twice")
        if (PenaltyKind.fine in kinds) != (self.fine_yuan is not None):
            raise ValueError("fine_yuan is required exactly when penalty_kinds includes fine")
        if self.confiscated_yuan is not None and PenaltyKind.confiscation not in kinds:
            raise ValueError("confiscated_yuan needs confiscation in penalty_kinds")
        if self.heavier_fine and PenaltyKind.fine not in kinds:
            raise ValueError("heavier_fine needs fine in penalty_kinds (SDL-01)")
        if self.restriction_years is not None and not kinds & {PenaltyKind.restriction, PenaltyKind.ban}:
            raise ValueError("restriction_years needs restriction or ban in penalty_kinds (PEN-09, SDL-30)")
        return self


class PenaltyRevoked(Data):
    decision_no: Ref
    reason: Text


class InspectionConcluded(Data):
    task_id: Ref
    item: Text
    kind: Literal["double_random", "key_supervision", "complaint", "sampling"]
    result: Literal["compliant", "issues_found", "rectification_ordered", "not_at_address", "refused"]


# --- commitments ------------------------------------------------------------------------


class CommitmentMade(Data):
    commitment_id: Ref
    matter: Text
    text: LongText
    template_id: Ref | None = None
    consent_to_publish: bool


Consequence = Literal["terminated", "rectification_ordered", "decision_revoked", "penalised"]


class CommitmentVerified(Data):
    commitment_id: Ref
    outcome: Literal["fulfilled", "untrue"]
    consequence: Consequence | None = Field(
        default=None, description="untrue: the consequence that follows (COM-05); required with untrue"
    )
    consequence_ref: Ref | None = Field(
        default=None,
        description="the consequence's document: a penalty's decision_no (penalised), or the number of the "
        "termination notice, rectification order or revocation decision; the ledger tracks its arrival (COM-05)",
    )


class CommitmentConsequenceRecorded(Data):
    """The consequence of an untrue commitment decided (COM-05): termination of the handling,
    a rectification order, the revoked decision; a penalty arrives as its own penalty.decided."""

    commitment_id: Ref
    consequence: Consequence
    document_no: Ref


# --- lists ------------------------------------------------------------------------------


class AbnormalListed(Data):
    listing_id: Ref
    reason: Literal["annual_report", "instant_info", "name_change", "unreachable", "false_info"] = Field(
        description="the ground, which must be in force on effective_on (AOL-02): false_info only under Order 68, "
        "name_change only under Order 101"
    )
    deciding_authority: Text | None = Field(
        default=None, description="name of the deciding authority for the published decision (AOL-08)"
    )


class AbnormalRemoved(Data):
    listing_id: Ref
    reason: Text


class SeriousListed(Data):
    listing_id: Ref
    grounds: Text
    penalty_decision_no: Ref | None = Field(
        default=None,
        description="the heavier penalty the listing is decided with (SDL-01, SDL-10); a recorded penalty.decided",
    )
    court_judgment_no: Ref | None = Field(
        default=None, description="instead of a penalty: the court judgment that requires the listing (SDL-37)"
    )
    ground_article: Literal[5, 6, 7, 8, 9, 10, 11] | None = Field(
        default=None,
        description="Order 44 article of the ground: 5 food safety (SDL-02), 7 quality incl. special equipment "
        "(SDL-03), 6 and 8-11 others (SDL-04); 11 (refusing to perform) may be decided later (SDL-11)",
    )
    approved_by: Text | None = Field(
        default=None, description="the city authority that approved a district bureau's listing (SDL-12)"
    )
    restriction_years: int | None = Field(default=None, ge=1, le=99)
    pushed_on: Day | None = Field(
        default=None,
        description="for a party registered outside Tianjin: when the listing was pushed to its registration "
        "place (SDL-13)",
    )

    @model_validator(mode="after")
    def _one_basis(self) -> SeriousListed:
        if (self.penalty_decision_no is None) == (self.court_judgment_no is None):
            raise ValueError("give penalty_decision_no (SDL-10) or court_judgment_no (SDL-37), exactly one")
        return self


class SeriousRemoved(Data):
    listing_id: Ref
    kind: Literal["early_repair", "penalty_annulled", "other"]


# --- the abnormal-list grounds' records (AOL-01, AOL-03..07) and objections (AOL-12) ------

InfoKind = Literal["permit", "penalty", "shareholding", "equity_transfer", "ip_pledge", "other"]


class AnnualReportFiled(Data):
    year: int = Field(
        ge=2013, le=2199, description="the year reported on; filed from 1 January to 30 June of the next year (AOL-01)"
    )
    correction: bool | None = Field(default=None, description="corrects the year's report: by 30 June (AOL-01)")


class InstantInfoOrdered(Data):
    order_id: Ref
    info_kind: InfoKind
    matter: Text = Field(description="what the enterprise is ordered to publish within 10 D (AOL-04)")
    ref: Ref | None = Field(default=None, description="the permit_no or decision_no it concerns")


class InstantInfoPublished(Data):
    info_kind: InfoKind = Field(description="what the enterprise published itself (KEY-09)")
    ref: Ref | None = Field(default=None, description="the permit_no or decision_no it concerns (KEY-09)")
    order_id: Ref | None = Field(default=None, description="the instant_info.ordered it answers (AOL-04)")


class MailReturned(Data):
    letter_id: Ref
    sent_on: Day = Field(
        description="when the registered letter went to the registered address; effective_on: when it was "
        "established as not signed for (AOL-06)"
    )


class NameChangeOrdered(Data):
    order_id: Ref
    change_by: Day = Field(description="the deadline for registering the required name change (AOL-05)")


class FalseInfoConfirmed(Data):
    finding_id: Ref
    matter: Text = Field(description="what published information was found false (AOL-07, Order 68 only)")


class AbnormalObjected(Data):
    objection_id: Ref
    listing_id: Ref
    grounds: Text
    evidence: Text = Field(description="AOL-12: in writing, with evidence, within 30 D of the listing")


class ObjectionDecided(Data):
    objection_id: Ref
    decision: Literal["accepted", "rejected", "listing_confirmed", "listing_wrong"] = Field(
        description="accepted or rejected within 5 WD; once accepted, verified within 20 WD (AOL-12)"
    )
    reason: Text | None = None


# --- reconsideration and litigation (SDL-36, AOL-13) ------------------------------------


class ChallengeFiled(Data):
    challenge_id: Ref
    target_kind: Literal["serious_listing", "serious_removal", "abnormal_listing", "abnormal_removal"]
    listing_id: Ref
    route: Literal["reconsideration", "litigation"]
    body: Text | None = Field(default=None, description="the reconsideration organ or the court")


class ChallengeDecided(Data):
    challenge_id: Ref
    outcome: Literal["upheld", "revoked", "confirmed_illegal", "confirmed_void"] = Field(
        description="anything but upheld annuls the challenged decision from effective_on (SDL-36, AOL-13)"
    )
    reference: Ref | None = Field(default=None, description="the reconsideration decision or judgment number")


# --- correction of published penalties (PEN-08) -------------------------------------------


class PenaltyCorrectionRequested(Data):
    request_id: Ref
    decision_no: Ref
    inaccuracy: Text = Field(description="what the published record is said to get wrong")
    evidence: Text
    requested_by: Text = Field(description="anyone may demand a correction (PEN-08)", json_schema_extra=PERSONAL)


class PenaltyCorrectionHandled(Data):
    request_id: Ref
    outcome: Literal["corrected", "rejected"]
    reason: Text


# --- repairs ----------------------------------------------------------------------------


class RepairApplied(Data):
    application_id: Ref
    target_kind: Literal["penalty", "serious", "abnormal", "risk_class"] = Field(
        description="risk_class: repair of the internal credit-risk class (seed 六(十一), decided by TJ-CREDIT)"
    )
    target_ref: Ref = Field(
        description="decision_no of a penalty, listing_id of a listing, or for risk_class the assessment's "
        "reference (e.g. the effective run's year)"
    )


class RepairDecided(Data):
    application_id: Ref
    reason: Text | None = None


class RepairRevoked(RepairDecided):
    fraud: bool = Field(default=False, description="concealment or false material (SDL-35)")


Material = Literal[
    "application_form",
    "commitment_letter",
    "evidence",
    "statement",
    "identity_documents",
    "service_address_confirmation",
    "other",
]
"""Repair materials (REP-06; SDL-32: 信用修复申请书, 守信承诺书, 履行义务/消除影响的证明, 事实和理由的说明)."""


class RepairMaterialsReceived(RepairDecided):
    """Materials received for an application (REP-06, SDL-32); after a correction request, the
    clock that stopped runs again from this record's date."""

    materials: list[Material] = Field(min_length=1, max_length=20)


class RepairCorrectionRequested(RepairDecided):
    """The reviewer asks the applicant to complete or correct its materials (补正): the running
    acceptance or decision clock stops until `repair.materials_received`."""

    missing: list[Material] = Field(default_factory=list, max_length=20)


# --- corrections ------------------------------------------------------------------------


class RecordKey(Data):
    department: Ref
    record_id: Ref


class RecordCorrected(Data):
    target: RecordKey
    data: dict[str, Any] = Field(description="the replacement data, in the target record's schema")


class RecordRetracted(Data):
    target: RecordKey
    reason: Text


DATA_MODELS: dict[str, type[Data]] = {
    "enterprise.registered": EnterpriseRegistered,
    "enterprise.changed": EnterpriseChanged,
    "enterprise.deregistered": EnterpriseDeregistered,
    "enterprise.licence_revoked": EnterpriseLicenceRevoked,
    "permit.granted": PermitGranted,
    "permit.renewed": PermitRenewed,
    "permit.revoked": PermitRevoked,
    "permit.cancelled": PermitCancelled,
    "penalty.decided": PenaltyDecided,
    "penalty.revoked": PenaltyRevoked,
    "inspection.concluded": InspectionConcluded,
    "commitment.made": CommitmentMade,
    "commitment.verified": CommitmentVerified,
    "commitment.consequence_recorded": CommitmentConsequenceRecorded,
    "abnormal.listed": AbnormalListed,
    "abnormal.removed": AbnormalRemoved,
    "serious.listed": SeriousListed,
    "serious.removed": SeriousRemoved,
    "annual_report.filed": AnnualReportFiled,
    "instant_info.ordered": InstantInfoOrdered,
    "instant_info.published": InstantInfoPublished,
    "mail.returned": MailReturned,
    "name_change.ordered": NameChangeOrdered,
    "false_info.confirmed": FalseInfoConfirmed,
    "abnormal.objected": AbnormalObjected,
    "objection.decided": ObjectionDecided,
    "challenge.filed": ChallengeFiled,
    "challenge.decided": ChallengeDecided,
    "penalty.correction_requested": PenaltyCorrectionRequested,
    "penalty.correction_handled": PenaltyCorrectionHandled,
    "repair.applied": RepairApplied,
    "repair.accepted": RepairDecided,
    "repair.rejected": RepairDecided,
    "repair.granted": RepairDecided,
    "repair.denied": RepairDecided,
    "repair.revoked": RepairRevoked,
    "repair.materials_received": RepairMaterialsReceived,
    "repair.correction_requested": RepairCorrectionRequested,
    "record.corrected": RecordCorrected,
    "record.retracted": RecordRetracted,
}

AMENDMENT_TYPES = frozenset({"record.corrected", "record.retracted"})


# --- stored data ------------------------------------------------------------------------
#
# Data is validated once, at intake. What the event store holds was valid when it was
# recorded, and must stay readable after a validator changes (a district code retired, a
# bound tightened): reading it back converts the JSON values to their types and validates
# nothing. A stored shape that needs more than that (a renamed field) gets an upcaster.

Convert = Callable[[Any], Any]


def _converter(annotation: Any) -> Convert | None:
    """How a stored JSON value becomes a value of `annotation` (None: used as it is)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _converter(args[0])
    if origin in (Union, UnionType):
        inner = [_converter(a) for a in args if a is not type(None)]
        one = inner[0] if len(inner) == 1 else None
        return None if one is None else (lambda v: None if v is None else one(v))
    if origin is list:
        item = _converter(args[0])
        return None if item is None else (lambda v: [item(x) for x in v])
    if annotation is date:
        return date.fromisoformat
    if annotation is Decimal:
        return Decimal
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, Data):
        return lambda v: from_stored(annotation, v)
    return None


@cache
def _plan(model: type[Data]) -> tuple[tuple[str, Convert], ...]:
    plan = []
    for name, info in model.model_fields.items():
        convert = _converter(info.annotation)
        if convert is not None:
            plan.append((name, convert))
    return tuple(plan)


D = TypeVar("D", bound=Data)


def from_stored(model: type[D], stored: dict[str, Any]) -> D:
    """`model` holding what `model_dump(mode="json")` of a valid instance wrote, unvalidated."""
    values = dict(stored)
    for name, convert in _plan(model):
        if name in values:
            values[name] = convert(values[name])
    return cast(D, model.model_construct(**values))


def stored_data(record_type: str, stored: dict[str, Any]) -> Data:
    """The typed data of a stored record of `record_type`."""
    return from_stored(DATA_MODELS[record_type], stored)


@dataclass(frozen=True)
class LoggedRecord:
    """What the record log keeps of one record besides its event: the idempotency key, the
    fingerprint that tells a repeat from a conflict, and where it sits in the log."""

    originator_id: UUID
    originator_version: int
    uscc: str
    record_type: str
    effective_on: date
    department: str
    record_id: str
    fingerprint: str


class StoredKey(NamedTuple):
    """What a taken idempotency key holds: its record's fingerprint and log position."""

    fingerprint: str
    position: int


# --- the envelope -----------------------------------------------------------------------


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    department: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    record_id: Ref
    operator: Annotated[str, Field(min_length=1, max_length=80, pattern=PRINTABLE)]


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str = Field(description="18-character USCC, GB 32100-2015 (rulebook ID-01, ID-02)")
    effective_on: Day = Field(description="legal date of the act (China Standard Time)")
    source: Source

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, value: str) -> str:
        try:
            return normalise_uscc(value)
        except InvalidUSCCError as exc:
            raise ValueError(str(exc)) from exc


def _envelope_for(type_name: str, data_model: type[Data]) -> type[_Envelope]:
    class_name = "".join(part.capitalize() for part in type_name.replace(".", "_").split("_")) + "Record"
    return type(
        class_name,
        (_Envelope,),
        {
            "__annotations__": {"type": Literal[type_name], "data": data_model},
            "__module__": __name__,
        },
    )


RECORD_MODELS: dict[str, type[_Envelope]] = {name: _envelope_for(name, model) for name, model in DATA_MODELS.items()}
for _model in RECORD_MODELS.values():
    globals()[_model.__name__] = _model

# Built from the vocabulary at import time, so a type checker sees it as Any: pydantic checks it.
Record: Any = Annotated[reduce(operator.or_, RECORD_MODELS.values()), Field(discriminator="type")]
"""Any record of the vocabulary; the `type` field selects the `data` schema."""
