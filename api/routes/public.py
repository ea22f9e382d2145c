"""The public view of an enterprise at any point in time (issue 4; rulebook GSXT-03/05)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, TypeAdapter

from adapters import audit_log, clock
from api.bootstrap import Runtime
from api.deps import (
    AsOfQuery,
    KnownAtQuery,
    RuntimeDep,
    UsccPath,
    get_public_items,
    get_runtime,
    in_china_if_naive,
    query_values,
)
from api.freshness import MIN_POSITION_DESCRIPTION, POSITION_HEADER
from api.schemas import PublicView, Status
from domain.enterprise import Enterprise
from domain.errors import InvalidInputError, Problem
from domain.identifiers import normalise_uscc
from projections import public_items, view

router = APIRouter(prefix="/v1", tags=["public"])


def moments(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    return as_of or clock.today(), known_at or clock.now()


Source = Literal["read-model", "replay"]
READ_MODELS = (public_items.NAME,)
_AS_OF, _KNOWN_AT, _SOURCE, _VERIFY = TypeAdapter(date), TypeAdapter(datetime), TypeAdapter(Source), TypeAdapter(bool)
_MIN_POSITION = TypeAdapter(Annotated[int, Field(ge=0, le=2**62)])


def _description(parameter: Any) -> str:
    """The description of an `Annotated[..., Query(...)]` parameter shared with other routes."""
    return str(get_args(parameter)[1].description)


# The route reads its parameters itself (see below), so FastAPI cannot describe them: they are
# declared here, as FastAPI would declare `uscc: str` and the three optional query parameters.
PUBLIC_VIEW_PARAMETERS = [
    {
        "name": "uscc",
        "in": "path",
        "required": True,
        "description": _description(UsccPath),
        "schema": {"type": "string"},
    },
    {
        "name": "as_of",
        "in": "query",
        "required": False,
        "description": _description(AsOfQuery),
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "known_at",
        "in": "query",
        "required": False,
        "description": _description(KnownAtQuery),
        "schema": {"type": "string", "format": "date-time"},
    },
    {
        "name": "source",
        "in": "query",
        "required": False,
        "description": "read-model (default): the interval tables; replay: the enterprise's events replayed "
        "through the rules directly, for auditors to compare",
        "schema": {"type": "string", "enum": list(get_args(Source)), "default": "read-model"},
    },
    {
        "name": "verify",
        "in": "query",
        "required": False,
        "description": "with source=replay: first verify the enterprise's events against the audit log (each "
        "leaf recomputed, and proved in the latest signed checkpoint; docs/audit.md); a changed log is a 500 "
        "naming the row",
        "schema": {"type": "boolean", "default": False},
    },
    {
        "name": "min_position",
        "in": "query",
        "required": False,
        "description": MIN_POSITION_DESCRIPTION + " (read-model source; the replay reads the log itself)",
        "schema": {"type": "integer", "minimum": 0},
    },
]


@router.get(
    "/enterprises/{uscc}/public-view",
    response_model=None,
    openapi_extra={"parameters": PUBLIC_VIEW_PARAMETERS},
    responses={
        200: {"model": PublicView, "description": "the public view"},
        422: {"description": "an invalid parameter or USCC (problem+json naming it)"},
        500: {"description": "verify=true and the enterprise's events differ from the signed log"},
    },
)
async def public_view(request: Request) -> Response:
    """What the publicity system shows for the enterprise on `as_of`, as the ledger knew it at
    `known_at`, grouped as GSXT groups it: basic information and status, key-sector tags,
    administrative permits, penalties inside their publicity window (PEN-09), inspections,
    abnormal-list and serious-list entries, consented credit commitments and untrue-commitment
    findings. Each item names the records and rules behind it. No personal data, no risk class."""
    # The busiest public route, kept lean (docs/performance.md, "HTTP"): on the event loop; its
    # parameters read from the request, validated by the same pydantic types and with the same
    # 422 answers as FastAPI's, without FastAPI's per-request dependency machinery (which cost
    # more than the query); its read-model lookup batched with those of concurrent requests; its
    # answer serialised once, by orjson. The replay goes through the synchronous store.
    params = query_values(
        request, as_of=_AS_OF, known_at=_KNOWN_AT, source=_SOURCE, verify=_VERIFY, min_position=_MIN_POSITION
    )
    code = normalise_uscc(request.path_params["uscc"])  # after the query, as FastAPI would
    source = params["source"] or "read-model"
    if params["verify"] and source != "replay":
        raise InvalidInputError("verify needs the replay", [Problem("verify", "only with source=replay")])
    day, moment = moments(params["as_of"], in_china_if_naive(params["known_at"]))
    if source == "replay":
        runtime = await get_runtime(request)
        moment = await run_in_threadpool(runtime.reads.settle, moment)
        history = await run_in_threadpool(runtime.reads.history, code, moment)
        verified = await run_in_threadpool(_verify, runtime, code) if params["verify"] else None
        body = view.from_replay(code, history, day, moment, runtime.rules)
        if verified is not None:
            body["verified"] = verified
        return Response(orjson.dumps({**body, "source": source}), media_type="application/json")
    runtime = await get_runtime(request)
    wanted = params["min_position"]
    freshness = runtime.freshness
    if wanted is not None and freshness.known(READ_MODELS) < wanted:
        reached = await run_in_threadpool(freshness.reached, READ_MODELS, wanted)
    else:
        reached = freshness.known(READ_MODELS)
    if params["known_at"] is not None:  # an answer that never changes (issue 25, part 2)
        done = freshness.complete(READ_MODELS)
        if done is None or done < moment:
            moment = await run_in_threadpool(freshness.settle, READ_MODELS, moment)
    items = await get_public_items(request).one((code, day, moment))
    body = view.from_stored_items(code, day, moment, items)
    return Response(
        orjson.dumps({**body, "source": source}),  # the body stays what the replay gives
        media_type="application/json",
        headers={POSITION_HEADER: str(reached)},
    )


def _verify(runtime: Runtime, uscc: str) -> dict[str, Any]:
    with runtime.read_connection() as conn:
        return audit_log.verify_enterprise(
            conn, Enterprise.create_id(uscc), runtime.signer.verifier, runtime.settings.log_origin
        )


@router.get("/status", response_model=Status)
def status(runtime: RuntimeDep) -> dict[str, Any]:
    """The projection runner: log position applied to the read models, head of the log, lag."""
    return {"projection": runtime.projector.status()}
