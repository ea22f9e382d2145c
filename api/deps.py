"""Dependencies shared by the routers.

Those that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its thread pool,
one hand-off per dependency per request, which cost more than the public view's query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from psycopg_pool import AsyncConnectionPool

from domain.identifiers import normalise_uscc
from ledger.clock import CHINA
from ledger.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_read_pool(request: Request) -> AsyncConnectionPool[Any]:
    """Pooled asyncio connections to the read models (opened by the app's lifespan)."""
    pool: AsyncConnectionPool[Any] = request.app.state.read_pool
    return pool


UsccPath = Annotated[str, Path(description="18-character USCC (GB 32100-2015)")]
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
