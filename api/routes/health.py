from __future__ import annotations

from fastapi import APIRouter

from api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(runtime: RuntimeDep) -> dict[str, str]:
    """Alive and able to reach the database."""
    with runtime.server.connect() as conn:
        conn.execute("SELECT 1")
    return {"status": "ok"}


@router.get("/v1/ping")
def ping() -> dict[str, bool]:
    """Alive; touches nothing (the trivial endpoint the HTTP benchmark compares against)."""
    return {"pong": True}
