"""`credit-ledger rebuild` reproduces the read models byte for byte, and readers keep answers."""

from __future__ import annotations

import itertools
import re
import threading
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from projections.public_items import PublicItems
from tests.e2e.conftest import run_cli
from tests.integration.test_projection_parity import submit_in_steps

ROWS = (
    "SELECT uscc, kind, subject, effective::text, recorded::text, fingerprint, district, name, body::text, "
    "facet, member FROM projection_items ORDER BY 1, 2, 3, 4, 5, 6"
)


def _answers(client: TestClient, usccs: list[str], moments: list[str]) -> list[bytes]:
    out = []
    for uscc, known_at, as_of in itertools.product(usccs, moments, ["2021-06-01", "2024-03-01", "2026-11-20"]):
        out.append(
            client.get(f"/v1/enterprises/{uscc}/public-view", params={"as_of": as_of, "known_at": known_at}).content
        )
    for name, as_of in itertools.product(
        ["key-sector", "abnormal", "serious", "exposure"], ["2022-01-01", "2025-06-30"]
    ):
        params: dict[str, Any] = {"as_of": as_of, "known_at": moments[-1], "limit": 7}
        while True:
            page = client.get(f"/v1/lists/{name}", params=params)
            out.append(page.content)
            if not page.json()["next_cursor"]:
                break
            params["cursor"] = page.json()["next_cursor"]
        out.append(
            client.get(
                f"/v1/lists/{name}/changes", params={"from": "2020-01-01", "to": "2026-11-25", "known_at": moments[-1]}
            ).content
        )
    return out


def test_rebuild_reproduces_byte_identical_list_and_public_view_answers(clean_db: Server, client: TestClient) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    records = list(generate(60, 11, profile="demo"))
    steps = [records[i : i + 40] for i in range(0, len(records), 40)]
    recorded = submit_in_steps(runtime, steps)
    runtime.projector.catch_up()
    usccs = sorted({r["uscc"] for r in records})[:12]
    moments = [recorded[len(recorded) // 3].isoformat(), recorded[-1].isoformat()]
    with clean_db.connect() as conn:
        rows_before = conn.execute(ROWS).fetchall()
        slot_before = conn.execute("SELECT slot FROM projection_state WHERE name = 'items'").fetchone()[0]
    before = _answers(client, usccs, moments)

    during: list[bytes] = []
    stop = threading.Event()

    def read_while_rebuilding() -> None:
        probe = {"as_of": "2024-03-01", "known_at": moments[-1]}
        while not stop.is_set():
            during.append(client.get(f"/v1/enterprises/{usccs[0]}/public-view", params=probe).content)

    reader = threading.Thread(target=read_while_rebuilding)
    reader.start()
    try:
        result = run_cli(clean_db, "rebuild")
    finally:
        stop.set()
        reader.join()
    expected = client.get(
        f"/v1/enterprises/{usccs[0]}/public-view", params={"as_of": "2024-03-01", "known_at": moments[-1]}
    ).content
    assert len(during) > 3 and set(during) == {expected}  # readers kept the same answer throughout
    assert result.returncode == 0, result.stderr
    assert re.search(r" derive_s=[\d.]+ vacuum_s=[\d.]+ indexes_s=[\d.]+ switch_s=[\d.]+$", result.stdout, re.M)
    with clean_db.connect() as conn:
        assert conn.execute(ROWS).fetchall() == rows_before
        assert conn.execute("SELECT slot FROM projection_state WHERE name = 'items'").fetchone()[0] != slot_before
    assert _answers(client, usccs, moments) == before
    assert any(b'"administrative_penalties":[{' in a for a in before)


def test_a_read_model_projected_before_list_facets_is_answered_by_probing_until_a_rebuild(
    clean_db: Server, client: TestClient
) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    submit_in_steps(runtime, [list(generate(40, 5, profile="demo"))])
    runtime.projector.catch_up()
    with clean_db.connect() as conn:
        district = conn.execute(
            "SELECT district FROM projection_items WHERE kind = 'key_sector_list/district' GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    pages = [
        ("key-sector", {"district": district}),
        ("abnormal", {"sector": "food_production"}),
        ("key-sector", {"district": district, "sector": "special_food"}),
    ]

    moment = {"as_of": "2025-06-30", "known_at": datetime.now(UTC).isoformat()}

    def answers() -> list[bytes]:
        return [client.get(f"/v1/lists/{name}", params={**moment, **f}).content for name, f in pages]

    before = answers()
    assert b'"members":[{' in before[0]
    assert client.get("/v1/status").json()["projection"]["read_models"]["items"]["rebuild_needed"] is False
    with clean_db.connect() as conn:  # the read model as projected before migration 0009
        conn.execute("DELETE FROM projection_items WHERE facet IS NOT NULL")
        conn.execute("UPDATE projection_state SET derivation = 1 WHERE name = 'items'")
        conn.commit()
    status = client.get("/v1/status").json()["projection"]["read_models"]["items"]
    assert status["derivation"] == 1 and status["rebuild_needed"] is True
    assert answers() == before  # probing the enterprises' rows, not the missing facets

    result = run_cli(clean_db, "rebuild")
    assert result.returncode == 0, result.stderr
    status = client.get("/v1/status").json()["projection"]["read_models"]["items"]
    assert status["derivation"] == PublicItems.derivation and status["rebuild_needed"] is False
    with clean_db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM projection_items WHERE facet IS NOT NULL").fetchone()[0] > 0
    assert answers() == before
