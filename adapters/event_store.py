"""The event store: Enterprise aggregates in PostgreSQL through eventsourcing 9.5, with the
record log (idempotency keys, recorded times) written beside each event (`adapters.recorder`).

`EventStore` is what the application layer sees (`application.ports.EventStore`); `Ledger` is
the library's application object behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, StoredEvent, Transcoding
from psycopg import Connection

from adapters.database import Server
from adapters.horizon import horizon as complete_horizon
from adapters.recorder import LedgerRecorder
from domain.enterprise import Enterprise
from domain.errors import StaleWriteError
from domain.history import AnyFact
from domain.records import LoggedRecord, StoredKey
from domain.risk.run import RiskRun


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"  # stored in every event's JSON: never rename

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Ledger(Application[UUID]):
    # The name fixes the table (`ledger_events`) and the env prefix: never change it.
    name = "ledger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def ledger_env(server: Server, *, pool_size: int = 5, max_overflow: int = 10) -> dict[str, str]:
    """The library's configuration for a server; tables come from migrations, not from here."""
    p = server.params
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "adapters.recorder:LedgerRecorder",
        "CREATE_TABLE": "n",
        "POSTGRES_DBNAME": p["dbname"],
        "POSTGRES_HOST": p.get("host", "127.0.0.1"),
        "POSTGRES_PORT": p.get("port", 5432),
        "POSTGRES_USER": p.get("user", "postgres"),
        "POSTGRES_PASSWORD": p.get("password", ""),
        "POSTGRES_POOL_SIZE": pool_size,
        "POSTGRES_MAX_OVERFLOW": max_overflow,
        "POSTGRES_LOCK_TIMEOUT": 10,
        "POSTGRES_PRE_PING": "y",
    }
    return {k: str(v) for k, v in env.items()}


SELECT_EVENTS = (
    "SELECT originator_id, originator_version, topic, state FROM ledger_events "
    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
)


class EventStore:
    """Enterprises in, enterprises out, and what the record log knows of their records."""

    def __init__(self, server: Server, *, pool_size: int = 5) -> None:
        self.ledger = Ledger(env=ledger_env(server, pool_size=pool_size))
        recorder = self.ledger.recorder
        assert isinstance(recorder, LedgerRecorder)
        self._recorder = recorder

    @property
    def mapper(self) -> Mapper[UUID]:
        return self.ledger.mapper

    def connection(self) -> Any:
        """A pooled connection (dict rows) of the library's datastore."""
        return self._recorder.datastore.get_connection()

    def load(self, ids: Iterable[UUID]) -> dict[UUID, Enterprise]:
        """The current state of each enterprise that exists; absent ids are left out.

        One query for all of them: `repository.get` costs a round trip per aggregate, and a
        batch of 500 records about 400 enterprises would spend most of its time waiting. Each
        aggregate is rebuilt with the library's mapper and each event's `mutate`, as the
        repository does (not through `project_aggregate`, whose per-event Protocol check costs
        more than the mutation on Python 3.11)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        events: dict[UUID, list[Enterprise.Recorded]] = {}
        with self.connection() as conn:
            for row in conn.execute(SELECT_EVENTS, (wanted,)):
                stored = StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                event = self.mapper.to_domain_event(stored)
                assert isinstance(event, Enterprise.Recorded)
                events.setdefault(row["originator_id"], []).append(event)
        loaded: dict[UUID, Enterprise] = {}
        for enterprise_id, domain_events in events.items():
            enterprise = None
            for event in domain_events:
                enterprise = event.mutate(enterprise)
            assert isinstance(enterprise, Enterprise)
            loaded[enterprise_id] = enterprise
        return loaded

    def save(self, aggregates: Sequence[Enterprise], records: Sequence[LoggedRecord]) -> list[int]:
        """Append the aggregates' pending events and their record-log rows in one transaction;
        the notification id (log position) of each of `records`, in their order. A writer that got
        there first (a version taken, a key used) fails the whole save: `StaleWriteError`."""
        try:
            recordings = self.ledger.save(*aggregates, records=records)
        except IntegrityError as exc:
            raise StaleWriteError("another writer changed these enterprises first; read again") from exc
        at = {(r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id for r in recordings}
        return [at[(r.originator_id, r.originator_version)] for r in records]

    def record_run(self, run: RiskRun) -> bool:
        """Append an effective risk run's events (domain/risk/run.py) with their recorded time;
        False when a run of the same id (the same inputs) is recorded already."""
        try:
            self.ledger.save(run, risk_run=True)
        except IntegrityError:
            return False
        return True

    def horizon(self) -> datetime:
        """A moment by which every record is committed (`adapters/horizon.py`)."""
        with self.connection() as conn:
            return complete_horizon(conn)[0]

    def fingerprints(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StoredKey]:
        """The fingerprint and log position recorded under each idempotency key that is taken."""
        keys = list(keys)
        if not keys:
            return {}
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT department, record_id, fingerprint, notification_id FROM record_log "
                "WHERE (department, record_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                ([k[0] for k in keys], [k[1] for k in keys]),
            ).fetchall()
        return {(r["department"], r["record_id"]): StoredKey(r["fingerprint"], r["notification_id"]) for r in rows}

    def history(self, enterprise_id: UUID) -> list[AnyFact]:
        """Every record of the enterprise in log order, each with its recorded time."""
        with self.connection() as conn:
            recorded = recorded_times(conn, enterprise_id)
        facts = []
        for event in self.ledger.events.get(enterprise_id):
            assert isinstance(event, Enterprise.Recorded)
            at = recorded.get(event.originator_version)
            if at is not None:
                facts.append(replace(event.as_fact(), recorded_at=at))
        return facts

    def close(self) -> None:
        self.ledger.close()


def recorded_times(conn: Connection[Any], enterprise_id: UUID) -> dict[int, datetime]:
    rows = conn.execute(
        "SELECT originator_version, recorded_at FROM record_log WHERE originator_id = %s", (enterprise_id,)
    ).fetchall()
    return {r["originator_version"]: r["recorded_at"] for r in rows}
