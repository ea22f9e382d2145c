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
from typing import Any

from domain.records import AMENDMENT_TYPES, DATA_MODELS, Data, RecordCorrected, RecordRetracted


@dataclass(frozen=True)
class Fact:
    """One record of an enterprise's history."""

    type: str
    effective_on: date
    department: str
    record_id: str
    data: Data
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
        return self.data.model_dump(mode="json", exclude_none=True, exclude=personal_fields(type(self.data)))


@cache
def personal_fields(model: type[Data]) -> frozenset[str]:
    return frozenset(n for n, f in model.model_fields.items() if (f.json_schema_extra or {}).get("x-personal"))  # type: ignore[union-attr]


class Facts(list[Fact]):
    """Resolved facts, with an index by type built on first use: the rules look facts up by
    type dozens of times per derivation (`domain.rules.common.of_type`)."""

    @cached_property
    def chronological(self) -> list[Fact]:
        """In (effective date, sequence) order; ties keep their order in the list."""
        return sorted(self, key=lambda f: (f.effective_on, f.sequence))

    @cached_property
    def by_type(self) -> dict[str, list[Fact]]:
        index: dict[str, list[Fact]] = {}
        for fact in self.chronological:
            index.setdefault(fact.type, []).append(fact)
        return index


def parse_data(record_type: str, data: dict[str, Any]) -> Data:
    return DATA_MODELS[record_type].model_validate(data)


def resolve(history: Iterable[Fact]) -> Facts:
    """The facts in force: corrections applied, retracted records and amendments dropped.

    A correction replaces the whole `data` of its target; the latest correction wins.
    The effective date of the target stays: to change it, retract and record anew.
    """
    originals: dict[tuple[str, str], Fact] = {}
    for fact in history:
        if fact.type == "record.corrected":
            assert isinstance(fact.data, RecordCorrected)
            target = (fact.data.target.department, fact.data.target.record_id)
            if target in originals:
                original = originals[target]
                originals[target] = replace(
                    original,
                    data=parse_data(original.type, fact.data.data),
                    amended_by=(*original.amended_by, fact.record_id),
                )
        elif fact.type == "record.retracted":
            assert isinstance(fact.data, RecordRetracted)
            originals.pop((fact.data.target.department, fact.data.target.record_id), None)
        else:
            originals[fact.key] = fact
    return Facts(sorted(originals.values(), key=lambda f: f.sequence))


def known_at(history: Sequence[Fact], moment: datetime) -> list[Fact]:
    """The raw history as the ledger knew it at `moment` (recorded time)."""
    return [f for f in history if f.recorded_at is not None and f.recorded_at <= moment]


def is_amendment(fact: Fact) -> bool:
    return fact.type in AMENDMENT_TYPES
