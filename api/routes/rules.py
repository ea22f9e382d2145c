"""The rule catalogue, the working-day calendar and per-enterprise rule answers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from adapters import clock
from api.auth import EnterpriseReader
from api.deps import RuntimeDep, UsccDep
from api.schemas import CommitmentTemplates, Deadlines, RepairEligibilityOut, Rules, WorkingDays
from domain.history import resolve
from domain.rules.catalogue import listing
from domain.rules.commitment import templates_in_force
from domain.rules.deadlines import deadlines
from domain.rules.repair import repair_eligibility

router = APIRouter(tags=["rules"])

READER_ONLY: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token (the public)"},
    403: {"description": "the token may not read this enterprise's records"},
}
Day = Annotated[date, Query(ge=date(1990, 1, 1), le=date(2100, 12, 31))]


@router.get("/v1/rules", response_model=Rules)
def get_rules(runtime: RuntimeDep) -> dict[str, Any]:
    """Every rule the ledger applies: rulebook ID, source, parameters and dated versions."""
    return {"rules": listing(runtime.rules.reference)}


@router.get("/v1/commitment-templates", response_model=CommitmentTemplates)
def get_commitment_templates(runtime: RuntimeDep, on: Day | None = None) -> dict[str, Any]:
    """The credit-commitment templates in force on `on` (default today), one version per id (COM-07:
    matter, legal basis, what is proven, what is committed, liability; reference data, assumed until
    Tianjin's texts are loaded); `excluded` matters refuse a commitment (COM-03). Public: the
    notice of notify-and-commit is given to every applicant (COM-01)."""
    day = on or clock.today()
    templates = [
        {**asdict(t), "effective_from": t.effective_from.isoformat()} for t in templates_in_force(day, runtime.rules)
    ]
    return {"on": day.isoformat(), "templates": templates}


@router.get("/v1/calendar/add-working-days", response_model=WorkingDays)
def add_working_days(runtime: RuntimeDep, start: Day, days: Annotated[int, Query(ge=0, le=3650)]) -> dict[str, Any]:
    """The `days`-th working day counted from `start` (start is day 0, rulebook TIME-02).

    `provisional` is true where the answer depends on a year whose official holiday
    schedule is not loaded yet (weekends only, TIME-01)."""
    answer = runtime.rules.calendar.add_working_days(start, days)
    return {
        "start": start.isoformat(),
        "days": days,
        "date": answer.date.isoformat(),
        "provisional": answer.provisional,
    }


@router.get("/v1/enterprises/{uscc}/repair-eligibility", response_model=RepairEligibilityOut, responses=READER_ONLY)
def get_repair_eligibility(
    uscc: UsccDep,
    runtime: RuntimeDep,
    _reader: EnterpriseReader,
    target_kind: Literal["penalty", "serious", "abnormal", "risk_class"],
    target_ref: Annotated[str, Query(min_length=1, max_length=120)],
    on: Day | None = None,
) -> dict[str, Any]:
    """Whether a repair application for the target may be made on `on` (default today), the
    earliest date it may, and every unmet condition with its rule (PEN-11/12, SDL-31, AOL-10/11).
    It speaks of records that may not be public: same readers as the timeline."""
    facts = resolve(runtime.reads.history(uscc))
    day = on or clock.today()
    answer = repair_eligibility(facts, target_kind, target_ref, day, runtime.rules)
    return {
        "uscc": uscc,
        "target_kind": target_kind,
        "target_ref": target_ref,
        **answer.as_json(),
    }


@router.get("/v1/enterprises/{uscc}/deadlines", response_model=Deadlines, responses=READER_ONLY)
def get_deadlines(
    uscc: UsccDep,
    runtime: RuntimeDep,
    _reader: EnterpriseReader,
    as_of: Day | None = None,
    status: Literal["open", "met", "missed"] | None = None,
) -> dict[str, Any]:
    """The legal deadlines started by the enterprise's records, and whether each was met,
    judged by the ledger's recorded time (default: open and missed ones as of today).
    Same readers as the timeline."""
    day = as_of or clock.today()
    found = deadlines(resolve(runtime.reads.history(uscc)), day, runtime.rules)
    wanted = {status} if status else {"open", "missed"}
    return {
        "uscc": uscc,
        "as_of": day.isoformat(),
        "deadlines": [
            {
                "rule": d.rule,
                "what": d.what,
                "record": {"department": d.record[0], "record_id": d.record[1]},
                "due": d.due.isoformat(),
                "provisional": d.provisional,
                "status": d.status,
                "fulfilled_by": {"department": d.fulfilled_by[0], "record_id": d.fulfilled_by[1]}
                if d.fulfilled_by
                else None,
                "fulfilled_on": d.fulfilled_on.isoformat() if d.fulfilled_on else None,
            }
            for d in found
            if d.status in wanted
        ],
    }
