"""One enterprise whose items cannot be derived never holds up the others (runner and rebuild)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.config import Settings
from adapters.database import Server
from api.bootstrap import Runtime
from projections import public_items, view
from projections.enterprise_model import partition_of
from projections.public_items import PublicItems
from tests.builders import make_uscc, penalty_decided, registered
from tests.conftest import officer

BAD = "BAD-"  # record_id prefix of the record that makes the derivation fail


@pytest.fixture
def quiet(clean_db: Server) -> Iterator[tuple[Runtime, TestClient]]:
    """A runtime and an HTTP client without the background projector: the test drives it."""
    from api.main import create_app

    settings = Settings(DATABASE_URL=clean_db.conninfo, CREDIT_LEDGER_PROJECTOR="0")
    runtime = Runtime.open(settings)
    with TestClient(create_app(lambda: Runtime.open(settings)), raise_server_exceptions=False) as client:
        yield runtime, client
    runtime.close()


def _break_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deriving any history that holds a record with a BAD- record_id raises (a stand-in for a rules bug)."""
    real = public_items.items_of

    def items_of(history: Any, ctx: Any) -> Any:
        if any(f.record_id.startswith(BAD) for f in history):
            raise OverflowError("date value out of range")
        return real(history, ctx)

    monkeypatch.setattr(public_items, "items_of", items_of)


def _penalties(runtime: Runtime, uscc: str) -> list[dict[str, Any]]:
    with runtime.server.connect() as conn:
        return view.from_read_model(conn, uscc, date(2024, 6, 1), datetime.now(UTC))["administrative_penalties"]


def _load(runtime: Runtime) -> tuple[list[str], str]:
    usccs = [make_uscc(600 + n) for n in range(3)]
    for uscc in usccs:
        assert runtime.intake.submit([registered(uscc)], author=officer("TJ-LIC"))[0].status == "recorded"
    runtime.projector.catch_up()
    bad = usccs[1]
    for uscc in usccs:
        penalty = penalty_decided(uscc, record_id=f"{BAD}1" if uscc == bad else None)
        assert runtime.intake.submit([penalty], author=officer("TJ-ENF"))[0].status == "recorded"
    return usccs, bad


def test_a_failing_enterprise_is_skipped_and_recorded_while_the_others_advance_and_status_reports_it(
    quiet: tuple[Runtime, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, client = quiet
    usccs, bad = _load(runtime)
    _break_derivation(monkeypatch)

    reached = runtime.projector.catch_up()

    status = client.get("/v1/status").json()["projection"]
    assert reached == status["head"] and status["lag"] == 0
    for uscc in usccs:
        assert len(_penalties(runtime, uscc)) == (0 if uscc == bad else 1)  # the bad one's rows stay as they were
    failures = status["failures"]
    assert failures["count"] == 1
    assert failures["latest"][0]["uscc"] == bad
    assert failures["latest"][0]["error"] == "OverflowError: date value out of range"
    assert 0 < failures["latest"][0]["position"] <= status["head"]

    monkeypatch.undo()  # the bug fixed: the enterprise's next record brings its rows up to date
    more = penalty_decided(bad, "津市监罚〔2024〕2号")
    assert runtime.intake.submit([more], author=officer("TJ-ENF"))[0].status == "recorded"
    runtime.projector.catch_up()
    assert len(_penalties(runtime, bad)) == 2


def test_a_rebuild_skips_and_records_a_failing_enterprise_instead_of_failing(
    quiet: tuple[Runtime, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, client = quiet
    usccs, bad = _load(runtime)
    runtime.projector.catch_up()
    _break_derivation(monkeypatch)  # inherited by the forked workers

    report = PublicItems().rebuild(runtime.server.conninfo, runtime.store.mapper, runtime.rules, workers=2)

    status = client.get("/v1/status").json()["projection"]
    items = status["read_models"][public_items.NAME]
    assert items["slot"] == report.slot and items["position"] == report.position
    assert status["failures"]["count"] == 1 and status["failures"]["latest"][0]["uscc"] == bad
    for uscc in usccs:
        if uscc != bad:
            assert len(_penalties(runtime, uscc)) == 1
    with runtime.server.connect() as conn:
        assert conn.execute("SELECT count(*) FROM projection_items WHERE uscc = %s", (bad,)).fetchone() == (0,)


def test_the_rebuild_partition_of_every_32_bit_hash_is_in_range_without_overflow(clean_db: Server) -> None:
    # abs(hashtext(uscc)) overflowed on -2147483648

    with clean_db.connect() as conn:
        for value in (-2147483648, -1, 0, 1, 2147483647):
            for workers in (1, 2, 3, 8):
                (part,) = conn.execute(f"SELECT {partition_of(f'({value})::integer')}", (workers,)).fetchone()  # type: ignore[misc]
                assert part == (value + 2**31) % workers
        # every enterprise falls in exactly one partition
        usccs = [make_uscc(n) for n in range(50)]
        query = f"SELECT count(*) FROM unnest(%s::text[]) u WHERE {partition_of('hashtext(u)')} = %s"
        assert sum(conn.execute(query, (usccs, 3, k)).fetchone()[0] for k in range(3)) == 50  # type: ignore[index]
