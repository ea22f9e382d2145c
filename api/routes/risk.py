"""Risk classes A-D (issue 19, docs/risk.md): models, runs, an enterprise's class as of any date,
explained, and the enterprises of a class. Internal (RISK-02): every route needs a token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from api.auth import Admin, RiskOverview, RiskReader
from api.deps import PLAIN_TEXT, AsOfQuery, KnownAtDep, RuntimeDep, UsccDep
from api.freshness import reading
from api.limits import PageSizeDep
from api.routes.public import moments
from api.schemas import RiskClassAnswer, RiskListPage, RiskModels, RiskRunReport, RiskRunRequest
from application.risk import RunRequest, run_uuid
from domain.errors import (
    BadCursorError,
    ForbiddenError,
    InvalidInputError,
    NoRiskClassError,
    NotFoundError,
    Problem,
    VerificationError,
)
from domain.risk.run import CREDIT_DIVISION
from projections import risk_classes

router = APIRouter(tags=["risk"])
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token (the public)"},
    403: {"description": "the token may not read risk classes (RISK-02)"},
}


@router.get("/v1/risk/models", response_model=RiskModels, responses=AUTH_ERRORS)
def list_models(runtime: RuntimeDep, _reader: RiskOverview) -> dict[str, Any]:
    """Every risk model version the ledger knows, the shipped provisional one included, each with
    its effective date, digest and whole content (every number with its source)."""
    models = []
    for known in runtime.risk.book().models:
        m = known.model
        models.append(
            {
                "version": m.version,
                "title": m.title,
                "effective_from": m.effective_from.isoformat(),
                "provisional": m.provisional,
                "digest": m.digest,
                "loaded_at": None if known.loaded_at is None else known.loaded_at.isoformat(),
                "source": known.source,
                "max_score": m.max_score,
                "cutoffs": m.cutoffs.model_dump(mode="json"),
                "model": m.model_dump(mode="json"),
            }
        )
    return {"models": models}


@router.post("/v1/risk/runs", response_model=RiskRunReport, responses=AUTH_ERRORS)
def post_run(runtime: RuntimeDep, principal: Admin, request: Annotated[RiskRunRequest, Body()]) -> dict[str, Any]:
    """Run the classification (an administrator of the credit division, S-TJ28 五(七)1): `trial`
    reports the distribution and changes nothing (带量测试); `effective` records the run in the
    ledger and classes hold from `on`. The same inputs again: the run already recorded
    (`repeated`). Reads every history: minutes at a million enterprises (the command line uses
    every core: `credit-ledger risk run`)."""
    if principal.department != CREDIT_DIVISION:
        raise ForbiddenError(
            f"risk runs are records of the credit division {CREDIT_DIVISION} (S-TJ28 五(七)1); "
            f"an admin token of {principal.department} may not run one"
        )
    try:
        on = date.fromisoformat(request.on)
    except ValueError:
        raise InvalidInputError("bad date", [Problem("on", f"not a date YYYY-MM-DD: {request.on!r}")]) from None
    return runtime.risk.run(RunRequest(request.kind, on, request.model, principal.operator), workers=1)


@router.get("/v1/risk/runs/{run_id}", response_model=RiskRunReport, responses=AUTH_ERRORS)
def get_run(
    run_id: Annotated[str, Path(pattern=PLAIN_TEXT, description="the run's id")],
    runtime: RuntimeDep,
    _reader: RiskOverview,
) -> dict[str, Any]:
    """A run's kind, date, model, input digest, and its counts per class, per sector and per district."""
    rid = run_uuid(run_id)
    with runtime.read_connection() as conn:
        found = risk_classes.run(conn, rid)
    if found is not None:
        return {
            "run_id": str(found["run_id"]),
            "kind": "effective",
            "on": found["on_date"].isoformat(),
            "model_version": found["model_version"],
            "model_digest": found["model_digest"],
            "input_digest": found["input_digest"],
            "input_position": found["input_position"],
            "input_cut": None if found["input_cut"] is None else found["input_cut"].isoformat(),
            "recorded_at": found["recorded_at"].isoformat(),
            "department": found["department"],
            "operator": found["operator"],
            **found["distribution"],
        }
    report = runtime.risk.reports.report(rid)
    if report is None:
        raise NotFoundError(f"no risk run {run_id}")
    return report


