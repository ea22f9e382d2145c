"""The composition root: settings → server → migrated schema → adapters → use cases and read models.

The only module that knows every layer. The HTTP app, the command line and the tests open a
`Runtime` and reach the ledger through it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg_pool import ConnectionPool

from adapters import clock, gc_policy, parent_death, reference_store
from adapters.audit_log import Checkpointer
from adapters.config import Settings, get_settings
from adapters.database import Server, migrate, resolve_server, server_from_url
from adapters.draw_store import DrawDataStore, TaskLedger
from adapters.event_store import EventStore
from adapters.locks import EnterpriseLocks
from adapters.risk_store import RiskModelStore, RunReports
from adapters.signing_key import load_signing_key
from adapters.tokens import TokenStore
from application.draws import Draws
from application.imports import AuthorFor, ImportSummary, import_file
from application.intake import Intake
from application.key_supervision import KeySupervision
from application.parallel_import import import_file_parallel
from application.reads import Reads
from application.risk import RiskRuns
from domain.access import Author
from domain.context import RuleContext
from domain.signed_note import SignerKey
from projections.draw_population import DrawPopulation
from projections.freshness import Freshness
from projections.readmodel import ReadModel
from projections.registry import read_models
from projections.relay import Relay
from projections.risk_scan import Scanner
from projections.runner import Projector


@dataclass
class Runtime:
    settings: Settings
    server: Server
    store: EventStore
    locks: EnterpriseLocks
    rules: RuleContext
    signer: SignerKey
    """Signs checkpoints (docs/audit.md); its file lives outside the database."""
    signer_created: bool = False
    intake: Intake = field(init=False)
    reads: Reads = field(init=False)
    risk: RiskRuns = field(init=False)
    draws: Draws = field(init=False)
    key_supervision: KeySupervision = field(init=False)
    tokens: TokenStore = field(init=False)
    read_models: list[ReadModel] = field(init=False)
    projector: Projector = field(init=False)
    freshness: Freshness = field(init=False)
    relay: Relay = field(init=False)
    checkpointer: Checkpointer = field(init=False)
    read_pool: ConnectionPool = field(init=False)
    read_server: Server = field(init=False)
    """Where read-model reads go: CREDIT_LEDGER_READ_URL's replica, else the primary."""

    def __post_init__(self) -> None:
        self.intake = Intake(self.store, self.locks, lambda: self.rules, clock.now)
        self.reads = Reads(self.store)
        # Risk runs (issue 19): models and reports in PostgreSQL, histories read like a rebuild.
        self.risk = RiskRuns(
            RiskModelStore(self.server),
            Scanner(self.server.conninfo, self.store.mapper),
            self.store,
            RunReports(self.server),
            lambda: self.rules,
        )
        # Random draws (issue 20): directories in PostgreSQL, tasks in the event log.
        # As of the latest moment the read models hold every record of (issue 25), waiting only
        # when they have none yet.
        population = DrawPopulation(
            self.read_connection, clock.now, lambda m, at: self.freshness.complete(m) or self.freshness.settle(m, at)
        )
        self.draws = Draws(
            DrawDataStore(self.server),
            population,
            TaskLedger(self.store),
            lambda: secrets.token_hex(32),
            lambda: self.rules,
            clock.today,
        )
        self.key_supervision = KeySupervision(DrawDataStore(self.server), population, TaskLedger(self.store).history)
        # Tokens share the event store's connection pool: one lookup per authenticated request.
        self.tokens = TokenStore(self.store.connection)
        # Read models: started in the server's lifespan or by `credit-ledger project`.
        self.read_models = read_models()
        self.projector = Projector(self.server.conninfo, self.store.mapper, lambda: self.rules, self.read_models)
        # Read your writes (issue 25): reads with min_position wait for the projector.
        # On a replica what this process's projector committed is not there yet, and the head of
        # the log lags too: positions and horizons are read on the replica only.
        on_primary = self.settings.read_url is None
        self.freshness = Freshness(
            self.read_connection,
            (lambda: self.projector.reached) if on_primary else dict,
            self.projector.wake,
            self.settings.min_position_wait,
            (lambda: self.projector.complete) if on_primary else dict,
            check_head=on_primary,
        )
        self.relay = Relay(
            self.server.conninfo,
            nats_url=self.settings.nats_url,
            base_delay=self.settings.relay_retry_base,
            max_delay=self.settings.relay_retry_max,
        )
        # Checkpoints: signed in the server's lifespan or by `credit-ledger project`.
        self.checkpointer = Checkpointer(
            self.server.conninfo,
            self.signer,
            self.settings.log_origin,
            every=self.settings.checkpoint_every,
            interval=self.settings.checkpoint_interval,
        )
        # Read-model queries take well under a millisecond; opening a connection (a new
        # PostgreSQL backend) for each would cost several.
        self.read_server = server_from_url(self.settings.read_url) if self.settings.read_url else self.server
        self.read_pool = ConnectionPool(
            self.read_server.conninfo,
            min_size=1,
            max_size=self.settings.read_pool_size,
            kwargs={"autocommit": True, "application_name": "credit-ledger reads"},
            open=True,
        )

    def read_connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled autocommit connection for read-model queries."""
        return self.read_pool.connection()

    def reload_rules(self) -> RuleContext:
        """Read holiday schedules and reference values again (after an administrator loaded some)."""
        self.rules = reference_store.load(self.server)
        return self.rules

    @classmethod
    def open(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or get_settings()
        server = resolve_server(settings)
        migrate(server)
        store = EventStore(server, pool_size=settings.pool_size)
        locks = EnterpriseLocks(server.conninfo, max_writers=settings.max_writers)
        signer, created = load_signing_key(settings)
        return cls(settings, server, store, locks, reference_store.load(server), signer, created)

    def close(self) -> None:
        self.relay.close()
        self.checkpointer.stop()
        self.projector.stop()
        self.read_pool.close()
        self.locks.close()
        self.store.close()


@contextmanager
def worker_intake(settings: Settings) -> Iterator[Intake]:
    """An intake of its own, for an import worker process (`application.parallel_import`),
    which dies with the process that started it (`adapters/parent_death.py`)."""
    parent_death.die_with_parent()
    runtime = Runtime.open(settings)
    gc_policy.for_bulk_work()
    try:
        yield runtime.intake
    finally:
        runtime.close()


def import_with(
    runtime: Runtime,
    path: Path,
    report: IO[str],
    *,
    author: Author | AuthorFor,
    workers: int,
    batch_size: int,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """`imports.import_file` into `runtime`'s database: in this process, or in `workers` processes."""
    if workers == 1:
        return import_file(runtime.intake, path, report, author=author, batch_size=batch_size, on_progress=on_progress)
    settings = runtime.settings.model_copy(update={"database_url": runtime.server.conninfo})
    return import_file_parallel(
        worker_intake,
        settings,
        path,
        report,
        author=author,
        workers=workers,
        batch_size=batch_size,
        on_progress=on_progress,
    )
