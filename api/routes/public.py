"""The public view of an enterprise at any point in time (issue 4; rulebook GSXT-03/05)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import KnownAtDep, ReadPoolDep, RuntimeDep, UsccDep
from ledger.clock import today_in_china
from projections import view

router = APIRouter(prefix="/v1", tags=["public"])

AsOf = Annotated[date | None, Query(description="effective date (YYYY-MM-DD); default today in Asia/Shanghai")]


def moments(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    return as_of or today_in_china(), known_at or datetime.now(UTC)


@router.get("/enterprises/{uscc}/public-view")
async def public_view(
    uscc: UsccDep,
    runtime: RuntimeDep,
    read_pool: ReadPoolDep,
    as_of: AsOf = None,
    known_at: KnownAtDep = None,
    source: Annotated[
        Literal["read-model", "replay"],
        Query(
            description="read-model (default): the interval tables; replay: the enterprise's events replayed "
            "through the rules directly, for auditors to compare"
        ),
    ] = "read-model",
) -> dict[str, Any]:
    """What the publicity system shows for the enterprise on `as_of`, as the ledger knew it at
    `known_at`, grouped as GSXT groups it: basic information and status, key-sector tags,
    administrative permits, penalties inside their publicity window (PEN-09), inspections,
    abnormal-list and serious-list entries, consented credit commitments and untrue-commitment
    findings. Each item names the records and rules behind it. No personal data, no risk class."""
    day, moment = moments(as_of, known_at)
    # The busiest public route: on the event loop (no thread hand-off) except for the replay,
    # which goes through the synchronous event store.
    if source == "replay":
        calendar, reference = view.rule_context(runtime)
        body = await run_in_threadpool(view.from_replay, runtime.reads, uscc, day, moment, calendar, reference)
    else:
        async with read_pool.connection() as conn:
            body = await view.from_read_model_async(conn, uscc, day, moment)
    return {**body, "source": source}


@router.get("/status")
def status(runtime: RuntimeDep) -> dict[str, Any]:
    """The projection runner: log position applied to the read models, head of the log, lag."""
    return {"projection": runtime.projector.status()}
