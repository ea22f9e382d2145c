"""A ledger that ran the code of an earlier migration is upgraded in place: `credit-ledger
migrate` applies what came after, and the read model its code projected keeps every answer,
before new records, after them, and after a rebuild.

The earlier ledger is this one as it stood at migration 0008 (before list facets): the same
event store, and the rows its code projected (the rows of today's code, less the facet rows
and the columns 0009 added)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from adapters.config import Settings
from adapters.database import Server, create_database, drop_database, migrate
from api.bootstrap import Runtime
from bench.generate import generate
from projections.public_items import PublicItems
from tests.e2e.conftest import run_cli
from tests.integration.test_projection_parity import submit_in_steps

BEFORE_FACETS = "0008.projection-list-indexes"
ROWS_0008 = "uscc, kind, subject, effective, recorded, fingerprint, district, name, body"
EVENT_STORE: dict[str, tuple[str, str] | None] = dict.fromkeys(
    ("ledger_events", "record_log", "holiday_schedules", "reference_values", "api_tokens")
)


def copy_tables(
    source: Server, target: Server, tables: dict[str, tuple[str, str] | None], *, truncate: bool = False
) -> None:
    """Each table's rows from `source` into `target` (all columns, or those named with a
    condition), in one transaction there, as the ledger writes them: a projector running on
    `target` never sees half of it."""
    with source.connect() as src, target.connect() as dst:
        if truncate:
            dst.execute(f"TRUNCATE {', '.join(tables)}")
        for table, part in tables.items():
            columns, where = part or ("*", "true")
            into_columns = f"({columns})" if part else ""  # both schemas have the table's columns in order
            with src.cursor().copy(f"COPY (SELECT {columns} FROM {table} WHERE {where}) TO STDOUT") as out:
                with dst.cursor().copy(f"COPY {table} {into_columns} FROM STDIN") as into:
                    for block in out:
                        into.write(block)
        dst.commit()


@pytest.fixture
def earlier_ledger(test_server: Server) -> Iterator[Server]:
    """An empty database at migration 0008, dropped afterwards."""
    server = test_server.with_database(f"credit_ledger_upgrade_{os.getpid()}")
    maintenance = test_server.with_database("postgres")
    drop_database(maintenance, server.dbname)
    create_database(maintenance, server.dbname)
    migrate(server, through=BEFORE_FACETS)
    yield server
    drop_database(maintenance, server.dbname)


def test_a_ledger_projected_before_list_facets_upgrades_in_place_and_keeps_its_answers(
    clean_db: Server, client: TestClient, earlier_ledger: Server
) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    records = list(generate(60, 11, profile="demo"))
    cut = len(records) * 2 // 3  # the rest arrives after the upgrade, about the same enterprises
    submit_in_steps(runtime, [records[:cut]])
    runtime.projector.catch_up()

    with clean_db.connect() as conn:
        usccs = [u for (u,) in conn.execute("SELECT DISTINCT uscc FROM record_log ORDER BY 1 LIMIT 12")]
        district = conn.execute(
            "SELECT facet FROM projection_items WHERE kind = 'key_sector_list/district' GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        slot, position = conn.execute("SELECT slot, position FROM projection_state WHERE name = 'items'").fetchone()
    now = datetime.now(UTC).isoformat()
    requests = [
        *[(f"/v1/enterprises/{u}/public-view", {"as_of": "2025-06-30"}) for u in usccs],
        *[(f"/v1/lists/{name}", {"as_of": "2025-06-30"}) for name in ("key-sector", "abnormal", "serious", "exposure")],
        ("/v1/lists/key-sector", {"as_of": "2025-06-30", "district": district}),
        ("/v1/lists/abnormal", {"as_of": "2024-01-31", "sector": "food_production"}),
        ("/v1/lists/key-sector", {"as_of": "2025-06-30", "district": district, "sector": "special_food"}),
        ("/v1/lists/abnormal/changes", {"from": "2020-01-01", "to": "2026-01-01"}),
        ("/v1/enterprises", {"q": "有限"}),  # two characters: the index of pairs (0011, 0012)
        ("/v1/enterprises", {"q": "有限公司"}),
    ]

    def answers(of: TestClient) -> list[bytes]:
        return [of.get(path, params={**params, "known_at": now}).content for path, params in requests]

    expected = answers(client)
    assert any(b'"members":[{' in a for a in expected[len(usccs) :])
    assert all(b'"results":[{' in a for a in expected[-2:])

    # the earlier ledger: the same records, and the rows its code had projected
    copy_tables(clean_db, earlier_ledger, {**EVENT_STORE, f"projection_items_{slot}": (ROWS_0008, "facet IS NULL")})
    with earlier_ledger.connect() as conn:
        conn.execute(
            "SELECT setval('ledger_events_notification_id_seq', (SELECT max(notification_id) FROM ledger_events))"
        )
        conn.execute("UPDATE projection_state SET slot = %s, position = %s WHERE name = 'items'", (slot, position))
        conn.execute(f"CREATE OR REPLACE VIEW projection_items AS SELECT * FROM projection_items_{slot}")
        conn.commit()

    migrated = run_cli(earlier_ledger, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (
        "0009.projection-list-facets, 0010.projection-facet-indexes, "
        "0011.projection-name-pairs, 0012.projection-name-pairs-inlined, 0013.read-model-plugins" in migrated.stdout
    )
    assert "0020.projection-derivation-3" in migrated.stdout
    assert "0040.audit-log, 0041.audit-backfill" in migrated.stdout
    # Its events were stored without leaves; 0041 gave them the very leaves the recorder writes.
    leaves = "SELECT position, notification_id, leaf_hash FROM audit_leaves ORDER BY 1"
    with clean_db.connect() as live, earlier_ledger.connect() as upgraded:
        assert upgraded.execute(leaves).fetchall() == live.execute(leaves).fetchall() != []
    verified = run_cli(earlier_ledger, "verify", "--database")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    from api.main import create_app

    upgraded = create_app(lambda: Runtime.open(Settings(DATABASE_URL=earlier_ledger.conninfo)))
    with TestClient(upgraded, raise_server_exceptions=False) as earlier:
        status = earlier.get("/v1/status").json()["projection"]
        items = status["read_models"]["items"]
        assert (items["derivation"], items["rebuild_needed"], items["lag"]) == (1, True, 0)
        # a read model added by the upgrade (0014) catches up from zero while the others serve
        assert status["read_models"]["department_activity"]["position"] <= status["head"]
        assert answers(earlier) == expected  # the old rows, read by today's code

        # records arriving after the upgrade: today's runner writes its rows beside the old ones
        submit_in_steps(runtime, [records[cut:]])
        runtime.projector.catch_up()
        # the same records, at the same times, and their leaves
        copy_tables(clean_db, earlier_ledger, {**EVENT_STORE, "audit_leaves": None}, truncate=True)
        earlier.app.state.runtime.projector.catch_up()  # type: ignore[attr-defined]
        now = datetime.now(UTC).isoformat()
        expected = answers(client)
        assert answers(earlier) == expected

        rebuilt = run_cli(earlier_ledger, "rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        items = earlier.get("/v1/status").json()["projection"]["read_models"]["items"]
        assert (items["derivation"], items["rebuild_needed"]) == (PublicItems.derivation, False)
        assert answers(earlier) == expected
