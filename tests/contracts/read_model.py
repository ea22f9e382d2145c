"""The contract every read model passes, as test cases to subclass (in the manner of the
eventsourcing library's recorder test cases, `eventsourcing.tests.persistence`).

A subclass names its model (`model_name`) and says how the model answers a question
(`read`), how the same answer is derived by a direct replay of the events without any read
model (`replay`), and which questions to ask (`questions`). The contract then checks:

1. incremental projection, in pages of random sizes after commits of random sizes, agrees with
   the replay for random questions at random moments (`as_of`, `known_at`);
2. a rebuild from zero gives exactly the rows of incremental projection;
3. exactly once across SIGKILLs: `credit-ledger project` killed at random points of a catch-up
   and restarted, repeatedly, ends with exactly the rows of a clean rebuild (no gap, nothing twice).
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

import psycopg
import pytest

from adapters.config import Settings
from adapters.database import Server, drop_database, fresh_database
from api.bootstrap import Runtime
from bench.generate import generate
from domain.access import EVERY_TYPE, Author
from projections.readmodel import ReadModel
from tests.e2e.conftest import cli_env, run_cli
from tests.integration.test_projection_parity import submit_in_steps

Question = tuple[Any, ...]
KILL_DEPARTMENT = "TJ-BULK"


class ReadModelContract:
    model_name: ClassVar[str]

    def read(self, conn: psycopg.Connection[Any], question: Question) -> Any:
        """The model's answer to `question`, from its tables."""
        raise NotImplementedError

    def replay(self, runtime: Runtime, question: Question) -> Any:
        """The same answer from the events alone, through the domain (no read-model table)."""
        raise NotImplementedError

    def questions(
        self, conn: psycopg.Connection[Any], usccs: list[str], moments: list[datetime], rng: random.Random
    ) -> list[Question]:
        """Questions worth asking of this model about these enterprises at these moments."""
        raise NotImplementedError

    # --- the contract ---------------------------------------------------------------------

    def model(self, runtime: Runtime) -> ReadModel:
        (found,) = [m for m in runtime.read_models if m.name == self.model_name]
        return found

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_incremental_projection_in_random_pages_agrees_with_a_replay_at_random_moments(
        self, runtime: Runtime, seed: int
    ) -> None:
        rng = random.Random(seed)
        records = list(generate(rng.randint(3, 8), seed, profile="demo"))
        cuts = sorted(rng.sample(range(1, len(records)), k=min(4, len(records) - 1)))
        recorded = submit_in_steps(runtime, [records[a:b] for a, b in itertools.pairwise([0, *cuts, len(records)])])
        runtime.projector.page = rng.choice([1, 3, 17, 2000])  # page boundaries anywhere
        runtime.projector.catch_up()
        moments = [
            recorded[0] - timedelta(seconds=1),
            *recorded,
            *(a + (b - a) / 2 for a, b in itertools.pairwise(recorded)),
            recorded[-1] + timedelta(days=1),
        ]
        usccs = sorted({r["uscc"] for r in records})
        with runtime.server.connect() as conn:
            questions = self.questions(conn, usccs, moments, rng)
            assert len(questions) >= 10
            answered = 0
            for question in questions:
                expected = self.replay(runtime, question)
                assert self.read(conn, question) == expected, question
                answered += bool(expected)
        assert answered >= len(questions) // 3, "most questions should have an answer that is not empty"

    def test_a_rebuild_from_zero_gives_exactly_the_rows_of_incremental_projection(self, runtime: Runtime) -> None:
        records = list(generate(12, 5, profile="demo"))
        submit_in_steps(runtime, [records[: len(records) // 2], records[len(records) // 2 :]])
        runtime.projector.page = 7
        runtime.projector.catch_up()
        model = self.model(runtime)
        with runtime.server.connect() as conn:
            incremental = model.rows(conn)
        assert incremental, "the records gave the model rows"
        report = model.rebuild(runtime.server.conninfo, runtime.store.mapper, runtime.rules, workers=2)
        assert report.position == runtime.projector.status()["head"]
        with runtime.server.connect() as conn:
            assert model.rows(conn) == incremental

    @pytest.mark.slow
    def test_exactly_once_across_sigkills_of_the_projector(self, killed_ledger: tuple[Server, int]) -> None:
        server, kills = killed_ledger
        assert kills >= 12
        runtime = Runtime.open(Settings(DATABASE_URL=server.conninfo, CREDIT_LEDGER_PROJECTOR="0"))
        try:
            model = self.model(runtime)
            with runtime.server.connect() as conn:
                after_kills = model.rows(conn)
            model.rebuild(server.conninfo, runtime.store.mapper, runtime.rules)
            with runtime.server.connect() as conn:
                clean = model.rows(conn)
        finally:
            runtime.close()
        assert after_kills, "the ledger gave the model rows"
        assert len(after_kills) == len(set(after_kills))  # nothing twice
        extra, missing = set(after_kills) - set(clean), set(clean) - set(after_kills)
        assert not extra and not missing, "\n".join(map(repr, sorted(extra)[:6] + ["---"] + sorted(missing)[:6]))


def _positions(server: Server) -> tuple[int, int]:
    with server.connect() as conn:
        position = conn.execute("SELECT min(position) FROM projection_state").fetchone()
        head = conn.execute("SELECT coalesce(max(notification_id), 0) FROM ledger_events").fetchone()
    assert position is not None and head is not None
    return int(position[0]), int(head[0])


def one_department(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The generator's records under one department (record ids kept unique), so that they can
    be submitted in large batches by one author."""
    out = []
    for r in records:
        source = {
            **r["source"],
            "department": KILL_DEPARTMENT,
            "record_id": f"{r['source']['department']}/{r['source']['record_id']}",
        }
        r = {**r, "source": source}
        if r["type"] in ("record.corrected", "record.retracted"):
            t = r["data"]["target"]
            target = {"department": KILL_DEPARTMENT, "record_id": f"{t['department']}/{t['record_id']}"}
            r["data"] = {**r["data"], "target": target}
        out.append(r)
    return out


@pytest.fixture(scope="session")
def killed_ledger(test_server: Server) -> Iterator[tuple[Server, int]]:
    """A ledger of its own whose projector (`credit-ledger project`, every read model) was
    SIGKILLed at random moments of a catch-up, restarted each time, then run to the head;
    yields it with the number of kills. Shared by every model's contract test."""
    server = fresh_database(test_server.conninfo, f"credit_ledger_kills_{os.getpid()}")
    try:
        runtime = Runtime.open(Settings(DATABASE_URL=server.conninfo, CREDIT_LEDGER_PROJECTOR="0"))
        try:
            records = one_department(list(generate(600, 21)))
            author = Author(KILL_DEPARTMENT, "officer-1", EVERY_TYPE)
            for i in range(0, len(records), 8):  # many small commits: a page never splits one
                runtime.intake.submit(records[i : i + 8], author=author)
        finally:
            runtime.close()
        rng = random.Random(4)
        kills, positions = 0, []
        while kills < 12 and _positions(server)[0] < _positions(server)[1]:
            process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "project", "--page", "3"],
                env=cli_env(server),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started, deadline = _positions(server)[0], time.monotonic() + 20
            while _positions(server)[0] == started and time.monotonic() < deadline:
                time.sleep(0.02)  # wait until it is applying pages, then kill at a random moment
            time.sleep(rng.uniform(0, 0.25))
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            positions.append(_positions(server)[0])
        assert len(set(positions)) > 6, positions  # the kills fell at many different points
        finish = run_cli(server, "project", "--once")
        assert finish.returncode == 0, finish.stderr
        position, head = _positions(server)
        assert position == head
        yield server, kills
    finally:
        drop_database(test_server.with_database("postgres"), server.dbname)
