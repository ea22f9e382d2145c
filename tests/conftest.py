"""Test fixtures: a real PostgreSQL, never a mock.

`DATABASE_URL` set: tests use a fresh database `credit_ledger_test` on that server.
Unset: an embedded PostgreSQL in `var/test-pg` (started once, reused across runs).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from ledger.config import PROJECT_ROOT, Settings
from ledger.database import Server, create_database, drop_database, migrate, start_embedded
from ledger.runtime import Runtime

# One database per test run, so that parallel runs on one server never meet.
TEST_DATABASE = f"credit_ledger_test_{os.getpid()}"
LEDGER_TABLES = ("ledger_events", "record_log", "holiday_schedules", "reference_values")


def _server_url() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(PROJECT_ROOT / "var" / "test-pg")


@pytest.fixture(scope="session")
def test_server() -> Iterator[Server]:
    """A freshly created, migrated test database, dropped at the end of the run."""
    params = {k: v for k, v in psycopg.conninfo.conninfo_to_dict(_server_url()).items() if v not in (None, "")}
    params.setdefault("user", "postgres")
    maintenance = Server({**params, "dbname": "postgres"})
    drop_database(maintenance, TEST_DATABASE)
    create_database(maintenance, TEST_DATABASE)
    server = maintenance.with_database(TEST_DATABASE)
    migrate(server)
    yield server
    drop_database(maintenance, TEST_DATABASE)


@pytest.fixture
def clean_db(test_server: Server) -> Server:
    tables = ", ".join(LEDGER_TABLES)
    with test_server.connect(autocommit=True) as conn:
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY")
    return test_server


@pytest.fixture
def settings(clean_db: Server) -> Settings:
    return Settings(DATABASE_URL=clean_db.conninfo)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime.open(settings)
    yield rt
    rt.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from api.main import create_app

    app = create_app(lambda: Runtime.open(settings))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
