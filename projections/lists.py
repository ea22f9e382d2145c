"""List membership, list changes and name search, read from the interval read model."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

import orjson

from domain.errors import BadCursorError
from projections import public_items
from projections.items import LIST_KINDS

# The API's list names, in the order of the list kinds that `items.facets` splits.
LISTS = dict(zip(("key-sector", "abnormal", "serious", "exposure"), LIST_KINDS, strict=True))
AT = "{a}.recorded @> %(known_at)s::timestamptz AND {a}.effective @> %(as_of)s::date"


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


WINDOW = 30_000
"""A page is first sought among this many list rows in USCC order (btree, index only)."""
SPARSE = 4_000
"""When the window holds less than a page, an answer of at most this many members (before the
sector, district and cursor conditions) is found by its dates in the GiST index and sorted;
a larger one is walked in USCC order to its end. WINDOW x SPARSE / limit is the list size up to
which the walk to the end is never needed for evenly spread members: 1.2 million rows for pages
of 100, twice the abnormal list at the design point (docs/performance.md, "Lists at scale")."""


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
    rows, facet, narrow, probes = _source(kind, sector=sector, district=district, facets=facets_ready(conn))
    params: dict[str, Any] = {
        "kind": kind,
        "rows": rows,
        "facet": facet,
        "as_of": as_of,
        "known_at": known_at,
        "limit": limit + 1,
        # A condition on the enterprise's other rows costs an index probe per row: a window of
        # such probes that falls short would cost more than it saves, so those start from the hits.
        "window": 0 if probes else WINDOW,
        "sparse": SPARSE,
        "sector": sector,
        "district": district,
    }
    key = "member" if facet is not None else "fingerprint"
    if cursor:
        params["c_uscc"], params["c_subject"], params["c_fp"] = decode_cursor(cursor)
    after = " AND ({a}.uscc, {a}.subject, {a}.{k}) > (%(c_uscc)s, %(c_subject)s, %(c_fp)s)" if cursor else ""
    found = conn.execute(
        _members_query(narrow, after, key=key, faceted=facet is not None),
        params,
        prepare=False,  # custom plans: the partial indexes' predicates and the ranges need the values
    ).fetchall()
    more = len(found) > limit
    found = found[:limit]
    out = []
    for uscc, subject, _, start, end, body, name, dist in found:
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
    next_cursor = encode_cursor((found[-1][0], found[-1][1], found[-1][2])) if more and found else None
    return {
        "list": list_name,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "members": out,
        "next_cursor": next_cursor,
    }


def facets_ready(conn: Any) -> bool:
    """Whether the live read model holds the list facets (migration 0009): rows projected
    before it have none until `credit-ledger rebuild`."""
    return public_items.derivation(conn) >= public_items.FACETED


def _members_query(narrow: str, after: str, *, key: str, faceted: bool) -> str:
    """One statement, three ways to the page, each tried only when the one before fails (lazy
    CTEs and one-time filters):
    head  the first WINDOW rows of the list in USCC order hold a whole page (large answers);
    hits  the answer has at most SPARSE members: the GiST index finds them by their dates;
    walk  otherwise, every row of the list in USCC order until the page is full.
    Then the page's bodies and names. The rows walked are the list's own (`key` fingerprint),
    or with a district or sector condition its facets (`key` member: the list row's)."""
    scope = "{a}.kind = %(rows)s" + (" AND {a}.facet = %(facet)s" if faceted else "")
    order = "{a}.kind, " + ("{a}.facet, " if faceted else "") + "{a}.uscc, {a}.subject, {a}." + key
    return (
        "WITH head AS MATERIALIZED (SELECT s.uscc, s.subject, s.key FROM ("
        f"SELECT i.uscc, i.subject, i.{key} AS key, i.effective, i.recorded FROM projection_items i "
        "WHERE " + scope.format(a="i") + after.format(a="i", k=key) + " "
        "ORDER BY " + order.format(a="i") + " LIMIT %(window)s) s "
        "WHERE " + AT.format(a="s") + narrow.format(a="s") + " "
        "ORDER BY s.uscc, s.subject, s.key LIMIT %(limit)s), "
        f"hits AS MATERIALIZED (SELECT h.uscc, h.subject, h.{key} AS key FROM projection_items h "
        "WHERE " + scope.format(a="h") + " AND " + AT.format(a="h") + " LIMIT %(sparse)s + 1), "
        "way AS MATERIALIZED (SELECT CASE WHEN (SELECT count(*) FROM head) >= %(limit)s THEN 'head' "
        "WHEN (SELECT count(*) FROM hits) <= %(sparse)s THEN 'hits' ELSE 'walk' END AS way), "
        "page AS ("
        "(SELECT * FROM head WHERE (SELECT way FROM way) = 'head') "
        "UNION ALL "
        "(SELECT h.uscc, h.subject, h.key FROM hits h "
        "WHERE (SELECT way FROM way) = 'hits'" + narrow.format(a="h") + after.format(a="h", k="key") + " "
        "ORDER BY h.uscc, h.subject, h.key LIMIT %(limit)s) "
        "UNION ALL "
        f"(SELECT i.uscc, i.subject, i.{key} AS key FROM projection_items i "
        "WHERE (SELECT way FROM way) = 'walk' AND "
        + scope.format(a="i")
        + " AND "
        + AT.format(a="i")
        + narrow.format(a="i")
        + after.format(a="i", k=key)
        + " "
        "ORDER BY " + order.format(a="i") + " LIMIT %(limit)s)) "
        "SELECT p.uscc, p.subject, p.key, lower(r.effective), upper(r.effective), r.body::text, b.name, b.district "
        "FROM page p "
        "JOIN LATERAL (SELECT r.body, r.effective FROM projection_items r WHERE r.kind = %(kind)s "
        "AND r.uscc = p.uscc AND r.subject = p.subject AND r.fingerprint = p.key AND " + AT.format(a="r") + " "
        "LIMIT 1) r ON true "
        "LEFT JOIN LATERAL (SELECT b.name, b.district FROM projection_items b "
        "WHERE b.uscc = p.uscc AND b.kind = 'basic_info' AND " + AT.format(a="b") + " LIMIT 1) b ON true "
        "ORDER BY p.uscc, p.subject, p.key"
    )


def _source(kind: str, *, sector: str | None, district: str | None, facets: bool) -> tuple[str, str | None, str, bool]:
    """Which rows a page walks (the list kind, or one of its facet kinds and the facet's value),
    the conditions left on a candidate row aliased {a}, and whether they probe the enterprise's
    other rows."""
    on_sector = bool(sector) and kind != "key_sector_list"  # the key-sector list's subject is the sector
    facet: str | None
    if facets and district and on_sector:
        rows, facet, probe_district, probe_sector = f"{kind}/district-sector", f"{district}:{sector}", False, False
    elif facets and district:
        rows, facet, probe_district, probe_sector = f"{kind}/district", district, False, False
    elif facets and on_sector:
        rows, facet, probe_district, probe_sector = f"{kind}/sector", sector, False, False
    else:
        rows, facet, probe_district, probe_sector = kind, None, bool(district), on_sector
    where = []
    if sector and kind == "key_sector_list":
        where.append("{a}.subject = %(sector)s")
    if probe_sector:
        where.append(
            "EXISTS (SELECT 1 FROM projection_items k WHERE k.uscc = {a}.uscc AND k.kind = 'key_sector_list' "
            "AND k.subject = %(sector)s AND " + AT.format(a="k") + ")"
        )
    if probe_district:
        where.append(
            "EXISTS (SELECT 1 FROM projection_items b WHERE b.uscc = {a}.uscc AND b.kind = 'basic_info' "
            "AND b.district = %(district)s AND " + AT.format(a="b") + ")"
        )
    return rows, facet, "".join(" AND " + w for w in where), probe_sector or probe_district


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


SEARCH_WINDOW = 5_000
"""A search first reads this many name rows in USCC order (a frequent part fills its page
there); only a rarer part is looked up in the name indexes, whose matches are then few."""


def search(conn: Any, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Enterprises by USCC prefix or part of a name they bear or bore (as the ledger holds now),
    in USCC order. The page of USCCs is chosen in SQL (`LIMIT`), then the matching names of
    those enterprises only are read: a vague query never ships every match to Python.

    One statement, two ways to the page, the second tried only when the first fails:
    head  the first SEARCH_WINDOW name rows in USCC order hold a whole page (a frequent part);
    hits  every match, from the USCC prefix index and a name index (trigrams, or character
          pairs: `_PART_PAIR`), sorted. Without the head, a frequent part would fetch most names
          from the index; without the hits, a rare one would walk every name (seconds at the
          design point)."""
    pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    part = _PART_PAIR if len(q) == 2 or not q.isalnum() else _PART
    rows = conn.execute(
        "WITH head AS MATERIALIZED (SELECT DISTINCT s.uscc FROM (SELECT p.uscc, p.name, p.recorded "
        "FROM projection_items p WHERE p.name IS NOT NULL ORDER BY p.uscc LIMIT %(window)s) s "
        "WHERE " + _SEARCH.format(a="s") + " ORDER BY s.uscc LIMIT %(limit)s), "
        "hits AS MATERIALIZED ((SELECT DISTINCT ON (p.uscc) p.uscc FROM projection_items p WHERE "
        + _PREFIX.format(a="p")
        + " "
        "ORDER BY p.uscc USING ~<~ LIMIT %(limit)s) "
        "UNION (" + part + ")), "
        "page AS ((SELECT uscc FROM head WHERE (SELECT count(*) FROM head) >= %(limit)s) "
        "UNION ALL (SELECT uscc FROM hits WHERE (SELECT count(*) FROM head) < %(limit)s "
        "ORDER BY uscc LIMIT %(limit)s)), "
        # Fenced: the page's enterprises have tens of rows each, but the planner, which takes a
        # frequent part for a rare one (312 names estimated, 97,999 held it), would AND the name
        # index into each enterprise's lookup (20 × 19 ms at the design point).
        "named AS MATERIALIZED (SELECT i.uscc, i.name, i.district, i.effective FROM page "
        "JOIN projection_items i ON i.uscc = page.uscc WHERE " + _HELD.format(a="i") + ") "
        "SELECT n.uscc, n.name, n.district FROM named n WHERE " + _MATCH.format(a="n") + " "
        "ORDER BY n.uscc, upper(n.effective) DESC NULLS FIRST",
        {
            "prefix": pattern.upper() + "%",
            "part": "%" + pattern + "%",
            "q": q,
            "limit": limit,
            "window": SEARCH_WINDOW,
        },
        # Planned for each query's own patterns: a generic plan cannot use the USCC prefix index
        # and scans every name (a search repeated five times on a connection got one: 0.7 → 46
        # ms at 10,000 enterprises).
        prepare=False,
    ).fetchall()
    seen: dict[str, dict[str, Any]] = {}
    for uscc, name, district in rows:
        if uscc not in seen:
            seen[uscc] = {"uscc": uscc, "name": name, "district_code": district}
        elif name != seen[uscc]["name"]:
            seen[uscc].setdefault("former_names", []).append(name)
    return list(seen.values())


# basic_info rows held now ...
_HELD = "{a}.name IS NOT NULL AND upper_inf({a}.recorded)"
# ... whose USCC starts with, or whose name contains, the query
_MATCH = "({a}.uscc LIKE %(prefix)s OR {a}.name ILIKE %(part)s)"
_SEARCH = _HELD + " AND " + _MATCH
# The hits way takes the first USCCs of the prefix in the order of its index (`text_pattern_ops`:
# byte order, that of the C and C.UTF-8 collations and, for the digits and capital letters of
# USCCs, of the usual others), and every name holding the part: from the trigram index, or from
# the index of pairs of characters (migration 0011) for two characters, which have no trigram,
# and for a part with punctuation or a space, where pg_trgm splits words and keeps only the
# frequent trigrams of their edges ('河（天津）': 189,837 candidates for 2,764 names; 595 → 24 ms).
_PREFIX = _HELD + " AND {a}.uscc LIKE %(prefix)s"
_PART = "SELECT p.uscc FROM projection_items p WHERE " + _HELD.format(a="p") + " AND p.name ILIKE %(part)s"
_PAIRS = "name_pairs(p.name) @> name_pairs(%(q)s)"  # the expression of the index (0011, 0012)
# OFFSET 0 keeps the ILIKE out of the inner scan: with both conditions there, the planner would
# take the trigram index, whose estimate of the matches is the lower.
_PART_PAIR = (
    "SELECT c.uscc FROM (SELECT p.uscc, p.name FROM projection_items p WHERE "
    + _HELD.format(a="p")
    + f" AND {_PAIRS} OFFSET 0) c WHERE c.name ILIKE %(part)s"
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
