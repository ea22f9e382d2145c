"""Random draws (双随机、一公开, issue 20, docs/draws.md; rulebook §10): the item list (public,
DR-01), draws by an officer of the inspecting body, the public task notice (no class: RISK-02),
the auditor's bundle (DR-08), recusals (DR-07) and publication."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path

from api.auth import RiskOverview, require_role
from api.deps import AsOfQuery, KnownAtDep, RuntimeDep
from api.schemas import (
    DrawBundle,
    DrawNotice,
    DrawRequestIn,
    InspectionItems,
    KeyPlanEnterprises,
    KeyPlans,
    RecusalIn,
    Redraw,
    SecretIn,
)
from application.draws import DrawRequest
from domain.access import Principal, Role
from domain.errors import ForbiddenError, InvalidInputError, Problem

router = APIRouter(tags=["draws"])
TaskPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Officer = Annotated[Principal, Depends(require_role(Role.officer))]
Auditor = Annotated[Principal, Depends(require_role(Role.auditor))]
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token"},
    403: {"description": "another role, or not the inspecting body"},
}


def _day(text: str, name: str = "on") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError("bad date", [Problem(name, f"not a date YYYY-MM-DD: {text!r}")]) from None


@router.get("/v1/inspection-items", response_model=InspectionItems)
def inspection_items(runtime: RuntimeDep, as_of: AsOfQuery = None) -> dict[str, Any]:
    """The random-inspection item list in force on `as_of` (public, DR-01): basis, body, object,
    method, ratio per risk class, inspectors per enterprise."""
    day = as_of or runtime.draws.today()
    return {"as_of": day.isoformat(), "items": [i.model_dump(mode="json") for i in runtime.draws.items(day)]}


@router.post("/v1/draws", response_model=DrawNotice, responses=AUTH)
def post_draw(runtime: RuntimeDep, principal: Officer, request: Annotated[DrawRequestIn, Body()]) -> dict[str, Any]:
    """Draw a task (an officer of the item's inspecting body; the ledger the only party). The
    same task again answers the draw already recorded."""
    on = _day(request.on)
    item = runtime.draws.item(request.item_id, on)
    if principal.department != item.inspecting_body:
        raise ForbiddenError(
            f"item {item.item_id} is drawn by {item.inspecting_body}; a token of {principal.department} may not",
            [Problem("item_id", "another body's item", "DR-01")],
        )
    runtime.draws.run(
        DrawRequest(
            request.task_id,
            request.item_id,
            on,
            principal.department,
            principal.operator,
            sector=request.sector,
            district=request.district,
            inspectors=request.inspectors,
            publish=request.publish,
            parties=[(p.name, p.commit) for p in request.parties],
        )
    )
    return runtime.draws.notice(request.task_id)


@router.get("/v1/draws/{task_id}", response_model=DrawNotice)
def get_draw(runtime: RuntimeDep, task_id: TaskPath) -> dict[str, Any]:
    """The public task notice: item, date, selected enterprises, their inspectors once published,
    the results with their publication dates. No risk class (RISK-02)."""
    return runtime.draws.notice(task_id)


@router.get("/v1/draws/{task_id}/bundle", response_model=DrawBundle, responses=AUTH)
def get_bundle(runtime: RuntimeDep, _auditor: Auditor, task_id: TaskPath) -> dict[str, Any]:
    """Everything needed to re-run the draw (auditors; it holds the strata, hence the classes)."""
    return runtime.draws.bundle(task_id)


def _own(runtime: RuntimeDep, principal: Principal, task_id: str) -> None:
    task = runtime.draws.task(task_id)
    if principal.department != task.department:
        raise ForbiddenError(
            f"task {task_id} belongs to {task.department}", [Problem("task_id", "another body's task")]
        )


@router.post("/v1/draws/{task_id}/recusals", response_model=Redraw, responses=AUTH)
def post_recusal(
    runtime: RuntimeDep, principal: Officer, task_id: TaskPath, request: Annotated[RecusalIn, Body()]
) -> dict[str, Any]:
    """A conflict found after the draw (回避, DR-07): the next inspector in the same order is drawn;
    both are logged. Safe to repeat."""
    _own(runtime, principal, task_id)
    return runtime.draws.recuse(task_id, request.inspector, request.uscc, request.reason)


@router.post("/v1/draws/{task_id}/secrets", response_model=DrawNotice, responses=AUTH)
def post_secret(
    runtime: RuntimeDep, _principal: Officer, task_id: TaskPath, request: Annotated[SecretIn, Body()]
) -> dict[str, Any]:
    """A party reveals its secret (checked against its commitment, recorded before any secret was
    revealed); the last one fixes the seed and draws (DR-08). Any officer may carry it: the
    secret proves itself."""
    runtime.draws.reveal(task_id, request.party, request.secret)
    return runtime.draws.notice(task_id)


@router.post("/v1/draws/{task_id}/publish", response_model=DrawNotice, responses=AUTH)
def post_publish(runtime: RuntimeDep, principal: Officer, task_id: TaskPath) -> dict[str, Any]:
    """Publish the task: the notice then names the inspectors (DR-05). Safe to repeat."""
    _own(runtime, principal, task_id)
    runtime.draws.publish(task_id)
    return runtime.draws.notice(task_id)


# --- key-supervision plans (S-TJ28 五(八)2) ------------------------------------------------------

PlanPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


@router.get("/v1/key-supervision/plans", response_model=KeyPlans, responses=AUTH)
def key_plans(runtime: RuntimeDep, _reader: RiskOverview, as_of: AsOfQuery = None) -> dict[str, Any]:
    """The key-supervision plans in force on `as_of`: items, criteria, hand-named enterprises,
    procedure (frequency per year, method, flow)."""
    day = as_of or runtime.draws.today()
    return {"as_of": day.isoformat(), "plans": [p.model_dump(mode="json") for p in runtime.key_supervision.plans(day)]}


@router.get("/v1/key-supervision/plans/{plan_id}/enterprises", response_model=KeyPlanEnterprises, responses=AUTH)
def key_plan_enterprises(
    runtime: RuntimeDep, _reader: RiskOverview, plan_id: PlanPath, known_at: KnownAtDep, as_of: AsOfQuery = None
) -> dict[str, Any]:
    """The plan's enterprise list on `as_of` as known at `known_at` (class D, the serious list,
    special-food producers, C/D food producers, special-equipment holders, named by hand), each
    with the year's inspections due, done and overdue. Internal: a reason may be class D (RISK-02)."""
    day = as_of or runtime.draws.today()
    return runtime.key_supervision.enterprises(plan_id, day, known_at)
