"""List membership at any point in time and list changes between two dates (issue 4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.deps import PLAIN_TEXT, AsOfQuery, KnownAtDep, RuntimeDep
from api.freshness import reading
from api.limits import PageSizeDep
from api.routes.public import moments
from api.schemas import ListChanges, ListPage
from domain.errors import BadCursorError, InvalidInputError, NotFoundError, Problem
from projections import lists, public_items

router = APIRouter(prefix="/v1/lists", tags=["lists"])
READ_MODELS = (public_items.NAME,)
ListsPosition = Annotated[int, Depends(reading(*READ_MODELS))]

ListName = Annotated[str, Path(description="key-sector, abnormal, serious or exposure")]


def _known(list_name: str) -> str:
    if list_name not in lists.LISTS:
        raise NotFoundError(f"no list {list_name!r}; lists are {', '.join(lists.LISTS)}")
    return list_name


@router.get("/{list_name}", response_model=ListPage, response_model_exclude_unset=True)
def list_members(
    list_name: ListName,
    runtime: RuntimeDep,
    _position: ListsPosition,
    as_of: AsOfQuery = None,
    known_at: KnownAtDep = None,
    sector: Annotated[
        str | None, Query(pattern=PLAIN_TEXT, description="food_production, special_food or special_equipment")
    ] = None,
    district: Annotated[str | None, Query(pattern=PLAIN_TEXT, description="GB/T 2260 district code")] = None,
    cursor: Annotated[str | None, Query(pattern=PLAIN_TEXT, description="next_cursor of the previous page")] = None,
    limit: PageSizeDep = 20,
) -> dict[str, Any]:
    """Members on `as_of` as known at `known_at`, each with its interval and the records and
    rules behind it, ordered by USCC and paged by cursor."""
    day, moment = moments(as_of, known_at)
    if known_at is not None:  # an answer that never changes (issue 25, part 2)
        moment = runtime.freshness.settle(READ_MODELS, moment)
    try:
        with runtime.read_connection() as conn:
            page = lists.members(
                conn, _known(list_name), day, moment, sector=sector, district=district, cursor=cursor, limit=limit
            )
        return page
    except BadCursorError as exc:
        raise InvalidInputError("bad cursor", [Problem("cursor", str(exc))]) from exc


@router.get("/{list_name}/changes", response_model=ListChanges)
def list_changes(
    list_name: ListName,
    runtime: RuntimeDep,
    from_: Annotated[date, Query(alias="from", description="first day (exclusive)")],
    to: Annotated[date, Query(description="last day (inclusive)")],
    _position: ListsPosition,
    known_at: KnownAtDep = None,
) -> dict[str, Any]:
    """Who joined and who left the list on a day after `from` up to `to`, with the reason
    (rules and records), as known at `known_at` — for departments carrying out joint punishment."""
    if to < from_:
        raise InvalidInputError("bad period", [Problem("to", "must not be before from")])
    _, moment = moments(None, known_at)
    if known_at is not None:
        moment = runtime.freshness.settle(READ_MODELS, moment)
    with runtime.read_connection() as conn:
        return lists.changes(conn, _known(list_name), from_, to, moment)
