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
