"""Dependencies shared by the routers.

Those that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its thread pool,
one hand-off per dependency per request, which cost more than the public view's query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from api.batching import Batcher
from api.bootstrap import Runtime
from domain.identifiers import normalise_uscc
from domain.time import CHINA
from projections.public_items import Shown


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_public_items(request: Request) -> Batcher[tuple[str, date, datetime], list[Shown] | None]:
    """The worker's batched read-model lookups of public views (made by the app's lifespan):
    (uscc, as_of, known_at) → the items then, or None if the enterprise was unknown."""
    lookups: Batcher[tuple[str, date, datetime], list[Shown] | None] = request.app.state.public_items
    return lookups


def query_values(request: Request, **adapters: TypeAdapter[Any]) -> dict[str, Any]:
    """Query parameters validated as FastAPI validates declared ones, for a route that reads
    its own: each by its adapter (the last value if repeated; None if absent), and every
    invalid one in one 422 naming each, with pydantic's reasons."""
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, adapter in adapters.items():
        raw = request.query_params.get(name)
        try:
            values[name] = None if raw is None else adapter.validate_python(raw)
        except ValidationError as exc:
            errors += [{**e, "loc": ("query", name)} for e in exc.errors(include_url=False)]
    if errors:
        raise RequestValidationError(errors)
    return values


UsccPath = Annotated[str, Path(description="18-character USCC (GB 32100-2015)")]
AsOfQuery = Annotated[date | None, Query(description="effective date (YYYY-MM-DD); default today in Asia/Shanghai")]
KnownAtQuery = Annotated[
    datetime | None,
    Query(description="recorded-time cut-off (ISO 8601); without a zone, China Standard Time; default now"),
]


async def uscc_path(uscc: UsccPath) -> str:
    return normalise_uscc(uscc)


def in_china_if_naive(known_at: datetime | None) -> datetime | None:
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=CHINA)
    return known_at


async def known_at_query(known_at: KnownAtQuery = None) -> datetime | None:
    return in_china_if_naive(known_at)


# Free-text query parameters: no C0 control character but tab and newline (PostgreSQL text
# cannot hold NUL; the others are never meant). Use as `Query(pattern=PLAIN_TEXT, ...)`: 422 naming it.
PLAIN_TEXT = r"^[^\x00-\x08\x0B-\x1F]*$"

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
UsccDep = Annotated[str, Depends(uscc_path)]
KnownAtDep = Annotated[datetime | None, Depends(known_at_query)]
