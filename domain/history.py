"""An enterprise's history as the rules see it: typed facts, corrections resolved.

Every derivation (publicity windows, list memberships, eligibility, deadlines) is a pure
function of a sequence of `Fact`s. `resolve` turns the raw history (which keeps every
record, corrections and retractions included) into the facts in force: corrected data
replaces the original, retracted records disappear.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any, Generic, TypeVar, cast

from pydantic import ValidationError

from domain.records import AMENDMENT_TYPES, DATA_MODELS, Data, RecordCorrected, RecordRetracted, stored_data

D = TypeVar("D", bound=Data)
D_co = TypeVar("D_co", bound=Data, covariant=True)


@dataclass(frozen=True)
class Fact(Generic[D_co]):
    """One record of an enterprise's history, its data typed by its record type."""

    type: str
    effective_on: date
    department: str
    record_id: str
    data: D_co
    operator: str = ""
    sequence: int = 0
    """Position in the enterprise's history (its event version), 1-based."""
    recorded_at: datetime | None = None
    """When the ledger learned of it (UTC); None for a fact not yet recorded."""
    amended_by: tuple[str, ...] = field(default=())
    """record_ids of the corrections applied to this fact, oldest first."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.department, self.record_id)

    @cached_property
    def public_data(self) -> dict[str, Any]:
        """The data without the fields marked `x-personal` (PEN-03, KEY-07), as JSON values.
        Computed once per fact (the projector derives the same facts at several moments);
        shared, so callers copy before changing it."""
        return self.data.model_dump(mode="json", exclude_none=True, exclude=set(personal_fields(type(self.data))))


AnyFact = Fact[Data]


@cache
def personal_fields(model: type[Data]) -> frozenset[str]:
    out = set()
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-personal"):
            out.add(name)
    return frozenset(out)


class Facts(list[AnyFact]):
    """Resolved facts, with an index by type built on first use: the rules look facts up by
    type dozens of times per derivation (`domain.rules.common.of_type`)."""

    @cached_property
    def chronological(self) -> list[AnyFact]:
        """In (effective date, sequence) order; ties keep their order in the list."""
        return sorted(self, key=lambda f: (f.effective_on, f.sequence))

    @cached_property
    def by_type(self) -> dict[str, list[AnyFact]]:
        index: dict[str, list[AnyFact]] = {}
        for fact in self.chronological:
            index.setdefault(fact.type, []).append(fact)
        return index


def typed(fact: AnyFact, model: type[D]) -> Fact[D]:
    """`fact` as a fact whose data is a `model` (checked: a wrong type is a bug, not input)."""
    if not isinstance(fact.data, model):
        raise TypeError(f"{fact.type} {fact.key} holds {type(fact.data).__name__}, not {model.__name__}")
    return cast(Fact[D], fact)


def resolve(history: Iterable[AnyFact]) -> Facts:
    """The facts in force: corrections applied, retracted records and amendments dropped.

    A correction replaces the whole `data` of its target; the latest correction wins.
    The effective date of the target stays: to change it, retract and record anew.
    """
    originals: dict[tuple[str, str], AnyFact] = {}
    for fact in history:
        if isinstance(fact.data, RecordCorrected):
            target = (fact.data.target.department, fact.data.target.record_id)
            if target in originals:
                original = originals[target]
                originals[target] = replace(
                    original,
                    data=replacement_data(original.type, fact.data.data),
                    amended_by=(*original.amended_by, fact.record_id),
                )
        elif isinstance(fact.data, RecordRetracted):
            originals.pop((fact.data.target.department, fact.data.target.record_id), None)
        else:
            originals[fact.key] = fact
    return Facts(sorted(originals.values(), key=lambda f: f.sequence))


def replacement_data(record_type: str, data: dict[str, Any]) -> Data:
    """A correction's replacement data as the target's type. It is stored as the department
    sent it (validated then, but not normalised: "3" may stand for 3), so it is validated
    again here; only data that a later, stricter validator refuses is read as stored."""
    try:
        return DATA_MODELS[record_type].model_validate(data)
    except ValidationError:
        return stored_data(record_type, data)


def known_at(history: Sequence[AnyFact], moment: datetime) -> list[AnyFact]:
    """The raw history as the ledger knew it at `moment` (recorded time)."""
    return [f for f in history if f.recorded_at is not None and f.recorded_at <= moment]


def is_amendment(fact: AnyFact) -> bool:
    return fact.type in AMENDMENT_TYPES
