"""Exactly-once under SIGKILL: `credit-ledger project` killed at random points of a large
catch-up, restarted each time, ends with the read models of a clean rebuild."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from domain.access import Author
from tests.e2e.conftest import cli_env, run_cli
from tests.integration.test_projection_parity import ANYONE

ROWS = "SELECT uscc, kind, subject, effective::text, recorded::text, fingerprint, body::text FROM projection_items ORDER BY 1, 2, 3, 4, 5, 6"
DEPARTMENT = "TJ-BULK"


def one_department(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The generator's records under one department (record ids kept unique), so that they can
    be submitted in large batches by one author."""

    def key(dept: str, rid: str) -> str:
        return f"{dept}/{rid}"

    out = []
    for r in records:
        r = {
            **r,
            "source": {
                **r["source"],
                "department": DEPARTMENT,
                "record_id": key(r["source"]["department"], r["source"]["record_id"]),
            },
        }
        if r["type"] in ("record.corrected", "record.retracted"):
            t = r["data"]["target"]
            r["data"] = {
                **r["data"],
                "target": {"department": DEPARTMENT, "record_id": key(t["department"], t["record_id"])},
            }
        out.append(r)
    return out


def _state(server: Server) -> tuple[int, int]:
    with server.connect() as conn:
        position = conn.execute("SELECT min(position) FROM projection_state").fetchone()[0]
        head = conn.execute("SELECT coalesce(max(notification_id), 0) FROM ledger_events").fetchone()[0]
    return int(position), int(head)


@pytest.mark.slow
def test_sigkilling_the_projector_twenty_times_during_catch_up_leaves_no_duplicate_and_no_gap(
    clean_db: Server, runtime: Runtime
) -> None:
    records = one_department(list(generate(600, 21)))
    author = Author(DEPARTMENT, "officer-1", ANYONE)
    for i in range(0, len(records), 8):  # many small commits: a page never splits one
        runtime.intake.submit(records[i : i + 8], author=author)
    rng = random.Random(4)
    kills, positions = 0, []
    while kills < 20 and _state(clean_db)[0] < _state(clean_db)[1]:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "project", "--page", "3"],
            env=cli_env(clean_db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started, deadline = _state(clean_db)[0], time.monotonic() + 20
        while _state(clean_db)[0] == started and time.monotonic() < deadline:
            time.sleep(0.02)  # wait until it is applying pages, then kill at a random moment
        time.sleep(rng.uniform(0, 0.25))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        positions.append(_state(clean_db)[0])
    assert kills >= 20
    assert len(set(positions)) > 10, positions  # the kills fell at many different points of the catch-up
    finish = run_cli(clean_db, "project", "--once")
    assert finish.returncode == 0, finish.stderr
    position, head = _state(clean_db)
    assert position == head
    with clean_db.connect() as conn:
        after_kills = conn.execute(ROWS).fetchall()
    for model in runtime.read_models:
        model.rebuild(clean_db.conninfo, runtime.store.mapper, runtime.rules)
    with clean_db.connect() as conn:
        clean = conn.execute(ROWS).fetchall()
    assert len(after_kills) == len(set(after_kills))  # no duplicate
    extra, missing = set(after_kills) - set(clean), set(clean) - set(after_kills)
    assert not extra and not missing, "\n".join(
        map(repr, sorted(extra)[:6] + ["---"] + sorted(missing)[:6])
    )  # no gap, nothing extra
    assert after_kills == clean
