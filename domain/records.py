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
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.errors import InvalidUSCCError
from domain.identifiers import TIANJIN_DISTRICTS, normalise_uscc

PERSONAL = {"x-personal": True}

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
    other = "other"


class ViolationSector(StrEnum):
    food_production = "food_production"
    special_food = "special_food"
    special_equipment = "special_equipment"
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


class EnterpriseRegistered(Data):
    name: Text
    district_code: str = Field(description="GB/T 2260 code of the supervising Tianjin district (ID-10)")
    entity_kind: Literal["enterprise", "individual_business", "cooperative", "branch", "other"]
    established_on: Day
    address: Text | None = None
    legal_representative: Text | None = Field(default=None, json_schema_extra=PERSONAL)

    @field_validator("district_code")
    @classmethod
    def _tianjin_district(cls, value: str) -> str:
        if value not in TIANJIN_DISTRICTS:
            raise ValueError(f"{value!r} is not a current Tianjin district code (ID-10)")
        return value


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
        default=None, description="domain of the violation; when absent, derived from the permits"
    )
    published_on: Day | None = None

    @model_validator(mode="after")
    def _amounts_match_kinds(self) -> PenaltyDecided:
        kinds = set(self.penalty_kinds)
        if len(kinds) != len(self.penalty_kinds):
            raise ValueError("penalty_kinds lists a kind twice")
        if (PenaltyKind.fine in kinds) != (self.fine_yuan is not None):
            raise ValueError("fine_yuan is required exactly when penalty_kinds includes fine")
        if self.confiscated_yuan is not None and PenaltyKind.confiscation not in kinds:
            raise ValueError("confiscated_yuan needs confiscation in penalty_kinds")
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


class CommitmentVerified(Data):
    commitment_id: Ref
    outcome: Literal["fulfilled", "untrue"]
    consequence: Literal["terminated", "rectification_ordered", "decision_revoked", "penalised"] | None = None


# --- lists ------------------------------------------------------------------------------


class AbnormalListed(Data):
    listing_id: Ref
    reason: Literal["annual_report", "instant_info", "name_change", "unreachable", "false_info"]


class AbnormalRemoved(Data):
    listing_id: Ref
    reason: Text


class SeriousListed(Data):
    listing_id: Ref
    grounds: Text
    penalty_decision_no: Ref
    approved_by: Text | None = None
    restriction_years: int | None = Field(default=None, ge=1, le=99)


class SeriousRemoved(Data):
    listing_id: Ref
    kind: Literal["early_repair", "penalty_annulled", "other"]


# --- repairs ----------------------------------------------------------------------------


class RepairApplied(Data):
    application_id: Ref
    target_kind: Literal["penalty", "serious", "abnormal"]
    target_ref: Ref = Field(description="decision_no of a penalty, or listing_id of a listing")


class RepairDecided(Data):
    application_id: Ref
    reason: Text | None = None


class RepairRevoked(RepairDecided):
    fraud: bool = Field(default=False, description="concealment or false material (SDL-35)")


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
    "abnormal.listed": AbnormalListed,
    "abnormal.removed": AbnormalRemoved,
    "serious.listed": SeriousListed,
    "serious.removed": SeriousRemoved,
    "repair.applied": RepairApplied,
    "repair.accepted": RepairDecided,
    "repair.rejected": RepairDecided,
    "repair.granted": RepairDecided,
    "repair.denied": RepairDecided,
    "repair.revoked": RepairRevoked,
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
    return model.model_construct(**values)


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
            "__annotations__": {"type": Literal[type_name], "data": data_model},  # type: ignore[valid-type]
            "__module__": __name__,
        },
    )


RECORD_MODELS: dict[str, type[_Envelope]] = {name: _envelope_for(name, model) for name, model in DATA_MODELS.items()}
for _model in RECORD_MODELS.values():
    globals()[_model.__name__] = _model

Record = Annotated[reduce(operator.or_, RECORD_MODELS.values()), Field(discriminator="type")]  # type: ignore[valid-type]
"""Any record of the vocabulary; the `type` field selects the `data` schema."""
