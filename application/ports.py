"""What the use cases need from the world, as protocols the adapters satisfy.

The application layer holds no SQL and no HTTP: it is given an event store, per-enterprise
write locks and a clock by the composition root (`api/bootstrap.py`), which builds them from
`adapters/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.enterprise import Enterprise
from domain.history import AnyFact
from domain.records import LoggedRecord


class EventStore(Protocol):
    def load(self, ids: Iterable[UUID]) -> dict[UUID, Enterprise]:
        """The enterprises that exist among `ids`, as they are now."""
        ...

    def save(self, aggregates: Sequence[Enterprise], records: Sequence[LoggedRecord]) -> list[int]:
        """Append pending events and their log rows atomically; the log positions reached.
        Raises `domain.errors.StaleWriteError` when another writer got there first."""
        ...

    def fingerprints(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The fingerprint recorded under each taken idempotency key."""
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
