"""The public items read model: what the public view and the lists are read from.

Every dated item of `projections.items.items_of` (rule intervals, basic information, permits,
inspections, commitments, list facets), stored bitemporally in `projection_items` (migrations
0004–0012; docs/projections.md). Rows of basic information carry the name and district (search,
list member names); facet rows carry the facet's value and the list row they split (`member`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from psycopg import AsyncConnection, Connection

from domain.context import RuleContext
from domain.history import AnyFact
from projections.bitemporal import Item
from projections.enterprise_model import EnterpriseModel
from projections.items import items_of

NAME = "items"
TABLE = "projection_items"
FACETED = 2
"""The first derivation with list facets (migration 0009); 1 had list rows alone."""
LEGAL_FIDELITY = 3
"""Issue 18 mended what the rules derive (thresholds, combinations, restrictions, provisional
marks before 2021-09-01, the 2014 list on the serious list, district successors, ...): rows of
derivation 2 hold the old answers until a rebuild (migration 0020 starts an empty ledger at 3)."""


class PublicItems(EnterpriseModel):
    name = NAME
    title = "public view and list items (GSXT sections, key-sector, abnormal, serious lists, exposure board)"
    derivation = LEGAL_FIDELITY
    table = TABLE
    extra_columns = ("district", "name", "facet", "member", "derivation")
    index_statements = "projection_index_statements"
    drop_indexes = "projection_drop_indexes"

    def derive(self, history: Sequence[AnyFact], ctx: RuleContext) -> list[Item]:
        return items_of(history, ctx)

    def extras(self, item: Item) -> tuple[Any, ...]:
        name = district = facet = member = None
        if item.kind == "basic_info":
            body = orjson.loads(item.body)
            name, district = body.get("name"), body.get("district_code")
        elif "/" in item.kind:  # a list row's facet (items.facets)
            body = orjson.loads(item.body)
            facet, member = body["facet"], body["member"]
        # `derivation` has no default (0009): code from before facets cannot write rows.
        return district, name, facet, member, self.derivation


@dataclass(frozen=True)
class Shown:
    """An item as a reader gets it: its body parsed once, from the row or from a replay."""

    kind: str
    subject: str
    start: date | None
    end: date | None
    fingerprint: str
    body: dict[str, Any]

    @classmethod
    def of(cls, item: Item) -> Shown:
        return cls(item.kind, item.subject, item.start, item.end, item.fingerprint, orjson.loads(item.body))

    def sort_key(self) -> tuple[str, str, date, date, str]:
        return (self.kind, self.subject, self.start or date.min, self.end or date.max, self.fingerprint)


def derivation(conn: Connection[Any]) -> int:
    row = conn.execute("SELECT derivation FROM projection_state WHERE name = %s", (NAME,)).fetchone()
    assert row is not None, "projection_state has no items row: migrations not applied?"
    return int(row[0])


ITEMS_AT = (
    "SELECT kind, subject, lower(effective), upper(effective), fingerprint, body::text FROM projection_items "
    "WHERE uscc = %s AND recorded @> %s::timestamptz AND effective @> %s::date"
)
# psycopg prepares ITEMS_AT after a few executions on a connection: its generic plan, which
# does not know the dates, can only find the enterprise's rows by the (uscc, kind) btree, since
# the list indexes are partial (migration 0008). Before 0008 it ANDed the list GiST index over
# the whole table into them: 50-150 ms instead of 0.3 ms at a million records.


def items_at(conn: Connection[Any], uscc: str, as_of: date, known_at: datetime) -> list[Shown] | None:
    """The enterprise's items valid on `as_of` as held at `known_at`; None if unknown then."""
    return _shown(conn.execute(ITEMS_AT, (uscc, known_at, as_of)).fetchall())


ITEMS_AT_MANY = (
    "SELECT q.n, i.kind, i.subject, lower(i.effective), upper(i.effective), i.fingerprint, i.body::text "
    "FROM unnest(%s::text[], %s::timestamptz[], %s::date[]) WITH ORDINALITY AS q(uscc, known_at, as_of, n) "
    "JOIN projection_items i ON i.uscc = q.uscc AND i.recorded @> q.known_at AND i.effective @> q.as_of"
)
# ITEMS_AT for several keys in one statement (the HTTP server's public views, batched by
# `api.batching`): a nested loop of (uscc, kind) index lookups, each row numbered by its key.


async def items_at_many_async(
    conn: AsyncConnection[Any], lookups: Sequence[tuple[str, date, datetime]]
) -> list[list[Shown] | None]:
    """`items_at` of each (uscc, as_of, known_at), in one statement on an asyncio connection."""
    if not lookups:
        return []
    usccs, days, moments = zip(*lookups, strict=True)
    cursor = await conn.execute(ITEMS_AT_MANY, (list(usccs), list(moments), list(days)))
    rows: list[list[tuple[Any, ...]]] = [[] for _ in lookups]
    for row in await cursor.fetchall():
        rows[row[0] - 1].append(row[1:])
    return [_shown(r) for r in rows]


def _shown(rows: Sequence[tuple[Any, ...]]) -> list[Shown] | None:
    if not rows:
        return None  # not even the `known` row: the enterprise was unknown then
    return [Shown(k, s, lo, hi, fp, orjson.loads(b)) for k, s, lo, hi, fp, b in rows if k != "known"]
