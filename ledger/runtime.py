"""Wiring: settings → server → migrated schema → application and services."""

from __future__ import annotations

from dataclasses import dataclass

from ledger import reference
from ledger.application import Ledger, ledger_env
from ledger.config import Settings, get_settings
from ledger.database import Server, migrate, resolve_server
from ledger.intake import Intake
from ledger.locks import EnterpriseLocks
from ledger.reference import RuleContext
from ledger.reads import Reads


@dataclass
class Runtime:
    settings: Settings
    server: Server
    ledger: Ledger
    intake: Intake
    reads: Reads
    locks: EnterpriseLocks
    rules: RuleContext

    @classmethod
    def open(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or get_settings()
        server = resolve_server(settings)
        migrate(server)
        ledger = Ledger(env=ledger_env(server, pool_size=settings.pool_size))
        locks = EnterpriseLocks(server.conninfo, max_writers=settings.max_writers)
        rules = reference.load(server)
        reference.install(rules)
        return cls(settings, server, ledger, Intake(ledger, locks), Reads(ledger), locks, rules)

    def close(self) -> None:
        self.locks.close()
        self.ledger.close()
