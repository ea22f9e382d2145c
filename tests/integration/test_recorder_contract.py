"""Our recorder keeps the library's invariants: the library's own recorder test cases,
run with a `record_log` row written for every event (the path intake uses)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase, NonInterleavingNotificationIDsBaseCase

from adapters.database import Server
from adapters.recorder import LedgerRecorder
from domain.records import LoggedRecord

TABLE = "contract_events"


class RecordingEveryEvent(LedgerRecorder):
    """Writes a record_log row per event, as intake does, so the contract covers that path."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        kwargs.setdefault(
            "records",
            [
                LoggedRecord(
                    originator_id=e.originator_id,  # type: ignore[arg-type]
                    originator_version=e.originator_version,
                    uscc="91120116MA05JK122G",
                    record_type="contract.test",
                    effective_on=date(2024, 1, 1),
                    department="CONTRACT",
                    record_id=f"{e.originator_id}/{e.originator_version}",
                    fingerprint="-",
                )
                for e in stored_events
            ],
        )
        return super().insert_events(stored_events, **kwargs)


@pytest.fixture(autouse=True)
def _server(request: pytest.FixtureRequest, clean_db: Server) -> None:
    if request.instance is not None:
        request.instance.server = clean_db
        with clean_db.connect(autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")


class _WithOurRecorder:
    server: Server
    datastores: list[PostgresDatastore]

    def create_recorder(self) -> LedgerRecorder:
        p = self.server.params
        datastore = PostgresDatastore(
            dbname=p["dbname"],
            host=p.get("host", "127.0.0.1"),
            port=p.get("port", 5432),
            user=p.get("user", "postgres"),
            password=p.get("password", ""),
            pool_size=12,
            max_overflow=12,
        )
        self.__dict__.setdefault("datastores", []).append(datastore)
        recorder = RecordingEveryEvent(datastore, events_table_name=TABLE)
        recorder.create_table()
        return recorder

    def tearDown(self) -> None:
        for datastore in self.__dict__.get("datastores", []):
            datastore.close()


class TestLedgerRecorderKeepsTheApplicationRecorderContract(
    _WithOurRecorder, ApplicationRecorderTestCase[LedgerRecorder]
):
    # Timing belongs in bench/, never in tests: the library's timed cases are not collected.
    test_performance = None  # type: ignore[assignment]
    test_concurrent_throughput = None  # type: ignore[assignment]


class TestLedgerRecorderNeverInterleavesNotificationIds(_WithOurRecorder, NonInterleavingNotificationIDsBaseCase):
    pass


def test_recorded_times_and_audit_leaves_follow_the_notification_order_under_concurrent_writers(
    clean_db: Server,
) -> None:
    case = TestLedgerRecorderKeepsTheApplicationRecorderContract("test_concurrent_no_conflicts")
    case.server = clean_db
    case.test_concurrent_no_conflicts()
    case.tearDown()
    with clean_db.connect() as conn:
        rows = conn.execute(
            f"SELECT r.recorded_at FROM record_log r JOIN {TABLE} e USING (notification_id) ORDER BY notification_id"
        ).fetchall()
        events = [n for (n,) in conn.execute(f"SELECT notification_id FROM {TABLE} ORDER BY 1")]
        leaves = conn.execute("SELECT position, notification_id FROM audit_leaves ORDER BY 1").fetchall()
    times = [r[0] for r in rows]
    assert len(times) == 10 * 10 * 100  # writers x writes x events per write
    assert times == sorted(times)
    assert leaves == list(enumerate(events))  # and each event's audit leaf, in order, without a gap
