"""The event-sourced application: where Enterprise aggregates are stored and read."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Transcoder, Transcoding

from ledger.database import Server


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"  # stored in every event's JSON: never rename

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Ledger(Application):
    # The name fixes the table (`ledger_events`) and the env prefix: never change it.
    name = "ledger"

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def ledger_env(server: Server, *, pool_size: int = 5, max_overflow: int = 10) -> dict[str, str]:
    """The library's configuration for a server; tables come from migrations, not from here."""
    p = server.params
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "ledger.recorder:LedgerRecorder",
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
