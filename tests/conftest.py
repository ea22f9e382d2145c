"""Test fixtures: a real PostgreSQL, never a mock.

`DATABASE_URL` set: tests use a fresh database `credit_ledger_test` on that server.
Unset: an embedded PostgreSQL in `var/test-pg` (started once, reused across runs).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from adapters.config import PROJECT_ROOT, Settings
from adapters.database import Server, drop_database, fresh_database, start_embedded
from adapters.tokens import TokenStore
from api.bootstrap import Runtime
from domain.access import WRITABLE, Author, Role
from domain.signed_note import SignerKey
from projections.registry import read_models

# Checkpoints are signed with a key of the run's own (docs/audit.md), never one under var/; set
# here so that every process the tests start (the command line, servers) signs with it too.
if "CREDIT_LEDGER_SIGNING_KEY" not in os.environ:
    _key_file = Path(tempfile.mkdtemp(prefix="credit-ledger-test-key-")) / "signing-key"
    _key_file.write_text(SignerKey.generate("test.credit-ledger/log").encode() + "\n", encoding="utf-8")
    os.environ["CREDIT_LEDGER_SIGNING_KEY"] = str(_key_file)
# One database per test run, so that parallel runs on one server never meet.
TEST_DATABASE = f"credit_ledger_test_{os.getpid()}"
LEDGER_TABLES = (
    "ledger_events",
    "record_log",
    "holiday_schedules",
    "reference_values",
    "api_tokens",
    "projection_items_a",
    "projection_items_b",  # read models (issue 4); their position is reset below
    "projection_failures",
    "department_activity",
    "audit_leaves",  # the audit log (issue 22)
    "audit_checkpoints",
    "audit_nodes",
    "risk_models",  # risk classes (issue 19)
    "risk_run_log",
    "risk_reports",
    "risk_runs",
    "risk_run_classes",
    "risk_rescores",
    "repair_cases_a",  # repair cases (issue 21)
    "repair_cases_b",
    "inspection_items",  # random draws (issue 20)
    "inspectors",
    "key_supervision_plans",
)


def _server_url() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(PROJECT_ROOT / "var" / "test-pg")


@pytest.fixture(scope="session")
def test_server() -> Iterator[Server]:
    """A freshly created, migrated test database, dropped at the end of the run."""
    server = fresh_database(_server_url(), TEST_DATABASE)
    yield server
    drop_database(server.with_database("postgres"), TEST_DATABASE)


@pytest.fixture
def clean_db(test_server: Server) -> Server:
    tables = ", ".join(LEDGER_TABLES)
    with test_server.connect(autocommit=True) as conn:
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY")
        reset_read_models(conn)
    return test_server


def reset_read_models(conn: psycopg.Connection[Any]) -> None:
    """Every read model at position 0 and at the derivation of this code, as a new ledger has them."""
    for model in read_models():
        conn.execute(
            "UPDATE projection_state SET position = 0, derivation = %s WHERE name = %s", (model.derivation, model.name)
        )


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


def officer(department: str, operator: str = "officer-1") -> Author:
    """The author of records written in-process as an officer of `department` (what a token gives)."""
    return Author(department, operator, WRITABLE[Role.officer])


@pytest.fixture
def tokens(clean_db: Server) -> TokenStore:
    from psycopg.rows import dict_row

    return TokenStore(lambda: clean_db.connect(row_factory=dict_row))


@pytest.fixture
def auth(tokens: TokenStore) -> Callable[..., dict[str, str]]:
    """`auth("TJ-ENF")`: headers with an officer token of TJ-ENF; `auth("TJ-X", "auditor")` another role.
    One token per (department, role) per test."""
    issued: dict[tuple[str, str], str] = {}

    def headers(department: str, role: str = "officer") -> dict[str, str]:
        if (department, role) not in issued:
            issued[(department, role)] = tokens.create(department, role, label=f"{role}-{department}")[1]
        return {"Authorization": f"Bearer {issued[(department, role)]}"}

    return headers
