"""Wiring: settings → server → migrated schema → application and services."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from ledger import reference
from ledger.application import Ledger, ledger_env
from ledger.config import Settings, get_settings
from ledger.database import Server, migrate, resolve_server
from ledger.intake import Intake
from ledger.locks import EnterpriseLocks
from ledger.reads import Reads
from ledger.reference import RuleContext
from ledger.tokens import TokenStore
from projections.runner import Projector
from projections.view import rule_context


@dataclass
class Runtime:
    settings: Settings
    server: Server
    ledger: Ledger
    intake: Intake
    reads: Reads
    locks: EnterpriseLocks
    rules: RuleContext
    tokens: TokenStore = field(init=False)
    projector: Projector = field(init=False)
    read_pool: ConnectionPool = field(init=False)

    def __post_init__(self) -> None:
        # Tokens share the ledger's connection pool: one lookup per authenticated request.
        self.tokens = TokenStore(self.ledger.recorder.datastore.get_connection)  # type: ignore[attr-defined]
        # Read models (issue 4): started in the server's lifespan or by `credit-ledger project`.
        self.projector = Projector(self.server.conninfo, self.ledger.mapper, lambda: rule_context(self))
        # Read-model queries take well under a millisecond; opening a connection (a new
        # PostgreSQL backend) for each would cost several.
        self.read_pool = ConnectionPool(
            self.server.conninfo,
            min_size=1,
            max_size=self.settings.read_pool_size,
            kwargs={"autocommit": True},
            open=True,
        )

    def read_connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled autocommit connection for read-model queries."""
        return self.read_pool.connection()

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
        self.projector.stop()
        self.read_pool.close()
        self.locks.close()
        self.ledger.close()
