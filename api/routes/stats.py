"""Records entered per department (the department-activity read model)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from adapters import clock
from api.deps import KnownAtDep, RuntimeDep
from api.freshness import reading
from projections.department_activity import DepartmentActivity, activity

router = APIRouter(prefix="/v1/stats", tags=["stats"])


class DepartmentCount(BaseModel):
    department: str
    record_type: str
    year: int
    records: int


class DepartmentActivityPage(BaseModel):
    known_at: str
    year: int | None
    counts: list[DepartmentCount]


@router.get(
    "/departments", response_model=DepartmentActivityPage, dependencies=[Depends(reading(DepartmentActivity.name))]
)
def department_activity(
    runtime: RuntimeDep,
    known_at: KnownAtDep = None,
    year: Annotated[int | None, Query(ge=1949, le=2199, description="effective year; default every year")] = None,
) -> DepartmentActivityPage:
    """How many records each department entered, by record type and effective year, as the
    ledger knew them at `known_at` (whoever handles a case enters its record: PEN-13). Public:
    counts say nothing about any enterprise."""
    moment = known_at or clock.now()
    with runtime.read_connection() as conn:
        counts = activity(conn, moment, year)
    return DepartmentActivityPage(known_at=moment.isoformat(), year=year, counts=[DepartmentCount(**c) for c in counts])
