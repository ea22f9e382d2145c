"""A ledger made by the previous main's code is served by today's code with the same answers.

The previous main (the commit this code was built on, from git history) creates a ledger as a
user would: `migrate`, `demo` (records and tokens), a reference value, `project`. Its own server
answers a set of questions. Then today's code migrates the same database and serves it: the
answers of the read model it finds (public views, lists, changes, search), the timelines
(asked with a token the old code issued) and the reference value are the same; the status says
the public items need a rebuild (the rules were mended since, issue 18). After `credit-ledger
rebuild` the answers are those of a ledger that today's code builds from the same records, and
some of them differ from the old ones: the mended rules now apply.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.config import PROJECT_ROOT, Settings
from adapters.database import Server, create_database, drop_database, fresh_database
from api.bootstrap import Runtime
from tests.e2e.conftest import run_cli, serving
from tests.e2e.test_upgrade import copy_tables

PREVIOUS_MAIN = "e56690b1182d071ffe4c7d4f5bcd766832cc9fa6"
"""The main this code was built on (landed 2026-11-26). Move it forward when a new main lands."""


def code_of(commit: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The code of `commit`, unpacked from this repository's history."""
    archive = subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", commit], capture_output=True)
    if archive.returncode != 0:
        pytest.fail(
            f"commit {commit} is not in this checkout's history ({archive.stderr.decode().strip()}): "
            "the upgrade test needs a clone with its history (git clone, not a shallow copy or an export)"
        )
    target = tmp_path_factory.mktemp(f"main-{commit[:7]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


@pytest.fixture(scope="module")
def previous_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous main's code, unpacked from this repository's history."""
    return code_of(PREVIOUS_MAIN, tmp_path_factory)


def old_cli(code: Path, server: Server, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The previous main's command line (its packages first on the path, in its own directory)."""
    env = {**os.environ, "DATABASE_URL": server.conninfo, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=code, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"previous main's `{' '.join(args)}` failed: {done.stderr[-2000:]}"
    return done


@pytest.fixture
def previous_ledger(test_server: Server, previous_code: Path) -> Iterator[tuple[Server, str]]:
    """A ledger made by the previous main: its demo records and tokens, a reference value, its read
    model; yields it and the auditor token the old code printed."""
    server = test_server.with_database(f"credit_ledger_previous_{os.getpid()}")
    maintenance = test_server.with_database("postgres")
    drop_database(maintenance, server.dbname)
    create_database(maintenance, server.dbname)
    try:
        old_cli(previous_code, server, "migrate")
        demo = old_cli(previous_code, server, "demo")
        auditor = next(line.split()[-1] for line in demo.stdout.splitlines() if " auditor " in line)
        old_cli(
            previous_code,
            server,
            "reference",
            "set",
            "lower_fine_threshold_organisation",
            "30000",
            "--from",
            "2024-01-01",
            "--source",
            "upgrade test: a value an administrator set under the previous main",
        )
        old_cli(previous_code, server, "project", "--once")
        yield server, auditor
    finally:
        drop_database(maintenance, server.dbname)


def questions(server: Server) -> list[tuple[str, dict[str, Any]]]:
    with server.connect() as conn:
        usccs = [u for (u,) in conn.execute("SELECT DISTINCT uscc FROM record_log ORDER BY 1 LIMIT 15")]
    asked: list[tuple[str, dict[str, Any]]] = []
    for uscc in usccs:
        for as_of in ("2022-06-30", "2024-06-30", "2026-06-30"):
            asked.append((f"/v1/enterprises/{uscc}/public-view", {"as_of": as_of}))
    for name in ("key-sector", "abnormal", "serious", "exposure"):
        for as_of in ("2022-06-30", "2025-06-30"):
            asked.append((f"/v1/lists/{name}", {"as_of": as_of, "limit": 100}))
        asked.append((f"/v1/lists/{name}/changes", {"from": "2019-01-01", "to": "2026-11-30"}))
    asked.append(("/v1/enterprises", {"q": "天津"}))
    asked.append(("/v1/enterprises", {"q": "有限公司"}))
    return asked


def answers(base: str, asked: list[tuple[str, dict[str, Any]]], known_at: str) -> list[Any]:
    out = []
    for path, params in asked:
        response = httpx.get(base + path, params={**params, "known_at": known_at}, timeout=30)
        assert response.status_code == 200, (path, response.text)
        out.append(response.json())
    return out


def as_before(new: Any, old: Any) -> Any:
    """`new` restricted to the members `old` has: sections added since (empty on old data) aside."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: as_before(new[k], v) for k, v in old.items() if k in new}
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [as_before(n, o) for n, o in zip(new, old, strict=True)]
    return new


@pytest.mark.slow
def test_a_ledger_of_the_previous_main_is_served_by_this_code_with_the_same_answers_and_rebuilt_with_the_mended_rules(
    test_server: Server, previous_code: Path, previous_ledger: tuple[Server, str]
) -> None:
    server, auditor = previous_ledger
    asked = questions(server)
    known_at = datetime.now(UTC).isoformat()
    with server.connect() as conn:
        usccs = [u for (u,) in conn.execute("SELECT DISTINCT uscc FROM record_log ORDER BY 1 LIMIT 5")]
    timelines = [f"/v1/enterprises/{u}/timeline" for u in usccs]
    headers = {"Authorization": f"Bearer {auditor}"}

    with serving(server, code=previous_code, CREDIT_LEDGER_PROJECTOR="0") as base:
        before = answers(base, asked, known_at)
        old_timelines = [httpx.get(base + t, headers=headers, timeout=30).json() for t in timelines]
    assert sum(bool(a.get("members") or a.get("changes") or a.get("results")) for a in before) >= 8

    migrated = run_cli(server, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "0013.read-model-plugins" in migrated.stdout and "0041.audit-backfill" in migrated.stdout

    with serving(server, "--workers", "1") as base:
        status = httpx.get(base + "/v1/status", timeout=30).json()["projection"]["read_models"]
        assert status["items"]["rebuild_needed"] is True and status["items"]["lag"] == 0
        served = answers(base, asked, known_at)
        assert [as_before(n, o) for n, o in zip(served, before, strict=True)] == before
        for path, old in zip(timelines, old_timelines, strict=True):
            response = httpx.get(base + path, headers=headers, timeout=30)  # the old code's token
            assert response.status_code == 200 and as_before(response.json(), old) == old
        rules = httpx.get(base + "/v1/rules", timeout=30).json()["rules"]
        pen_10 = next(r for r in rules if r["id"] == "PEN-10")
        assert "30000" in str(pen_10["versions"]), pen_10  # the reference value set under the old code

        rebuilt = run_cli(server, "rebuild")
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        status = httpx.get(base + "/v1/status", timeout=30).json()["projection"]["read_models"]
        assert not any(model["rebuild_needed"] for model in status.values())
        now = datetime.now(UTC).isoformat()
        after = answers(base, asked, now)

    # The same stored records (some of which today's intake would refuse: stored history lives
    # on) projected from zero by today's code in a ledger of its own: the rebuilt answers.
    fresh = fresh_database(test_server.conninfo, f"credit_ledger_fresh_{os.getpid()}")
    try:
        copy_tables(server, fresh, dict.fromkeys(("ledger_events", "record_log", "reference_values")))
        with fresh.connect() as conn:
            conn.execute(
                "SELECT setval('ledger_events_notification_id_seq', (SELECT max(notification_id) FROM ledger_events))"
            )
            conn.commit()
        runtime = Runtime.open(Settings(DATABASE_URL=fresh.conninfo, CREDIT_LEDGER_PROJECTOR="0"))
        try:
            runtime.projector.catch_up()
        finally:
            runtime.close()
        with serving(fresh, "--workers", "1") as base:
            expected = answers(base, asked, datetime.now(UTC).isoformat())
    finally:
        drop_database(test_server.with_database("postgres"), fresh.dbname)
    assert strip_moments(after) == strip_moments(expected)
    changed = sum(as_before(n, o) != o for n, o in zip(after, before, strict=True))
    assert changed > 0, "the mended rules (issue 18) change some answers once the read model is rebuilt"


def strip_moments(found: list[Any]) -> list[Any]:
    """The answers without the moment they were asked at (`known_at`)."""
    return [{k: v for k, v in a.items() if k != "known_at"} if isinstance(a, dict) else a for a in found]
