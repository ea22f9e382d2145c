from __future__ import annotations

from fastapi import APIRouter

from api.deps import RuntimeDep
from api.schemas import Health, Pong

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(runtime: RuntimeDep) -> dict[str, str]:
    """Alive and able to reach the database (a new connection: proves the server accepts them)."""
    with runtime.server.connect() as conn:
        conn.execute("SELECT 1")
    return {"status": "ok"}


@router.get("/v1/ping", response_model=Pong)
async def ping() -> dict[str, bool]:
    """Alive; touches nothing (the trivial endpoint the HTTP benchmark compares against). On the
    event loop, like a trivial endpoint should be: the baseline is the framework's own cost."""
    return {"pong": True}
