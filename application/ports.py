"""What the use cases need from the world, as protocols the adapters satisfy.

The application layer holds no SQL and no HTTP: it is given an event store, per-enterprise
write locks and a clock by the composition root (`api/bootstrap.py`), which builds them from
`adapters/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from domain.enterprise import Enterprise
from domain.history import AnyFact
from domain.records import LoggedRecord, StoredKey
from domain.risk.model import KnownModel, ModelBook, RiskModel
from domain.risk.run import ClassResult, RiskRun


class EventStore(Protocol):
    def load(self, ids: Iterable[UUID]) -> dict[UUID, Enterprise]:
        """The enterprises that exist among `ids`, as they are now."""
        ...

    def save(self, aggregates: Sequence[Enterprise], records: Sequence[LoggedRecord]) -> list[int]:
        """Append pending events and their log rows atomically; the log position of each of
        `records`, in their order. Raises `domain.errors.StaleWriteError` when another writer got
        there first."""
        ...

    def horizon(self) -> datetime:
        """A moment by which every record is committed (any later record is stamped after it)."""
        ...

    def fingerprints(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StoredKey]:
        """The fingerprint and log position recorded under each taken idempotency key."""
        ...

    def history(self, enterprise_id: UUID) -> list[AnyFact]:
        """Every record of the enterprise in log order, with its recorded time."""
        ...


class WriteLocks(Protocol):
    def hold(self, enterprise_ids: Iterable[UUID]) -> AbstractContextManager[None]:
        """Hold the write locks of these enterprises (all writers of all processes)."""
        ...


Clock = Callable[[], datetime]
"""Now, as an aware datetime."""


# --- risk runs (issue 19) ---------------------------------------------------------------

ScoreOne = Callable[[str, Sequence[AnyFact]], ClassResult | None]
"""An enterprise's USCC and raw history → its class in the run (None: not classified)."""


class ScanResult(Protocol):
    position: int
    cut: datetime | None
    results: list[ClassResult]
    digests: list[tuple[str, str]]
    events: int


class HistoryScan(Protocol):
    def scan(self, score: ScoreOne, workers: int | None = None) -> ScanResult:
        """Every enterprise's history up to the log's head, in one snapshot, scored by `score`."""
        ...


class RiskModels(Protocol):
    def book(self) -> ModelBook:
        """Every model version known, with when each was loaded."""
        ...

    def load(self, model: RiskModel, source: str) -> tuple[KnownModel, bool]:
        """Store a version (immutable); whether it is new."""
        ...


class RunLedger(Protocol):
    def record_run(self, run: RiskRun) -> bool:
        """Append an effective run to the ledger; False if the same run is recorded already."""
        ...


class RunReports(Protocol):
    def report(self, run_id: UUID) -> dict[str, Any] | None: ...

    def save(self, run_id: UUID, kind: str, on: date, model_version: str, report: dict[str, Any]) -> None: ...
