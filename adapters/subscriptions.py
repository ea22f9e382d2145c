"""Subscriptions to the change feed, their push cursors and dead letters (issue 23, migration 0081).

A subscription is (department, url): re-creating one updates its types and secret (a command is
safe to re-run). `url` '' means pull only. The secret is a Standard Webhooks key (`whsec_` +
base64): the relay signs with it, so it is stored as given; it is never returned by a read.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row

from domain.errors import InvalidInputError, NotFoundError, Problem

COLUMNS = (
    "id, department, url, types, created_at, active, position, n, attempts, failing_since, "
    "next_attempt_at, last_error, delivered"
)


def check_secret(secret: str) -> None:
    """A Standard Webhooks secret: `whsec_` then base64 of 24 to 64 bytes."""
    problem = Problem("secret", "a Standard Webhooks secret: whsec_ followed by base64 of 24-64 bytes", "SDL-21")
    if not secret.startswith("whsec_"):
        raise InvalidInputError("the secret is not a Standard Webhooks secret", [problem])
    try:
        key = base64.b64decode(secret[len("whsec_") :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError("the secret is not base64", [problem]) from None
    if not 24 <= len(key) <= 64:
        raise InvalidInputError("the secret's key has the wrong length", [problem])


def create(
    conn: Connection[Any], department: str, url: str | None, types: Sequence[str] | None, secret: str | None
) -> dict[str, Any]:
    if url and not secret:
        raise InvalidInputError(
            "a push subscription needs a secret", [Problem("secret", "required with url", "SDL-21")]
        )
    if secret:
        check_secret(secret)
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "INSERT INTO feed_subscriptions (department, url, types, secret) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (department, url) DO UPDATE SET types = excluded.types, secret = excluded.secret, "
            f"active = true RETURNING {COLUMNS}",
            (department, url or "", list(types) if types is not None else None, secret),
        ).fetchone()
    assert row is not None
    return dict(row)


def listing(conn: Connection[Any], department: str | None = None) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {COLUMNS} FROM feed_subscriptions WHERE (%s::text IS NULL OR department = %s) "
            "ORDER BY department, created_at",
            (department, department),
        ).fetchall()
    return [dict(r) for r in rows]


def types_of(conn: Connection[Any], department: str) -> list[str] | None:
    """The types a department's pull feed carries: the union of its subscriptions' (None: every
    type). NotFoundError when it has no subscription."""
    rows = conn.execute(
        "SELECT types FROM feed_subscriptions WHERE department = %s AND active", (department,)
    ).fetchall()
    if not rows:
        raise NotFoundError(
            f"department {department!r} has no subscription to the change feed; an admin creates one "
            "(POST /v1/subscriptions)",
            [Problem("department", "no subscription", "SDL-21")],
        )
    if any(types is None for (types,) in rows):
        return None
    return sorted({t for (types,) in rows for t in types})


def one(conn: Connection[Any], subscription_id: UUID) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"SELECT {COLUMNS} FROM feed_subscriptions WHERE id = %s", (subscription_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no subscription {subscription_id}", [Problem("id", "unknown subscription", "SDL-21")])
    return dict(row)


def dead_letters(conn: Connection[Any], subscription_id: UUID) -> list[dict[str, Any]]:
    one(conn, subscription_id)
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT item_id, position, n, attempts, last_error, dead_at, replayed_at FROM feed_dead_letters "
            "WHERE subscription_id = %s ORDER BY position, n",
            (subscription_id,),
        ).fetchall()
    return [dict(r) for r in rows]
