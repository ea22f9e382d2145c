"""Wiring: settings → server → migrated schema → application and services."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.application import Ledger, ledger_env
from ledger.config import Settings, get_settings
from ledger.database import Server, migrate, resolve_server
from ledger.intake import Intake
from ledger.reads import Reads


@dataclass
class Runtime:
    settings: Settings
    server: Server
    ledger: Ledger
    intake: Intake
    reads: Reads

    @classmethod
    def open(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or get_settings()
        server = resolve_server(settings)
        migrate(server)
        ledger = Ledger(env=ledger_env(server, pool_size=settings.pool_size))
        return cls(settings, server, ledger, Intake(ledger), Reads(ledger))

    def close(self) -> None:
        self.ledger.close()
