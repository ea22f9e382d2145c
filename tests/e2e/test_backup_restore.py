"""Backup and restore (issue 25, part 6): `credit-ledger backup --out DIR` of the demo ledger
(every kind of record, risk runs, draws, repair cases, the feed), `credit-ledger restore DIR`
into an empty database, and the restored ledger answers every public view, list and timeline
as the original does, and passes `verify --database`. Refusals change nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.config import Settings
from adapters.database import Server, create_database, drop_database
from adapters.tokens import TokenStore
from api.bootstrap import Runtime
from tests.e2e.conftest import run_cli

LISTS = ("key-sector", "abnormal", "serious", "exposure")


@pytest.fixture
def empty_database(test_server: Server) -> Iterator[Server]:
    server = test_server.with_database(f"credit_ledger_restore_{os.getpid()}")
    maintenance = test_server.with_database("postgres")
    drop_database(maintenance, server.dbname)
    create_database(maintenance, server.dbname)
    yield server
    drop_database(maintenance, server.dbname)


def _answers(server: Server, auditor: str, usccs: list[str], known_at: str) -> list[Any]:
    from api.main import create_app

    app = create_app(lambda: Runtime.open(Settings(DATABASE_URL=server.conninfo)))
    headers = {"Authorization": f"Bearer {auditor}"}
    out: list[Any] = []
    with TestClient(app) as client:
        for uscc in usccs:
            for as_of in ("2023-06-30", "2026-01-15"):
                view = client.get(f"/v1/enterprises/{uscc}/public-view", params={"as_of": as_of, "known_at": known_at})
                out.append((uscc, as_of, view.status_code, view.json()))
            timeline = client.get(f"/v1/enterprises/{uscc}/timeline", params={"known_at": known_at}, headers=headers)
            out.append((uscc, "timeline", timeline.status_code, timeline.json()))
        for name in LISTS:
            page = client.get(f"/v1/lists/{name}", params={"as_of": "2026-01-15", "known_at": known_at, "limit": 100})
            out.append((name, page.status_code, page.json()))
    return out


def test_a_restored_backup_answers_as_the_ledger_did_and_verifies(
    clean_db: Server, empty_database: Server, tokens: TokenStore, tmp_path: Path
) -> None:
    loaded = run_cli(clean_db, "demo", timeout=900)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    projected = run_cli(clean_db, "project", "--once")
    assert projected.returncode == 0, projected.stderr[-2000:]
    with clean_db.connect() as conn:
        usccs = [r[0] for r in conn.execute("SELECT DISTINCT uscc FROM record_log ORDER BY 1")]
    auditor = tokens.create("TJ-CREDIT", "auditor")[1]  # a token is backed up like the rest
    known_at = datetime.now(UTC).isoformat()
    before = _answers(clean_db, auditor, usccs, known_at)
    assert sum(1 for a in before if a[-2] == 200) == len(before) and len(usccs) >= 40

    out = tmp_path / "backup"
    backed_up = run_cli(clean_db, "backup", "--out", str(out))
    assert backed_up.returncode == 0, backed_up.stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "projection_items_a" in manifest["read_models_excluded"]
    assert manifest["head"] > 0 and len(manifest["dump_sha256"]) == 64

    restored = run_cli(empty_database, "restore", str(out), timeout=900)
    assert restored.returncode == 0, restored.stdout + restored.stderr[-3000:]
    assert "verified" in restored.stderr and "switched" in restored.stderr
    verified = run_cli(empty_database, "verify", "--database")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    assert _answers(empty_database, auditor, usccs, known_at) == before


def test_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(
    clean_db: Server, empty_database: Server, tmp_path: Path
) -> None:
    run_cli(clean_db, "migrate")
    out = tmp_path / "backup"
    assert run_cli(clean_db, "backup", "--out", str(out)).returncode == 0
    again = run_cli(clean_db, "backup", "--out", str(out))
    assert again.returncode == 2 and "must be new or empty" in again.stderr

    into_itself = run_cli(clean_db, "restore", str(out))
    assert into_itself.returncode == 2 and "restore needs an empty database" in into_itself.stderr

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "manifest.json").write_bytes((out / "manifest.json").read_bytes())
    dump = bytearray((out / "ledger.dump").read_bytes())
    dump[len(dump) // 2] ^= 0xFF
    (damaged / "ledger.dump").write_bytes(bytes(dump))
    refused = run_cli(empty_database, "restore", str(damaged))
    assert refused.returncode == 2 and "the backup is damaged" in refused.stderr
    with empty_database.connect() as conn:  # nothing was restored
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
