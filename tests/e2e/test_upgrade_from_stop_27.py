"""A ledger made by the main of stop 27 (e6e4540: risk classes, the audit log) is served by today's
code with the same answers, and the read models this wave added catch up from zero beside it.

Today's code adds migrations 0050 (the complete horizon), 0060–0061 (draws, key-supervision
plans), 0070 (repair cases) and 0080–0081 (the change feed, its subscriptions). The old ledger,
made as a user would (`migrate`, `demo` with its risk runs, `project`), must answer its public
views, lists, changes, searches, timelines and risk classes as before, with no rebuild needed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from adapters.database import Server, create_database, drop_database
from tests.e2e.conftest import run_cli, serving
from tests.e2e.test_upgrade_from_previous_main import answers, as_before, code_of, old_cli, questions

STOP_27_MAIN = "e6e454058e9cae548b01bf46afcfe8bb1922c638"


@pytest.fixture(scope="module")
def stop_27_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return code_of(STOP_27_MAIN, tmp_path_factory)


@pytest.mark.slow
def test_a_ledger_of_stop_27_is_served_with_the_same_answers_and_the_new_read_models_catch_up(
    test_server: Server, stop_27_code: Path
) -> None:
    server = test_server.with_database("credit_ledger_stop_27")
    maintenance = test_server.with_database("postgres")
    drop_database(maintenance, server.dbname)
    create_database(maintenance, server.dbname)
    try:
        old_cli(stop_27_code, server, "migrate")
        demo = old_cli(stop_27_code, server, "demo", timeout=900)
        auditor = next(line.split()[-1] for line in demo.stdout.splitlines() if " auditor " in line)
        old_cli(stop_27_code, server, "project", "--once")
        asked = questions(server)
        with server.connect() as conn:
            usccs = [u for (u,) in conn.execute("SELECT DISTINCT uscc FROM record_log ORDER BY 1 LIMIT 5")]
        private = [f"/v1/enterprises/{u}/timeline" for u in usccs] + [f"/v1/enterprises/{u}/risk" for u in usccs]
        headers = {"Authorization": f"Bearer {auditor}"}
        known_at = datetime.now(UTC).isoformat()
        with serving(server, code=stop_27_code, CREDIT_LEDGER_PROJECTOR="0") as base:
            before = answers(base, asked, known_at)
            old_private = [
                httpx.get(base + p, headers=headers, params={"known_at": known_at}, timeout=30) for p in private
            ]
        assert sum(bool(a.get("members") or a.get("changes") or a.get("results")) for a in before) >= 8
        assert any(r.status_code == 200 for r in old_private[len(usccs) :]), "the old demo classified enterprises"

        migrated = run_cli(server, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        for added in ("0050.complete-horizon", "0060.draws", "0070.repair-cases", "0080.change-feed"):
            assert added in migrated.stdout

        with serving(server, "--workers", "1") as base:
            for _ in range(120):  # the read models added since catch up from zero while the others serve
                status = httpx.get(base + "/v1/status", timeout=30).json()["projection"]
                if status["lag"] == 0:
                    break
                time.sleep(0.5)
            assert status["lag"] == 0, status
            assert not any(model["rebuild_needed"] for model in status["read_models"].values())
            served = answers(base, asked, known_at)
            assert [as_before(n, o) for n, o in zip(served, before, strict=True)] == before
            for path, old in zip(private, old_private, strict=True):
                # the old code's token, the same moment
                response = httpx.get(base + path, headers=headers, params={"known_at": known_at}, timeout=30)
                assert response.status_code == old.status_code, (path, response.text)
                if old.status_code == 200:
                    assert as_before(response.json(), old.json()) == old.json(), path
    finally:
        drop_database(maintenance, server.dbname)
