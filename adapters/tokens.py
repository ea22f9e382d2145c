"""API tokens: who may do what, each bound to one department and one role.

A secret looks like `tjcl_<id>_<random>`: the recognisable prefix lets secret scanners and
people spot a leaked one; the id (public, shown by `tokens list`) finds the row; the random
part (`secrets.token_urlsafe`, 256 bits) is what proves possession. Only the SHA-256 of the
whole secret is stored — a slow password hash buys nothing for 256 random bits — and it is
compared in constant time. The secret itself is returned once, by `create`, and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from domain.access import Principal, Role
from domain.errors import InvalidTokenError

PREFIX = "tjcl_"
_ID_BYTES = 8
_SECRET_BYTES = 32
_SHAPE = re.compile(rf"^{PREFIX}([0-9a-f]{{{2 * _ID_BYTES}}})_([A-Za-z0-9_-]{{20,}})$")
DEPARTMENT = re.compile(r"^[A-Za-z0-9_-]{1,40}$")  # the same alphabet as a record's source.department
MAX_LABEL = 80  # the label becomes a record's source.operator (at most 80 characters)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    department: str
    role: Role
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def token_id_of(secret: str) -> str | None:
    match = _SHAPE.match(secret)
    return match.group(1) if match else None


Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


class TokenStore:
    """The `api_tokens` table. `connect` yields a connection with dict rows (the ledger's pool)."""

    def __init__(self, connect: Connect):
        self._connect = connect

    def create(self, department: str, role: Role | str, label: str | None = None) -> tuple[TokenInfo, str]:
        """A new token and its secret: the only time the secret exists outside the bearer's hands."""
        role = Role(role)
        if not DEPARTMENT.match(department):
            raise ValueError(f"department {department!r}: 1–40 letters, digits, '-' or '_'")
        if label is not None and not 1 <= len(label) <= MAX_LABEL:
            raise ValueError(f"label: 1–{MAX_LABEL} characters")
        token_id = secrets.token_hex(_ID_BYTES)
        secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
        with self._connect() as conn, conn.transaction():
            row = conn.execute(
                "INSERT INTO api_tokens (id, secret_sha256, department, role, label) VALUES (%s, %s, %s, %s, %s) "
                "RETURNING id, department, role, label, created_at, revoked_at",
                (token_id, hash_secret(secret), department, role.value, label),
            ).fetchone()
        assert row is not None  # INSERT … RETURNING returns the row
        return _info(row), secret

    def authenticate(self, secret: str) -> Principal:
        token_id = token_id_of(secret)
        if token_id is None:
            raise InvalidTokenError("malformed token")
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, secret_sha256, department, role, label, revoked_at FROM api_tokens WHERE id = %s",
                (token_id,),
            ).fetchone()
        # Compare even when the row is missing, so that timing does not tell which ids exist.
        stored = bytes(row["secret_sha256"]) if row else b"\0" * 32
        if not hmac.compare_digest(stored, hash_secret(secret)) or row is None or row["revoked_at"] is not None:
            raise InvalidTokenError("unknown or revoked token")
        return Principal(row["id"], row["department"], Role(row["role"]), row["label"])

    def revoke(self, token_id: str) -> TokenInfo | None:
        """Revoke (idempotent); None if there is no such token."""
        with self._connect() as conn, conn.transaction():
            row = conn.execute(
                "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, clock_timestamp()) WHERE id = %s "
                "RETURNING id, department, role, label, created_at, revoked_at",
                (token_id,),
            ).fetchone()
        return _info(row) if row else None

    def all_tokens(self, *, include_revoked: bool = True) -> list[TokenInfo]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, department, role, label, created_at, revoked_at FROM api_tokens "
                + ("" if include_revoked else "WHERE revoked_at IS NULL ")
                + "ORDER BY created_at, id"
            ).fetchall()
        return [_info(r) for r in rows]

    def has_active_admin(self) -> bool:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1"
            ).fetchone()
        return row is not None


def _info(row: dict[str, Any]) -> TokenInfo:
    return TokenInfo(
        row["id"], row["department"], Role(row["role"]), row["label"], row["created_at"], row["revoked_at"]
    )
