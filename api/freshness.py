"""Read your writes (issue 25, part 1): a read that names `min_position=N` answers once the read
models it reads have applied the log up to N, waiting a bounded time, else 503 with Retry-After
and the position they are at (`projections/freshness.py`).

Every write answer carries the position its records reached (`position` per record and for the
batch), so a client that wrote and then reads with that position never sees the state before its
write (a public view that answers 404 after a registration, a list without the listing). Answers
of read-model routes carry the `Ledger-Position` header: the position their read models had
reached when the read began (a lower bound).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Query, Response

from api.deps import RuntimeDep

POSITION_HEADER = "Ledger-Position"
MIN_POSITION_DESCRIPTION = (
    "answer only once the read model has applied the log up to this position (a write answer's "
    "`position`); waits up to CREDIT_LEDGER_MIN_POSITION_WAIT seconds (default 2), else 503 with "
    "Retry-After and the current position"
)
MinPositionQuery = Annotated[int | None, Query(ge=0, le=2**62, description=MIN_POSITION_DESCRIPTION)]


def reading(*models: str) -> Callable[..., int]:
    """A dependency for a route reading `models`: honours `min_position`, sets the
    `Ledger-Position` header, and gives the route the position."""

    def dependency(runtime: RuntimeDep, response: Response, min_position: MinPositionQuery = None) -> int:
        reached = runtime.freshness.reached(models, min_position)
        response.headers[POSITION_HEADER] = str(reached)
        return reached

    return dependency
