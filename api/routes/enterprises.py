from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import KnownAtDep, RuntimeDep, UsccDep

router = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])


@router.get("/{uscc}")
def get_enterprise(uscc: UsccDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The enterprise's registration facts as of now."""
    return runtime.reads.enterprise(uscc)


@router.get("/{uscc}/timeline")
def get_timeline(uscc: UsccDep, runtime: RuntimeDep, known_at: KnownAtDep = None) -> dict[str, Any]:
    """Every record in ledger order, with the corrections and retractions that apply to it,
    as the ledger knew it at `known_at`."""
    return {
        "uscc": uscc,
        "known_at": known_at.isoformat() if known_at else None,
        "records": runtime.reads.timeline(uscc, known_at),
    }
