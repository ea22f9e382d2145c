from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.auth import EnterpriseReader
from api.deps import KnownAtDep, RuntimeDep, UsccDep
from api.schemas import EnterpriseOut, Timeline

router = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])


@router.get("/{uscc}", response_model=EnterpriseOut, response_model_exclude_unset=True)
def get_enterprise(uscc: UsccDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The enterprise's registration facts as of now."""
    return runtime.reads.enterprise(uscc)


@router.get(
    "/{uscc}/timeline",
    response_model=Timeline,
    response_model_exclude_unset=True,
    responses={401: {"description": "no token (the public)"}, 403: {"description": "the token may not read it"}},
)
def get_timeline(
    uscc: UsccDep, runtime: RuntimeDep, _reader: EnterpriseReader, known_at: KnownAtDep = None
) -> dict[str, Any]:
    """Every record in ledger order, with the corrections and retractions that apply to it,
    as the ledger knew it at `known_at`. Personal data included: needs an `auditor` token, or
    an `officer`/`reviewer` token of a department that has a record about the enterprise."""
    # A known_at is answered for once every record stamped by then is committed (or for the
    # latest moment that is, named in the answer): asked again, the answer is the same.
    moment = runtime.reads.settle(known_at) if known_at else None
    return {
        "uscc": uscc,
        "known_at": moment.isoformat() if moment else None,
        "records": runtime.reads.timeline(uscc, moment),
    }
