"""Find an enterprise by USCC or by part of its name (rulebook GSXT-02)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import PLAIN_TEXT, RuntimeDep
from api.freshness import reading
from api.limits import PageSizeDep, public_search_rate_limit
from api.schemas import SearchAnswer
from domain.errors import InvalidInputError, Problem
from projections import lists, public_items

router = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])


@router.get(
    "",
    response_model=SearchAnswer,
    response_model_exclude_unset=True,
    dependencies=[Depends(public_search_rate_limit), Depends(reading(public_items.NAME))],
)
def search_enterprises(
    runtime: RuntimeDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            pattern=PLAIN_TEXT,
            description="USCC (or its beginning) or part of a name",
        ),
    ],
    limit: PageSizeDep = 20,
) -> dict[str, Any]:
    """Enterprises whose USCC starts with `q` or whose name (current or former) contains it.
    A query of a single character is refused as too vague (GSXT-02)."""
    q = q.strip()
    if len(q) < 2:
        raise InvalidInputError("query too vague", [Problem("q", "give at least two characters", "GSXT-02")])
    with runtime.read_connection() as conn:
        return {"q": q, "results": lists.search(conn, q, limit)}
