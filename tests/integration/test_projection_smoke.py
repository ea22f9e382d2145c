from __future__ import annotations

from datetime import UTC, date, datetime

from psycopg import sql

from domain.records import DATA_MODELS
from ledger.intake import Author
from ledger.runtime import Runtime
from projections import store, view
from tests.builders import make_uscc, penalty_decided, permit_granted, registered

EVERYTHING = frozenset(DATA_MODELS)


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
    cal, ref = view.rule_context(runtime)
    with runtime.server.connect() as conn:
        stored = view.from_read_model(conn, uscc, date(2024, 6, 1), now)
    replayed = view.from_replay(runtime.reads, uscc, date(2024, 6, 1), now, cal, ref)
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
        conn.execute(
            "PREPARE items_at AS " + store.ITEMS_AT.replace("%s", "$1", 1).replace("%s", "$2", 1).replace("%s", "$3")
        )
        plan = "\n".join(
            r[0] for r in conn.execute(sql.SQL("EXPLAIN EXECUTE items_at({}, now(), '2024-06-01')").format(uscc))
        )
    assert [s for s in prepared if "projection_items" in s]
    assert "_by_enterprise" in plan and "_list" not in plan, plan
