"""The change feed's pull is gap-free: under 8 concurrent writers a reader paging behind the
projector gets every item exactly once, in commit order (issue 23)."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest

from api.bootstrap import Runtime
from projections import change_feed
from tests.builders import make_uscc, penalty_decided, record, registered
from tests.conftest import officer

WRITERS = 8


def _enterprise_records(n: int) -> list[dict[str, Any]]:
    uscc = make_uscc(23_000 + n)
    decision = f"津市监罚〔2024〕{n}号"
    return [
        registered(uscc),
        penalty_decided(uscc, decision, "2024-05-06", data={"penalty_kinds": ["fine"], "fine_yuan": "30000.00"}),
    ], [
        record(
            "serious.listed",
            uscc,
            "2024-05-06",
            {"listing_id": f"黑-{n}", "grounds": "严重违法失信", "penalty_decision_no": decision},
            department="TJ-ENF",
        )
    ]


def _pull_all(conn: Any, cursor: change_feed.Cursor | None) -> tuple[list[str], change_feed.Cursor | None]:
    ids: list[str] = []
    while True:
        page, _ = change_feed.read_page(conn, None, cursor, random.randint(1, 7))
        if not page:
            return ids, cursor
        ids += [event["id"] for _, event in page]
        cursor = page[-1][0]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_reader_paging_under_eight_concurrent_writers_gets_every_item_once_in_commit_order(
    runtime: Runtime, seed: int
) -> None:
    random.seed(seed)
    runtime.projector.start(idle=0.005)
    stop = threading.Event()
    seen: list[str] = []
    errors: list[BaseException] = []

    def reader() -> None:
        cursor: change_feed.Cursor | None = None
        try:
            with runtime.server.connect(autocommit=True) as conn:
                while not stop.is_set():
                    ids, cursor = _pull_all(conn, cursor)
                    seen.extend(ids)
                    time.sleep(random.random() / 200)
                ids, cursor = _pull_all(conn, cursor)
                seen.extend(ids)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def writer(w: int) -> None:
        try:
            for k in range(6):
                n = seed * 1000 + w * 10 + k
                first, listing = _enterprise_records(n)
                runtime.intake.submit(first[:1], author=officer("TJ-LIC"))
                runtime.intake.submit(first[1:], author=officer("TJ-ENF"))
                time.sleep(random.random() / 100)
                runtime.intake.submit(listing, author=officer("TJ-ENF"))
        except BaseException as exc:
            errors.append(exc)

    read_thread = threading.Thread(target=reader)
    read_thread.start()
    writers = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    runtime.projector.stop()
    runtime.projector.catch_up()
    stop.set()
    read_thread.join()
    assert not errors, errors
    with runtime.server.connect() as conn:
        everything = [i for (i,) in conn.execute("SELECT id FROM feed_items ORDER BY position, n")]
        commit_order = conn.execute(
            "SELECT bool_and(recorded_at >= prev) FROM (SELECT recorded_at, lag(recorded_at, 1, '-infinity') "
            "OVER (ORDER BY position, n) AS prev FROM feed_items) t"
        ).fetchone()
    assert len(everything) >= WRITERS * 6 * 2  # each listing: listed, measure.imposed at least (plus penalty items)
    assert seen == everything, "the reader missed, repeated or reordered items"
    assert commit_order == (True,)
