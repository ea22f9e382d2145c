"""The public view of an enterprise at any point in time (issue 4; rulebook GSXT-03/05)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import KnownAtQuery, RuntimeDep, UsccPath, get_read_pool, get_runtime, in_china_if_naive
from domain.identifiers import normalise_uscc
from ledger.clock import today_in_china
from projections import view

router = APIRouter(prefix="/v1", tags=["public"])

AsOf = Annotated[date | None, Query(description="effective date (YYYY-MM-DD); default today in Asia/Shanghai")]


def moments(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    return as_of or today_in_china(), known_at or datetime.now(UTC)


@router.get("/enterprises/{uscc}/public-view", response_model=dict[str, Any])
async def public_view(
    request: Request,
    uscc: UsccPath,
    as_of: AsOf = None,
    known_at: KnownAtQuery = None,
    source: Annotated[
        Literal["read-model", "replay"],
        Query(
            description="read-model (default): the interval tables; replay: the enterprise's events replayed "
            "through the rules directly, for auditors to compare"
        ),
    ] = "read-model",
) -> Response:
    """What the publicity system shows for the enterprise on `as_of`, as the ledger knew it at
    `known_at`, grouped as GSXT groups it: basic information and status, key-sector tags,
    administrative permits, penalties inside their publicity window (PEN-09), inspections,
    abnormal-list and serious-list entries, consented credit commitments and untrue-commitment
    findings. Each item names the records and rules behind it. No personal data, no risk class."""
    # The busiest public route, kept lean (docs/performance.md, "HTTP"): on the event loop, its
    # parameters read without dependencies (FastAPI's dependency machinery costs more per
    # request than the query) and the answer serialised once, by orjson, instead of checked
    # against `dict[str, Any]` and encoded again. The replay goes through the synchronous store.
    code = normalise_uscc(uscc)
    day, moment = moments(as_of, in_china_if_naive(known_at))
    if source == "replay":
        runtime = await get_runtime(request)
        calendar, reference = view.rule_context(runtime)
        body = await run_in_threadpool(view.from_replay, runtime.reads, code, day, moment, calendar, reference)
    else:
        async with (await get_read_pool(request)).connection() as conn:
            body = await view.from_read_model_async(conn, code, day, moment)
    return Response(orjson.dumps({**body, "source": source}), media_type="application/json")


@router.get("/status")
def status(runtime: RuntimeDep) -> dict[str, Any]:
    """The projection runner: log position applied to the read models, head of the log, lag."""
    return {"projection": runtime.projector.status()}
