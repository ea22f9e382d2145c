"""Risk models and run reports in PostgreSQL (issue 19, docs/risk.md).

Models: the provisional default shipped in `risk-models/` (always known) and those an
administrator loaded (`credit-ledger risk model load`), each version immutable. Reports: what
each run answered, trial or effective (an effective run's own record is in the ledger).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from adapters.config import PROJECT_ROOT
from adapters.database import Server
from domain.errors import RiskModelConflictError
from domain.risk.model import KnownModel, ModelBook, RiskModel, parse_model

BUNDLED_DIR = PROJECT_ROOT / "risk-models"


@cache
def bundled() -> tuple[KnownModel, ...]:
    """The models shipped with the code: known from the beginning (their versions never change;
    a change is a new file with a new version)."""
    return tuple(
        KnownModel(parse_model(path.read_text(encoding="utf-8")), None, f"bundled: risk-models/{path.name}")
        for path in sorted(BUNDLED_DIR.glob("*.json"))
    )


class RiskModelStore:
    def __init__(self, server: Server) -> None:
        self.server = server

    def book(self) -> ModelBook:
        with self.server.connect() as conn:
            return load_book(conn)

    def load(self, model: RiskModel, source: str) -> tuple[KnownModel, bool]:
        """Store a model version; (the model as stored, whether it is new). The same version with
        the same content is a repeat; with other content a `RiskModelConflictError`."""
        for known in bundled():
            if known.model.version == model.version:
                if known.model.digest != model.digest:
                    raise RiskModelConflictError(f"risk model {model.version} ships with the ledger with other content")
                return known, False
        with self.server.connect() as conn:
            row = conn.execute(
                "INSERT INTO risk_models (version, effective_from, digest, body, source) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (version) DO NOTHING RETURNING loaded_at",
                (model.version, model.effective_from, model.digest, Jsonb(model.model_dump(mode="json")), source),
            ).fetchone()
            if row is not None:
                return KnownModel(model, row[0], source), True
            digest, loaded_at, stored_source = conn.execute(
                "SELECT digest, loaded_at, source FROM risk_models WHERE version = %s", (model.version,)
            ).fetchone()  # type: ignore[misc]  # the conflicting row exists
        if digest != model.digest:
            raise RiskModelConflictError(
                f"risk model {model.version} was loaded at {loaded_at.isoformat()} with other content: "
                "a version never changes; load it under a new version"
            )
        return KnownModel(model, loaded_at, stored_source), False


def load_book(conn: Any) -> ModelBook:
    rows = conn.execute("SELECT body, loaded_at, source FROM risk_models ORDER BY loaded_at").fetchall()
    loaded = [KnownModel(RiskModel.model_validate(body), at, source) for body, at, source in rows]
    return ModelBook((*bundled(), *loaded))


class RunReports:
    def __init__(self, server: Server) -> None:
        self.server = server

    def report(self, run_id: UUID) -> dict[str, Any] | None:
        with self.server.connect() as conn:
            row = conn.execute("SELECT report, created_at FROM risk_reports WHERE run_id = %s", (run_id,)).fetchone()
        if row is None:
            return None
        report: dict[str, Any] = row[0]
        return {**report, "reported_at": row[1].isoformat()}

    def save(self, run_id: UUID, kind: str, on: date, model_version: str, report: dict[str, Any]) -> None:
        with self.server.connect() as conn:
            conn.execute(
                "INSERT INTO risk_reports (run_id, kind, on_date, model_version, report) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (run_id) DO NOTHING",
                (run_id, kind, on, model_version, Jsonb(json.loads(json.dumps(report, default=str)))),
            )
