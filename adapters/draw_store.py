"""Random draws in PostgreSQL (issue 20, docs/draws.md): the item list and the inspector
directory as dated, immutable versions (migration 0060), and draw tasks as `DrawTask`
aggregates in the ledger's event log (no record_log row: a task is about no one enterprise, so
no read model of records sees it; its events are audit leaves like every event)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from psycopg.types.json import Jsonb

from adapters.database import Server
from adapters.event_store import EventStore
from domain.draws import DrawTask, InspectionItem, Inspector, task_uuid
from domain.enterprise import Enterprise
from domain.errors import ConflictError, Problem, StaleWriteError
from domain.hashrank import canonical
from domain.history import AnyFact
from domain.key_supervision import KeyPlan


def digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


class DrawDataStore:
    def __init__(self, server: Server) -> None:
        self.server = server

    def _load(
        self, table: str, key: str, rows: Sequence[tuple[str, date, dict[str, Any]]], source: str
    ) -> list[tuple[str, str]]:
        """(key, "loaded" | "already loaded") per version; other content under a version: 409."""
        out = []
        with self.server.connect() as conn, conn.transaction():
            for ident, effective_from, body in rows:
                d = digest(body)
                found = conn.execute(
                    f"SELECT digest FROM {table} WHERE {key} = %s AND effective_from = %s",  # noqa: S608 - fixed names
                    (ident, effective_from),
                ).fetchone()
                if found is not None:
                    if found[0] != d:
                        raise ConflictError(
                            f"{ident} from {effective_from} was loaded with other content",
                            [Problem(key, "a version never changes: load it with a new effective_from", "DR-01")],
                        )
                    out.append((ident, "already loaded"))
                    continue
                conn.execute(
                    f"INSERT INTO {table} ({key}, effective_from, digest, body, source) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                    (ident, effective_from, d, Jsonb(body), source),
                )
                out.append((ident, "loaded"))
        return out

    def load_items(self, items: Sequence[InspectionItem], source: str) -> list[tuple[str, str]]:
        rows = [(i.item_id, i.effective_from, i.model_dump(mode="json")) for i in items]
        return self._load("inspection_items", "item_id", rows, source)

    def load_inspectors(self, inspectors: Sequence[Inspector], source: str) -> list[tuple[str, str]]:
        rows = [(i.id, i.effective_from, i.model_dump(mode="json")) for i in inspectors]
        return self._load("inspectors", "id", rows, source)

    def load_plans(self, plans: Sequence[KeyPlan], source: str) -> list[tuple[str, str]]:
        rows = [(p.plan_id, p.effective_from, p.model_dump(mode="json")) for p in plans]
        return self._load("key_supervision_plans", "plan_id", rows, source)

    def plans(self, as_of: date) -> list[KeyPlan]:
        with self.server.connect() as conn:
            rows = conn.execute(
                "SELECT DISTINCT ON (plan_id) body FROM key_supervision_plans WHERE effective_from <= %s "
                "ORDER BY plan_id, effective_from DESC",
                (as_of,),
            ).fetchall()
        return [KeyPlan.model_validate(r[0]) for r in rows]

    def items(self, as_of: date) -> list[InspectionItem]:
        with self.server.connect() as conn:
            rows = conn.execute(
                "SELECT DISTINCT ON (item_id) body FROM inspection_items WHERE effective_from <= %s "
                "ORDER BY item_id, effective_from DESC",
                (as_of,),
            ).fetchall()
        return [InspectionItem.model_validate(r[0]) for r in rows]

    def inspectors(self, as_of: date) -> list[Inspector]:
        with self.server.connect() as conn:
            rows = conn.execute(
                "SELECT DISTINCT ON (id) body FROM inspectors WHERE effective_from <= %s ORDER BY id, effective_from DESC",
                (as_of,),
            ).fetchall()
        return [Inspector.model_validate(r[0]) for r in rows]


class TaskLedger:
    """Draw tasks through the ledger application of the event store."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def get(self, task_id: str) -> DrawTask | None:
        try:
            task: object = self.store.ledger.repository.get(task_uuid(task_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(task, DrawTask)
        return task

    def save(self, task: DrawTask) -> None:
        try:
            self.store.ledger.save(task)
        except IntegrityError as exc:
            raise StaleWriteError(f"another writer changed draw task {task.task_id} first; read it again") from exc

    def history(self, uscc: str) -> list[AnyFact]:
        return self.store.history(Enterprise.create_id(uscc))
