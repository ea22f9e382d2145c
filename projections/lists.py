"""List membership, list changes and name search, read from the interval read model."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

import orjson
from psycopg import sql

LISTS = {
    "key-sector": "key_sector_list",
    "abnormal": "abnormal_list",
    "serious": "serious_list",
    "exposure": "exposure_board",
}
AT = "{a}.recorded @> %(known_at)s::timestamptz AND {a}.effective @> %(as_of)s::date"


class BadCursorError(ValueError):
    pass


def encode_cursor(key: tuple[str, str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        # (no NUL either: PostgreSQL text cannot hold it)
        if not (isinstance(key, list) and len(key) == 3 and all(isinstance(k, str) and "\x00" not in k for k in key)):
            raise ValueError(key)
        return key[0], key[1], key[2]
    except Exception as exc:
        raise BadCursorError("cursor is not one this API returned") from exc


def members(
    conn: Any,
    list_name: str,
    as_of: date,
    known_at: datetime,
    *,
    sector: str | None = None,
    district: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    kind = LISTS[list_name]
    params: dict[str, Any] = {"kind": kind, "as_of": as_of, "known_at": known_at, "limit": limit + 1}
    where = [sql.SQL("i.kind = %(kind)s AND " + AT.format(a="i"))]
    if district:
        params["district"] = district
    if sector:
        params["sector"] = sector
        if kind == "key_sector_list":
            where.append(sql.SQL("i.subject = %(sector)s"))
        else:
            where.append(
                sql.SQL(
                    "EXISTS (SELECT 1 FROM projection_items k WHERE k.uscc = i.uscc AND k.kind = 'key_sector_list' "
                    "AND k.subject = %(sector)s AND " + AT.format(a="k") + ")"
                )
            )
    if cursor:
        params["c_uscc"], params["c_subject"], params["c_fp"] = decode_cursor(cursor)
        where.append(sql.SQL("(i.uscc, i.subject, i.fingerprint) > (%(c_uscc)s, %(c_subject)s, %(c_fp)s)"))
    if district:
        where.append(
            sql.SQL(
                "EXISTS (SELECT 1 FROM projection_items b WHERE b.uscc = i.uscc AND b.kind = 'basic_info' "
                "AND b.district = %(district)s AND " + AT.format(a="b") + ")"
            )
        )
    # The page first (index order, stops at `limit`), then the names of its members only.
    query = sql.SQL(
        "WITH page AS (SELECT i.uscc, i.subject, i.fingerprint, i.effective, i.body FROM projection_items i "
        "WHERE {} ORDER BY i.kind, i.uscc, i.subject, i.fingerprint LIMIT %(limit)s) "
        "SELECT p.uscc, p.subject, p.fingerprint, lower(p.effective), upper(p.effective), p.body::text, b.name, b.district "
        "FROM page p LEFT JOIN LATERAL (SELECT name, district FROM projection_items b "
        "WHERE b.uscc = p.uscc AND b.kind = 'basic_info' AND " + AT.format(a="b") + " LIMIT 1) b ON true "
        "ORDER BY p.uscc, p.subject, p.fingerprint"
    ).format(sql.SQL(" AND ").join(where))
    rows = conn.execute(query, params, prepare=False).fetchall()  # custom plans: ranges vary a lot
    more = len(rows) > limit
    rows = rows[:limit]
    out = []
    for uscc, subject, _, start, end, body, name, dist in rows:
        b = orjson.loads(body)
        out.append(
            {
                "uscc": uscc,
                "name": name,
                "district_code": dist,
                "subject": subject,
                "from": _iso(start),
                "until": _iso(end),
                "rules": b.get("rules", []),
                "records": b.get("records", []),
                **({"data": b["data"]} if "data" in b else {}),
            }
        )
    next_cursor = encode_cursor((rows[-1][0], rows[-1][1], rows[-1][2])) if more and rows else None
    return {
        "list": list_name,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "members": out,
        "next_cursor": next_cursor,
    }


def changes(
    conn: Any, list_name: str, start: date, end: date, known_at: datetime, limit: int = 10_000
) -> dict[str, Any]:
    """Who joined (interval starts) and left (interval ends) on a day in (start, end]."""
    rows = conn.execute(
        "SELECT c.change, c.on_day, i.uscc, i.subject, i.body::text FROM projection_items i, "
        "LATERAL (VALUES ('joined', lower(i.effective)), ('left', upper(i.effective))) AS c(change, on_day) "
        "WHERE i.kind = %(kind)s AND i.recorded @> %(known_at)s::timestamptz "
        "AND i.effective && daterange(%(start)s::date, %(end)s::date, '[]') "
        "AND c.on_day > %(start)s::date AND c.on_day <= %(end)s::date "
        "ORDER BY c.on_day, i.uscc, i.subject, c.change, i.fingerprint LIMIT %(limit)s",
        {"kind": LISTS[list_name], "known_at": known_at, "start": start, "end": end, "limit": limit},
        prepare=False,
    ).fetchall()
    out = []
    for change, on_day, uscc, subject, body in rows:
        b = orjson.loads(body)
        out.append(
            {
                "change": change,
                "on": on_day.isoformat(),
                "uscc": uscc,
                "subject": subject,
                "reason": {"rules": b.get("rules", []), "records": b.get("records", []), "note": b.get("note", "")},
            }
        )
    return {
        "list": list_name,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "known_at": known_at.isoformat(),
        "changes": out,
        "truncated": len(rows) >= limit,
    }


def search(conn: Any, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Enterprises by USCC prefix or part of a name they bear or bore (as the ledger holds now),
    in USCC order. The page of USCCs is chosen in SQL (`LIMIT`), then the matching names of
    those enterprises only are read: a vague query never ships every match to Python."""
    pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        "WITH page AS (SELECT DISTINCT p.uscc FROM projection_items p WHERE " + _SEARCH.format(a="p") + " "
        "ORDER BY p.uscc LIMIT %(limit)s) "
        "SELECT i.uscc, i.name, i.district FROM page JOIN projection_items i ON i.uscc = page.uscc "
        "WHERE " + _SEARCH.format(a="i") + " ORDER BY i.uscc, upper(i.effective) DESC NULLS FIRST",
        {"prefix": pattern.upper() + "%", "part": "%" + pattern + "%", "limit": limit},
    ).fetchall()
    seen: dict[str, dict[str, Any]] = {}
    for uscc, name, district in rows:
        if uscc not in seen:
            seen[uscc] = {"uscc": uscc, "name": name, "district_code": district}
        elif name != seen[uscc]["name"]:
            seen[uscc].setdefault("former_names", []).append(name)
    return list(seen.values())


# basic_info rows held now whose USCC starts with, or whose name contains, the query
_SEARCH = "{a}.name IS NOT NULL AND upper_inf({a}.recorded) AND ({a}.uscc LIKE %(prefix)s OR {a}.name ILIKE %(part)s)"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
