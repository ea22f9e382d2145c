"""The Enterprise aggregate: the append-only history of one enterprise, keyed by USCC."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.consistency import Problem, check_record
from domain.history import Fact, parse_data, resolve
from domain.records import DATA_MODELS

# Changing this namespace would orphan every stored enterprise: ids are derived from it.
ENTERPRISE_NAMESPACE = uuid5(NAMESPACE_URL, "https://scjg.tj.gov.cn/credit-ledger/enterprise")


class RecordRefusedError(Exception):
    """The record breaks a rule of the ledger; nothing was recorded."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Enterprise(Aggregate):
    """Every record about one enterprise, in the order the ledger received them.

    Event classes are stored by topic (`domain.enterprise:Enterprise.PermitGranted`):
    never rename or move them without registering the old topic.
    """

    class Recorded(Aggregate.Event):
        effective_on: date
        source: dict[str, str]
        data: dict[str, Any]
        record_type: ClassVar[str]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Enterprise)
            aggregate.history.append(self.as_fact())

        def as_fact(self) -> Fact:
            return Fact(
                type=self.record_type,
                effective_on=self.effective_on,
                department=self.source["department"],
                record_id=self.source["record_id"],
                operator=self.source.get("operator", ""),
                data=parse_data(self.record_type, self.data),
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

    class AbnormalListed(Recorded):
        record_type = "abnormal.listed"

    class AbnormalRemoved(Recorded):
        record_type = "abnormal.removed"

    class SeriousListed(Recorded):
        record_type = "serious.listed"

    class SeriousRemoved(Recorded):
        record_type = "serious.removed"

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

    class RecordCorrected(Recorded):
        record_type = "record.corrected"

    class RecordRetracted(Recorded):
        record_type = "record.retracted"

    def __init__(self, effective_on: date, source: dict[str, str], data: dict[str, Any]):
        # The Registered event's `apply` appends the registration itself, as for every record.
        self.history: list[Fact] = []

    @staticmethod
    @lru_cache(maxsize=4096)  # asked 2-3 times per record within one intake batch; a SHA-1 each
    def create_id(uscc: str) -> UUID:
        """Deterministic: two writers registering one USCC collide instead of duplicating."""
        return uuid5(ENTERPRISE_NAMESPACE, uscc)

    @classmethod
    def register(
        cls, uscc: str, effective_on: date, source: dict[str, str], data: dict[str, Any], *, today: date
    ) -> Enterprise:
        problems = check_record("enterprise.registered", effective_on, source, data, [], today=today)
        if problems:
            raise RecordRefusedError(problems)
        return cls._create(cls.Registered, id=cls.create_id(uscc), effective_on=effective_on, source=source, data=data)

    def record(
        self, record_type: str, effective_on: date, source: dict[str, str], data: dict[str, Any], *, today: date
    ) -> None:
        """Append a record after checking it against the history (rules in `domain.consistency`)."""
        problems = check_record(record_type, effective_on, source, data, self.history, today=today)
        if problems:
            raise RecordRefusedError(problems)
        self.trigger_event(EVENT_CLASSES[record_type], effective_on=effective_on, source=source, data=data)

    @property
    def facts(self) -> list[Fact]:
        """The facts in force now: corrections applied, retractions dropped."""
        return resolve(self.history)


EVENT_CLASSES: dict[str, type[Enterprise.Recorded]] = {
    cls.record_type: cls
    for cls in vars(Enterprise).values()
    if isinstance(cls, type) and issubclass(cls, Enterprise.Recorded) and cls is not Enterprise.Recorded
}
assert set(EVENT_CLASSES) == set(DATA_MODELS), "every record type needs an event class"