@router.get(
    "/v1/enterprises/{uscc}/risk",
    response_model=RiskClassAnswer,
    responses=AUTH_ERRORS,
    dependencies=[Depends(reading(risk_classes.NAME))],
)
def enterprise_risk(
    uscc: UsccDep, runtime: RuntimeDep, _reader: RiskReader, as_of: AsOfQuery = None, known_at: KnownAtDep = None
) -> dict[str, Any]:
    """The enterprise's risk class on `as_of` as the ledger knew it at `known_at`, explained: the
    run or special case it comes from, its model, every contribution (adding up to the score,
    each naming its records) and the overrides."""
    day, moment = moments(as_of, known_at)
    with runtime.read_connection() as conn:
        found = risk_classes.class_at(conn, uscc, day, moment)
    if found is None:
        raise NoRiskClassError(f"{uscc} had no risk class on {day} as known at {moment.isoformat()} (RISK-06)")
    history = runtime.reads.history(uscc)
    explained = runtime.risk.explain(history, found["model_version"], found["on"], found["history_cut"])
    if explained is None or explained.score != found["score"]:
        raise VerificationError(
            f"the class of {uscc} no longer follows from the records and model it was computed from "
            f"(stored score {found['score']}, now {None if explained is None else explained.score}): "
            "run `credit-ledger verify --database`",
            uscc=uscc,
        )
    return {
        "uscc": uscc,
        "class": found["class"],
        "score": found["score"],
        "score_class": explained.score_class,
        "basis": found["basis"],
        "run_id": found["run_id"],
        "model_version": found["model_version"],
        "scored_on": found["on"].isoformat(),
        "recorded_at": found["recorded_at"].isoformat(),
        "as_of": day.isoformat(),
        "known_at": moment.isoformat(),
        "sector": found["sector"],
        "district": found["district"],
        "cause": found["cause"],
        "contributions": [c.as_json() for c in explained.contributions],
        "overrides": [o.as_json() for o in explained.overrides],
    }


@router.get(
    "/v1/lists/risk",
    response_model=RiskListPage,
    responses=AUTH_ERRORS,
    dependencies=[Depends(reading(risk_classes.NAME))],
)
def risk_list(
    runtime: RuntimeDep,
    _reader: RiskReader,
    as_of: AsOfQuery = None,
    known_at: KnownAtDep = None,
    risk_class: Annotated[str | None, Query(alias="class", pattern="^[ABCD]$", description="A, B, C or D")] = None,
    sector: Annotated[
        str | None,
        Query(pattern=PLAIN_TEXT, description="food_production, special_food, special_equipment or general"),
    ] = None,
    district: Annotated[str | None, Query(pattern=PLAIN_TEXT, description="GB/T 2260 district code")] = None,
    cursor: Annotated[str | None, Query(pattern=PLAIN_TEXT, description="next_cursor of the previous page")] = None,
    limit: PageSizeDep = 20,
) -> dict[str, Any]:
    """The enterprises of a class (or of every class) on `as_of` as known at `known_at`, in USCC
    order, paged by cursor: what differentiated supervision draws from (RISK-04)."""
    day, moment = moments(as_of, known_at)
    try:
        with runtime.read_connection() as conn:
            return risk_classes.members(
                conn,
                day,
                moment,
                risk_class=risk_class,
                sector=sector,
                district=district,
                cursor=cursor,
                limit=limit,
            )
    except BadCursorError as exc:
        raise InvalidInputError("bad cursor", [Problem("cursor", str(exc))]) from exc
