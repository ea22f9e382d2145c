"""The repair reviewer's workbench (issue 21, docs/repair-cases.md): the queue of repair cases of
a department, nearest deadline first, and one case in full with a preview of its effect.

Readers: a reviewer of the competent department (REP-02), and auditors. The public gets 401."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.auth import require_principal
from api.deps import KnownAtDep, RuntimeDep
from api.routes.public import moments
from api.schemas import RepairCaseDetail, RepairQueue
from domain.access import Principal, Role
from domain.errors import ForbiddenError, InvalidInputError, NotFoundError, Problem
from domain.history import resolve
from domain.identifiers import normalise_uscc
from domain.rules.repair_case import repair_case
from projections import repair_cases

router = APIRouter(prefix="/v1/repair-cases", tags=["repair cases"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token (the public)"},
    403: {"description": "not a reviewer of the competent department (REP-02), nor an auditor"},
}
Day = Annotated[date, Query(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
States = ("submitted", "correction_requested", "accepted", "rejected", "granted", "denied", "executed", "revoked")


async def require_case_reader(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    if principal.role in (Role.auditor, Role.reviewer):
        return principal
    raise ForbiddenError(
        f"a {principal.role.value} token does not read repair cases; they are for reviewers of the competent "
        "department (REP-02) and auditors"
    )


CaseReader = Annotated[Principal, Depends(require_case_reader)]


def _may_read(principal: Principal, department: str) -> None:
    if principal.role is Role.reviewer and principal.department != department:
        raise ForbiddenError(
            f"the case is for {department!r}, the competent authority (REP-02); a reviewer of "
            f"{principal.department!r} may not read it"
        )


@router.get("", response_model=RepairQueue, responses=ERRORS)
def get_queue(
    runtime: RuntimeDep,
    principal: CaseReader,
    state: Annotated[str | None, Query(description=f"one of {', '.join(States)}")] = None,
    due_before: Day | None = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    as_of: Day | None = None,
    known_at: KnownAtDep = None,
) -> dict[str, Any]:
    """The repair cases of a department (a reviewer's own, by default), nearest deadline first,
    those past it marked `overdue` (judged on `as_of`, default today); `due_before`: a running
    deadline before that day; cases whose clock is stopped for a correction come last."""
    if state is not None and state not in States:
        raise InvalidInputError("bad state", [Problem("state", f"not one of {', '.join(States)}: {state!r}")])
    if principal.role is Role.reviewer:
        department = department or principal.department
        _may_read(principal, department)
    day, moment = moments(as_of, known_at)
    with runtime.read_connection() as conn:
        found = repair_cases.queue(conn, known_at=moment, department=department, state=state, due_before=due_before)
    cases = [
        {"uscc": uscc, **body, "overdue": body["next_due"] is not None and body["next_due"] < day.isoformat()}
        for uscc, body in found
    ]
    return {"as_of": day.isoformat(), "known_at": moment.isoformat(), "department": department, "cases": cases}


@router.get(
    "/{application_id}", response_model=RepairCaseDetail, responses={**ERRORS, 404: {"description": "no such case"}}
)
def get_case(
    runtime: RuntimeDep,
    principal: CaseReader,
    application_id: str,
    uscc: Annotated[str | None, Query(description="the enterprise, where two have cases of this id")] = None,
    as_of: Day | None = None,
    known_at: KnownAtDep = None,
) -> dict[str, Any]:
    """One case in full: the target record's timeline, the case's steps, the materials checklist
    (REP-06, SDL-32), every deadline with the spans its clock stood still, the eligibility at the
    application date and now (with rule IDs), and a preview: the public view and list memberships
    today beside those of the day after execution if granted."""
    day, moment = moments(as_of, known_at)
    code = normalise_uscc(uscc) if uscc else None
    with runtime.read_connection() as conn:
        found = [(u, b) for u, b in repair_cases.locate(conn, application_id, moment) if code in (None, u)]
    if not found:
        raise NotFoundError(f"no repair case {application_id!r}" + (f" of {code}" if code else ""))
    if len(found) > 1:
        usccs = ", ".join(u for u, _ in found)
        raise InvalidInputError("ambiguous", [Problem("uscc", f"cases of this id at {usccs}: name the enterprise")])
    (target, body) = found[0]
    _may_read(principal, body["department"])
    history = runtime.reads.history(target, moment)
    case = repair_case(resolve(history), application_id, runtime.rules)
    if case is None:
        raise NotFoundError(f"no repair case {application_id!r}")
    detail = repair_cases.detail(target, history, case, day, moment, runtime.rules)
    next_due = detail["next_due"]
    return {**detail, "overdue": next_due is not None and next_due < day.isoformat()}
