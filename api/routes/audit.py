"""The audit log (issue 22, docs/audit.md): the signing key, signed checkpoints, and RFC 9162
inclusion and consistency proofs.

The key, the checkpoints and consistency proofs are public: they are hashes and signatures
that say nothing of any record, and witnesses need them without a token. An inclusion proof
ties a position to a notification id and its leaf hash: auditors only.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from adapters import audit_log
from api.auth import require_role
from api.deps import RuntimeDep
from domain.access import Principal, Role
from domain.errors import NotFoundError

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(require_role(Role.auditor))]
Size = Annotated[int, Query(ge=1, le=2**62, description="a tree size (a number of leaves)")]


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


@router.get("/key")
def key(runtime: RuntimeDep) -> dict[str, Any]:
    """The verifier key of the checkpoints' signer, as C2SP signed-note writes it
    (`name+key id+base64(0x01 ‖ Ed25519 public key)`): pin it, then check checkpoints with it."""
    verifier = runtime.signer.verifier
    return {
        "key": verifier.encode(),
        "name": verifier.name,
        "algorithm": "Ed25519",
        "origin": runtime.settings.log_origin,
    }


@router.get("/checkpoints/latest", responses={404: {"description": "nothing signed yet"}})
def latest_checkpoint(runtime: RuntimeDep) -> dict[str, Any]:
    """The latest signed checkpoint: `note` is the C2SP tlog-checkpoint note, verbatim
    (origin, tree size, base64 root; a blank line; the Ed25519 signature line)."""
    with runtime.read_connection() as conn:
        checkpoint = audit_log.latest_checkpoint(conn)
    if checkpoint is None:
        raise NotFoundError("no checkpoint signed yet")
    return checkpoint.as_json()


@router.get("/checkpoints", responses={404: {"description": "no checkpoint of that size"}})
def checkpoint_of_size(runtime: RuntimeDep, size: Size) -> dict[str, Any]:
    """The signed checkpoint of a tree size (checkpoints are signed every 1,000 events and at
    most 5 minutes apart: not every size has one)."""
    with runtime.read_connection() as conn:
        return audit_log.checkpoint_of_size(conn, size).as_json()


@router.get("/inclusion", responses={401: {"description": "no token"}, 403: {"description": "not an auditor"}})
def inclusion(
    runtime: RuntimeDep,
    _: Auditor,
    position: Annotated[int, Query(ge=0, le=2**62, description="the leaf's position (0-based)")],
    size: Size,
) -> dict[str, Any]:
    """The proof that the leaf at `position` is in the tree of `size` leaves (RFC 9162
    §2.1.3): check it against the root of the signed checkpoint of that size."""
    with runtime.read_connection() as conn:
        tree = audit_log.StoredTree(conn)
        proof = tree.inclusion(position, size)
        leaf, notification_id = tree.leaf(position), audit_log.notification_id_at(conn, position)
        root = tree.subtree(0, size)
    return {
        "position": position,
        "size": size,
        "notification_id": notification_id,
        "leaf_hash": _b64([leaf])[0],
        "proof": _b64(proof),
        "root": _b64([root])[0],
    }


@router.get("/consistency")
def consistency(
    runtime: RuntimeDep,
    first: Annotated[int, Query(alias="from", ge=1, le=2**62, description="the smaller tree size")],
    second: Annotated[int, Query(alias="to", ge=1, le=2**62, description="the larger tree size")],
) -> dict[str, Any]:
    """The proof that the tree of `to` leaves extends the tree of `from` leaves (RFC 9162
    §2.1.4): check it against the roots of the two signed checkpoints."""
    with runtime.read_connection() as conn:
        proof = audit_log.StoredTree(conn).consistency(first, second)
    return {"from": first, "to": second, "proof": _b64(proof)}
