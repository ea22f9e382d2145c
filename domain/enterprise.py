"""The Enterprise aggregate: the append-only history of one enterprise, keyed by USCC."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.consistency import check_record
from domain.context import RuleContext
from domain.errors import RecordRefusedError
from domain.history import AnyFact, Fact, Facts, resolve
from domain.records import DATA_MODELS, Data, EnterpriseRegistered, stored_data

# Changing this namespace would orphan every stored enterprise: ids are derived from it.
ENTERPRISE_NAMESPACE = uuid5(NAMESPACE_URL, "https://scjg.tj.gov.cn/credit-ledger/enterprise")


class Enterprise(Aggregate):
    """Every record about one enterprise, in the order the ledger received them.

    Event classes are stored by topic (`domain.enterprise:Enterprise.PermitGranted`):
    never rename or move them without registering the old topic.
    """

    class Recorded(Aggregate.Event):
        """One record. Its `data` is stored as the JSON values of the record's data model;
        reading it back converts them to their types without validating them again
        (`domain.records.from_stored`): what was valid when recorded stays readable."""

        effective_on: date
        source: dict[str, str]
        data: dict[str, Any]
        record_type: ClassVar[str]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Enterprise)
            aggregate.history.append(self.as_fact())

        def as_fact(self) -> AnyFact:
            return Fact(
                type=self.record_type,
                effective_on=self.effective_on,
                department=self.source["department"],
                record_id=self.source["record_id"],
                operator=self.source.get("operator", ""),
                data=stored_data(self.record_type, self.data),
                sequence=self.originator_version,
            )

    class Registered(Aggregate.Created, Recorded):
        record_type = "enterprise.registered"

    class Changed(Recorded):
        record_type = "enterprise.changed"

    class Deregistered(Recorded):
        record_type = "enterprise.deregistered"

    class LicenceRevoked(Recorded):
        record_type = "enterprise.licence_revoked"

    class PermitGranted(Recorded):
        record_type = "permit.granted"

    class PermitRenewed(Recorded):
        record_type = "permit.renewed"

    class PermitRevoked(Recorded):
        record_type = "permit.revoked"

    class PermitCancelled(Recorded):
        record_type = "permit.cancelled"

    class PenaltyDecided(Recorded):
        record_type = "penalty.decided"

    class PenaltyRevoked(Recorded):
        record_type = "penalty.revoked"

    class InspectionConcluded(Recorded):
        record_type = "inspection.concluded"

    class CommitmentMade(Recorded):
        record_type = "commitment.made"

    class CommitmentVerified(Recorded):
        record_type = "commitment.verified"

    class CommitmentConsequenceRecorded(Recorded):
        record_type = "commitment.consequence_recorded"

    class AbnormalListed(Recorded):
        record_type = "abnormal.listed"

    class AbnormalRemoved(Recorded):
        record_type = "abnormal.removed"

    class SeriousListed(Recorded):
        record_type = "serious.listed"

    class SeriousRemoved(Recorded):
        record_type = "serious.removed"

    # Issue 18: the records the abnormal-list grounds, objections, challenges and correction
    # requests need. Their names are stored topics too.
    class AnnualReportFiled(Recorded):
        record_type = "annual_report.filed"

    class InstantInfoOrdered(Recorded):
        record_type = "instant_info.ordered"

    class InstantInfoPublished(Recorded):
        record_type = "instant_info.published"

    class MailReturned(Recorded):
        record_type = "mail.returned"

    class NameChangeOrdered(Recorded):
        record_type = "name_change.ordered"

    class FalseInfoConfirmed(Recorded):
        record_type = "false_info.confirmed"

    class AbnormalObjected(Recorded):
        record_type = "abnormal.objected"

    class ObjectionDecided(Recorded):
        record_type = "objection.decided"

    class ChallengeFiled(Recorded):
        record_type = "challenge.filed"

    class ChallengeDecided(Recorded):
        record_type = "challenge.decided"

    class PenaltyCorrectionRequested(Recorded):
        record_type = "penalty.correction_requested"

    class PenaltyCorrectionHandled(Recorded):
        record_type = "penalty.correction_handled"

    class RepairApplied(Recorded):
        record_type = "repair.applied"

    class RepairAccepted(Recorded):
        record_type = "repair.accepted"

    class RepairRejected(Recorded):
        record_type = "repair.rejected"

    class RepairGranted(Recorded):
        record_type = "repair.granted"

    class RepairDenied(Recorded):
        record_type = "repair.denied"

    class RepairRevoked(Recorded):
        record_type = "repair.revoked"

    class RepairMaterialsReceived(Recorded):
        record_type = "repair.materials_received"

    class RepairCorrectionRequested(Recorded):
        record_type = "repair.correction_requested"

    class RecordCorrected(Recorded):
        record_type = "record.corrected"

    class RecordRetracted(Recorded):
        record_type = "record.retracted"

    def __init__(self, effective_on: date, source: dict[str, str], data: dict[str, Any]):
        # The Registered event's `apply` appends the registration itself, as for every record.
        self.history: list[AnyFact] = []

    @staticmethod
    @lru_cache(maxsize=4096)  # asked 2-3 times per record within one intake batch; a SHA-1 each
    def create_id(uscc: str) -> UUID:
        """Deterministic: two writers registering one USCC collide instead of duplicating."""
        return uuid5(ENTERPRISE_NAMESPACE, uscc)

    @classmethod
    def register(
        cls, uscc: str, effective_on: date, source: dict[str, str], data: Data, *, today: date, ctx: RuleContext
    ) -> Enterprise:
        if isinstance(data, EnterpriseRegistered) and data.district_code is None and data.registration_region is None:
            # Registered outside Tianjin: where, the USCC's registering-authority code says (ID-01, PEN-06);
            # a Tianjin code there is refused by the registration check (ID-11).
            data = data.model_copy(update={"registration_region": uscc[2:8]})
        problems = check_record(
            "enterprise.registered", effective_on, source["department"], data, [], today=today, ctx=ctx
        )
        if problems:
            raise RecordRefusedError(problems)
        enterprise = cls._create(
            cls.Registered, id=cls.create_id(uscc), effective_on=effective_on, source=source, data=_stored(data)
        )
        assert isinstance(enterprise, Enterprise)
        return enterprise

    def record(
        self,
        record_type: str,
        effective_on: date,
        source: dict[str, str],
        data: Data,
        *,
        today: date,
        ctx: RuleContext,
    ) -> None:
        """Append a record after checking it against the history (`domain.consistency`, which
        runs the rules' intake checks too)."""
        problems = check_record(
            record_type, effective_on, source["department"], data, self.history, today=today, ctx=ctx
        )
        if problems:
            raise RecordRefusedError(problems)
        self.trigger_event(EVENT_CLASSES[record_type], effective_on=effective_on, source=source, data=_stored(data))

    @property
    def facts(self) -> Facts:
        """The facts in force now: corrections applied, retractions dropped."""
        return resolve(self.history)


def _stored(data: Data) -> dict[str, Any]:
    """What an event stores of a record's data: its JSON values, absent fields left out."""
    return data.model_dump(mode="json", exclude_none=True)


EVENT_CLASSES: dict[str, type[Enterprise.Recorded]] = {
    cls.record_type: cls
    for cls in vars(Enterprise).values()
    if isinstance(cls, type) and issubclass(cls, Enterprise.Recorded) and cls is not Enterprise.Recorded
}
assert set(EVENT_CLASSES) == set(DATA_MODELS), "every record type needs an event class"
