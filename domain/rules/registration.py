"""Where an enterprise is registered (ID-10, ID-11, PEN-06) and who decided a record (SDL-12, KEY-05).

A district code is judged by the GB/T 2260 list in force on the record's date: a code retired
later (蓟县 120225 until 2016) is right for an earlier date, and list pages and facets use its
successor from the change on. An enterprise with no Tianjin district is registered in another
province; its registering region comes from its USCC (positions 3-8, ID-01).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.errors import Problem
from domain.history import AnyFact, Fact
from domain.identifiers import TIANJIN_DISTRICTS
from domain.records import EnterpriseRegistered
from domain.reference import ReferenceData
from domain.rules.common import facts_of


@dataclass(frozen=True)
class DistrictSpan:
    """The district a registration's code stands for from `start` (to `end`, exclusive)."""

    start: date
    end: date | None
    code: str


def _created(reference: ReferenceData) -> dict[str, date]:
    """Current codes that replaced retired ones, with the first day they were in force."""
    out: dict[str, date] = {}
    for change in reference.district_changes:
        out[change.successor] = min(out.get(change.successor, change.on), change.on)
    return out


def district_problem(code: str, on: date, reference: ReferenceData) -> Problem | None:
    """ID-10/ID-11: why `code` is not a Tianjin district code in force on `on` (None when it is)."""
    retired = {c.retired: c for c in reference.district_changes}
    if code in retired:
        change = retired[code]
        if on < change.on:
            return None
        successor = f"{change.successor} {TIANJIN_DISTRICTS.get(change.successor, '')}".strip()
        return Problem(
            "data.district_code",
            f"{code} ({change.retired_name}) was retired on {change.on}: on {on} the code is {successor}",
            "ID-11",
        )
    created = _created(reference).get(code)
    if created is not None and on < created:
        before = ", ".join(f"{c.retired} ({c.retired_name})" for c in reference.district_changes if c.successor == code)
        return Problem(
            "data.district_code",
            f"{code} ({TIANJIN_DISTRICTS[code]}) is in GB/T 2260 from {created}; on {on} the code was {before}",
            "ID-11",
        )
    if code not in TIANJIN_DISTRICTS:
        return Problem("data.district_code", f"{code} is not a Tianjin district code", "ID-10")
    return None


def district_spans(code: str, start: date, reference: ReferenceData) -> list[DistrictSpan]:
    """The districts `code`, recorded for `start`, stands for over time: itself, then its successor
    from the change on (ID-11)."""
    spans, current, since = [], code, start
    for change in sorted(reference.district_changes, key=lambda c: c.on):
        if change.retired == current and change.on > since:
            spans.append(DistrictSpan(since, change.on, current))
            current, since = change.successor, change.on
    spans.append(DistrictSpan(since, None, current))
    return spans


def registration(facts: Sequence[AnyFact]) -> Fact[EnterpriseRegistered] | None:
    found = facts_of(facts, EnterpriseRegistered)
    return found[0] if found else None


def registered_outside_tianjin(facts: Sequence[AnyFact]) -> bool:
    """PEN-06, SDL-13: the party has no Tianjin district (it is registered in another province)."""
    reg = registration(facts)
    return reg is not None and reg.data.district_code is None


def registration_problems(data: EnterpriseRegistered, on: date, reference: ReferenceData) -> list[Problem]:
    """ID-10/ID-11 for a Tianjin registration; for one elsewhere, a region outside Tianjin (PEN-06)."""
    if data.district_code is not None:
        problem = district_problem(data.district_code, on, reference)
        return [problem] if problem else []
    region = data.registration_region or ""
    if region.startswith("12"):
        return [
            Problem(
                "data.district_code",
                f"the USCC names Tianjin registrar {region}: give the supervising district (ID-11), or the "
                "registration_region of an enterprise now registered elsewhere (PEN-06)",
                "ID-11",
            )
        ]
    return []


def is_district_bureau(department: str, reference: ReferenceData) -> bool:
    """SDL-12, KEY-05: a district bureau records as `TJ-D<district code>` (docs/access.md)."""
    return district_of_bureau(department, reference) is not None


def district_of_bureau(department: str, reference: ReferenceData) -> str | None:
    prefix = reference.district_bureau_prefix
    if not department.startswith(prefix):
        return None
    code = department[len(prefix) :]
    return code if len(code) == 6 and code.isdigit() else None
