"""An answer as known at T never changes (issue 25, part 2; design.md: `known_at=T` shows every
record committed by T).

As an auditor would try it: 4 writers post while 4 readers ask for timelines, public views and
a list with `known_at` = their clock's now; after the load the same questions are asked again,
and every answer must be the same. Before the complete horizon, 5 of 2,310 timeline answers
changed with one server worker and 28 of 1,724 with two: a record stamped 1–3 ms before T
committed after the read."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime
from itertools import count
from typing import Any

import httpx
import pytest

from adapters.database import Server
from adapters.tokens import TokenStore
from tests.builders import make_uscc, record, registered
from tests.e2e.conftest import serving

ENTERPRISES = [make_uscc(7600 + n) for n in range(12)]
LOAD_SECONDS = 6.0
AS_OF = "2025-06-30"


def _writer(base: str, token: str, number: int, stop: threading.Event, written: list[int]) -> None:
    rng, ids = random.Random(number), count()
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            batch = []
            for _ in range(3):
                n = next(ids)
                uscc = rng.choice(ENTERPRISES)
                if n % 7 == 3:  # now and then a listing, so that the list changes under the readers
                    data = {"listing_id": f"AB-W{number}-{n}", "reason": "unreachable"}
                    batch.append(record("abnormal.listed", uscc, "2025-05-06", data, department="TJ-REG"))
                else:
                    data = {
                        "task_id": f"W{number}-{n}",
                        "item": "食品生产",
                        "kind": "double_random",
                        "result": "compliant",
                    }
                    batch.append(record("inspection.concluded", uscc, "2025-04-01", data, department="TJ-REG"))
            answer = client.post("/v1/records", json=batch)
            assert answer.status_code == 200, answer.text
            written.append(answer.json()["summary"]["recorded"])


def _question(rng: random.Random) -> tuple[str, dict[str, Any]]:
    kind = rng.choice(["timeline", "public-view", "list"])
    known_at = datetime.now(UTC).isoformat()
    if kind == "list":
        return "/v1/lists/abnormal", {"as_of": AS_OF, "known_at": known_at, "limit": 100}
    uscc = rng.choice(ENTERPRISES)
    if kind == "timeline":
        return f"/v1/enterprises/{uscc}/timeline", {"known_at": known_at}
    return f"/v1/enterprises/{uscc}/public-view", {"as_of": AS_OF, "known_at": known_at}


def _reader(base: str, token: str, number: int, stop: threading.Event, asked: list[tuple[str, dict, Any]]) -> None:
    rng = random.Random(100 + number)
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            path, params = _question(rng)
            answer = client.get(path, params=params)
            assert answer.status_code == 200, answer.text
            asked.append((path, params, answer.json()))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_answers_as_known_at_a_moment_are_the_same_when_asked_again_after_the_writes(
    clean_db: Server, tokens: TokenStore, workers: str
) -> None:
    licensing = tokens.create("TJ-LIC", "officer")[1]
    registry = tokens.create("TJ-REG", "officer")[1]
    auditor = tokens.create("TJ-CREDIT", "auditor")[1]
    with serving(clean_db, "--workers", workers) as base:
        setup = httpx.post(
            f"{base}/v1/records",
            json=[registered(u) for u in ENTERPRISES],
            headers={"Authorization": f"Bearer {licensing}"},
            timeout=60,
        )
        assert setup.json()["summary"]["recorded"] == len(ENTERPRISES)
        stop, written, asked = threading.Event(), [], []
        threads = [threading.Thread(target=_writer, args=(base, registry, n, stop, written)) for n in range(4)]
        threads += [threading.Thread(target=_reader, args=(base, auditor, n, stop, asked)) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(60)
        changed = []
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {auditor}"}) as client:
            for path, params, first in asked:
                again = client.get(path, params=params)
                if again.json() != first:
                    changed.append((path, params["known_at"]))
    assert sum(written) > 100, "the writers must have written under the readers"
    assert len(asked) > 200
    distinct = {repr(first) for path, _, first in asked if path.endswith("/timeline")}
    assert len(distinct) > 20, "the timelines must have changed during the load, or the test shows nothing"
    assert changed == [], f"{len(changed)} of {len(asked)} answers changed: {changed[:5]}"
