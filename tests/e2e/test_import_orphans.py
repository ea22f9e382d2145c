"""No import worker outlives its parent (issue 25, part 4).

`credit-ledger import --workers 2` is SIGKILLed mid-import; within a few seconds none of the
processes it started (its workers, multiprocessing's resource tracker) is left, nor any
PostgreSQL connection of the import (its `application_name`), and nothing is committed after.
Run again, the import completes the file with every line recorded exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from adapters.database import Server
from tests.builders import make_uscc, record, registered
from tests.e2e.conftest import cli_env, run_cli

DEPARTMENT = "TJ-D120116"
ENTERPRISES = 1500
INSPECTIONS = 3


def _file(tmp_path: Path) -> tuple[Path, int]:
    lines = []
    for n in range(ENTERPRISES):
        uscc = make_uscc(250_000 + n)
        lines.append(registered(uscc, department=DEPARTMENT, record_id=f"REG-{n}"))
        for k in range(INSPECTIONS):
            data = {
                "task_id": f"T-{n}-{k}",
                "item": "食品生产日常检查",
                "kind": "key_supervision",
                "result": "compliant",
            }
            lines.append(
                record("inspection.concluded", uscc, "2024-05-10", data, department=DEPARTMENT, record_id=f"I-{n}-{k}")
            )
    path = tmp_path / "orphans.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path, len(lines)


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed process re-parented to a PID 1 that does not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _count(server: Server, sql: str, *args: object) -> int:
    with server.connect(autocommit=True) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def test_import_workers_die_with_their_parent_and_a_rerun_completes_the_file_once(
    clean_db: Server, tmp_path: Path
) -> None:
    path, lines = _file(tmp_path)
    parent = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "import", str(path), "--department", DEPARTMENT, "--workers", "2"]
        + ["--batch", "50"],
        env={k: v for k, v in cli_env(clean_db).items() if k != "PGAPPNAME"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    application_name = f"credit-ledger import {parent.pid}"
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while _count(clean_db, "SELECT count(*) FROM record_log") < 200:  # the workers are committing
            assert parent.poll() is None and time.monotonic() < deadline, "the import ended before it was killed"
            children |= _children(parent.pid)
            time.sleep(0.05)
        children |= _children(parent.pid)
        assert _count(clean_db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", application_name)
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    assert len(children) >= 3  # two workers and the resource tracker

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (
        any(_running(pid) for pid in children)
        or _count(clean_db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", application_name)
    ):
        time.sleep(0.1)
    assert [pid for pid in children if _running(pid)] == []
    assert _count(clean_db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", application_name) == 0
    stopped_at = _count(clean_db, "SELECT count(*) FROM record_log")
    time.sleep(1)
    assert _count(clean_db, "SELECT count(*) FROM record_log") == stopped_at < lines  # nothing committed after

    again = run_cli(clean_db, "import", str(path), "--department", DEPARTMENT, "--workers", "2", "--batch", "50")
    assert again.returncode == 0, again.stderr
    assert f"recorded={lines - stopped_at} duplicate={stopped_at} rejected=0" in again.stdout
    assert _count(clean_db, "SELECT count(*) FROM record_log") == lines
    assert _count(clean_db, "SELECT count(DISTINCT (department, record_id)) FROM record_log") == lines
