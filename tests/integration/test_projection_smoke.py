from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import psycopg
from psycopg import sql

from api.bootstrap import Runtime
from domain.access import Author
from domain.records import DATA_MODELS
from projections import public_items, view
from projections.enterprise_model import lock_free_state
from projections.public_items import PublicItems, Shown
from tests.builders import make_uscc, penalty_decided, permit_granted, registered

EVERYTHING = frozenset(DATA_MODELS)


def _numbered(statement: str) -> str:
    """A three-parameter psycopg statement with PostgreSQL's $1..$3, to PREPARE by hand."""
    return statement.replace("%s", "$1", 1).replace("%s", "$2", 1).replace("%s", "$3")


def _author(dept: str) -> Author:
    return Author(dept, "officer-1", EVERYTHING)


def test_a_registered_enterprise_with_a_penalty_shows_the_same_view_from_the_read_model_and_by_replay(
    runtime: Runtime,
) -> None:
    uscc = make_uscc(901)
    out = runtime.intake.submit([registered(uscc), permit_granted(uscc)], author=_author("TJ-LIC"))
    assert all(o.status == "recorded" for o in out), out
    out = runtime.intake.submit([penalty_decided(uscc, data={"fine_yuan": "80000.00"})], author=_author("TJ-ENF"))
    assert all(o.status == "recorded" for o in out), out
    runtime.projector.catch_up()
    now = datetime.now(UTC)
    with runtime.server.connect() as conn:
        stored = view.from_read_model(conn, uscc, date(2024, 6, 1), now)
    replayed = view.from_replay(uscc, runtime.reads.history(uscc, now), date(2024, 6, 1), now, runtime.rules)
    assert stored == replayed
    assert len(stored["administrative_penalties"]) == 1
    assert stored["key_sector_tags"][0]["subject"] == "food_production"
    assert "legal_representative" not in stored["basic"]


def test_the_public_view_query_is_prepared_and_its_generic_plan_finds_the_enterprise_by_its_index(
    runtime: Runtime,
) -> None:
    """psycopg prepares the query after 5 executions. A generic plan knows no dates: before
    migration 0008 it ANDed the list GiST index over the whole table into the enterprise's rows
    (50-150 ms instead of 0.3 ms at a million records); the list indexes are partial now."""
    uscc = make_uscc(902)
    runtime.intake.submit([registered(uscc)], author=_author("TJ-LIC"))
    runtime.projector.catch_up()
    with runtime.server.connect() as conn:
        for _ in range(10):
            assert view.from_read_model(conn, uscc, date(2024, 6, 1), datetime.now(UTC))["basic"] is not None
        prepared = [s for (s,) in conn.execute("SELECT statement FROM pg_prepared_statements")]
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute("SET enable_seqscan = off")  # a near-empty table: an index plan, not a scan
        conn.execute("PREPARE items_at AS " + _numbered(public_items.ITEMS_AT))
        plan = "\n".join(
            r[0] for r in conn.execute(sql.SQL("EXPLAIN EXECUTE items_at({}, now(), '2024-06-01')").format(uscc))
        )
    assert [s for s in prepared if "projection_items" in s]
    assert "_by_enterprise" in plan and "_list" not in plan, plan


def test_a_batch_of_public_view_lookups_finds_for_each_key_what_a_single_lookup_finds(runtime: Runtime) -> None:
    """The HTTP server's batched lookups (public_items.ITEMS_AT_MANY) against `items_at`, key by key:
    several enterprises, dates before and after their records, an unknown USCC, a repeated key,
    and a `known_at` before anything was recorded."""
    known = [make_uscc(903), make_uscc(904)]
    runtime.intake.submit([registered(u) for u in known] + [permit_granted(known[0])], author=_author("TJ-LIC"))
    runtime.intake.submit([penalty_decided(known[1], data={"fine_yuan": "80000.00"})], author=_author("TJ-ENF"))
    runtime.projector.catch_up()
    now, long_ago = datetime.now(UTC), datetime(2000, 1, 1, tzinfo=UTC)
    keys = [
        (uscc, day, moment)
        for uscc in [*known, make_uscc(905), known[0]]
        for day in (date(2019, 1, 1), date(2024, 6, 1), date(2030, 1, 1))
        for moment in (now, long_ago)
    ]

    async def batched() -> list[list[Shown] | None]:
        async with await psycopg.AsyncConnection.connect(runtime.server.conninfo, autocommit=True) as conn:
            return await public_items.items_at_many_async(conn, keys)

    def in_order(found: list[Shown] | None) -> list[Shown] | None:  # neither query orders rows: the view sorts
        return None if found is None else sorted(found, key=Shown.sort_key)

    with runtime.server.connect() as conn:
        single = [in_order(public_items.items_at(conn, u, d, m)) for u, d, m in keys]
    assert [in_order(found) for found in asyncio.run(batched())] == single
    assert sum(s is not None for s in single) == 3 * 3  # the two known enterprises (one twice), as of now
    assert any(s and len(s) > 2 for s in single)


def test_the_batched_lookup_finds_each_enterprise_by_its_index_in_a_generic_plan(runtime: Runtime) -> None:
    """At scale each key must be an index probe (a nested loop), never a join over the whole
    table. On a handful of rows a hash join over them is cheaper and PostgreSQL rightly picks
    it, so the enterprise's rows are copied for 20,000 others first (then analysed)."""
    uscc = make_uscc(906)
    runtime.intake.submit([registered(uscc)], author=_author("TJ-LIC"))
    runtime.projector.catch_up()
    with runtime.server.connect() as conn:
        slot = PublicItems().slot_table(lock_free_state(conn, public_items.NAME).slot)
        conn.execute(
            sql.SQL(
                "INSERT INTO {} SELECT 'X' || lpad(n::text, 17, '0'), kind, subject, effective, recorded, "
                "fingerprint, district, name, body, facet, member, derivation FROM {}, generate_series(1, 20000) AS n WHERE uscc = %s"
            ).format(slot, slot),
            (uscc,),
        )
        conn.execute(sql.SQL("ANALYZE {}").format(slot))
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute("PREPARE items_at_many AS " + _numbered(public_items.ITEMS_AT_MANY))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                sql.SQL("EXPLAIN EXECUTE items_at_many(ARRAY[{}], ARRAY[now()], ARRAY[DATE '2024-06-01'])").format(uscc)
            )
        )
    assert "Nested Loop" in plan and "_by_enterprise" in plan and "_list" not in plan, plan
