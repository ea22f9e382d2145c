"""Reads straight from the event store: histories and timelines as known at a moment."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from application.ports import EventStore
from domain.enterprise import Enterprise
from domain.errors import EnterpriseNotFoundError
from domain.history import AnyFact, resolve
from domain.records import EnterpriseChanged, RecordCorrected, RecordRetracted

SKEW = timedelta(seconds=1)
"""A `known_at` at most this far past the complete horizon waits for the clock to pass it."""


class Reads:
    def __init__(self, store: EventStore):
        self.store = store
        self._horizon = datetime.min.replace(tzinfo=UTC)

    def settle(self, known_at: datetime) -> datetime:
        """The moment to read the log as known at `known_at` so that the answer never changes
        (issue 25, part 2): `known_at` once every record stamped by then is committed (asked of
        the store under the event table's lock, waiting for the writer in flight); a `known_at`
        ahead of the database's clock (a client's clock a little fast) is waited for up to
        `SKEW`, and beyond that answered for the latest complete moment, which the answer names."""
        if known_at <= self._horizon:
            return known_at
        for _ in range(2):
            moment = self.store.horizon()
            self._horizon = max(self._horizon, moment)
            if known_at <= moment:
                return known_at
            if known_at - moment > SKEW:
                break
            time.sleep((known_at - moment).total_seconds())
        return self._horizon

    def history(self, uscc: str, known_at: datetime | None = None) -> list[AnyFact]:
        """Every record of the enterprise, with its recorded time, as known at `known_at`."""
        facts = self.store.history(Enterprise.create_id(uscc))
        if known_at is not None:
            facts = [f for f in facts if f.recorded_at is not None and f.recorded_at <= known_at]
        if not facts:
            raise EnterpriseNotFoundError(uscc)
        return facts

    def enterprise(self, uscc: str) -> dict[str, Any]:
        """The registration facts as of now (no personal data)."""
        facts = resolve(self.history(uscc))
        registered = next((f for f in facts if f.type == "enterprise.registered"), None)
        if registered is None:
            raise EnterpriseNotFoundError(uscc)
        info = registered.data.model_dump(mode="json", exclude={"legal_representative"})
        status, status_since = "active", None
        for fact in facts:
            if isinstance(fact.data, EnterpriseChanged):
                changes = fact.data.model_dump(mode="json", exclude_none=True, exclude={"legal_representative"})
                info.update(changes)
            elif fact.type == "enterprise.licence_revoked":
                status, status_since = "licence_revoked", fact.effective_on.isoformat()
            elif fact.type == "enterprise.deregistered":
                status, status_since = "deregistered", fact.effective_on.isoformat()
        return {
            "uscc": uscc,
            **info,
            "registered_on": registered.effective_on.isoformat(),
            "status": status,
            "status_since": status_since,
        }

    def timeline(self, uscc: str, known_at: datetime | None = None) -> list[dict[str, Any]]:
        history = self.history(uscc, known_at)
        amendments: dict[tuple[str, str], list[AnyFact]] = {}
        for fact in history:
            if isinstance(fact.data, RecordCorrected | RecordRetracted):
                target = (fact.data.target.department, fact.data.target.record_id)
                amendments.setdefault(target, []).append(fact)
        in_force = {f.key: f for f in resolve(history)}
        entries = []
        for fact in history:
            entry: dict[str, Any] = {
                "sequence": fact.sequence,
                "type": fact.type,
                "effective_on": fact.effective_on.isoformat(),
                "recorded_at": fact.recorded_at.isoformat() if fact.recorded_at else None,
                "source": {"department": fact.department, "record_id": fact.record_id, "operator": fact.operator},
                "data": fact.data.model_dump(mode="json", exclude_none=True),
            }
            if isinstance(fact.data, RecordCorrected | RecordRetracted):
                entry["amends"] = fact.data.target.model_dump()
            else:
                entry["amended_by"] = [
                    {
                        "type": a.type,
                        "record_id": a.record_id,
                        "recorded_at": a.recorded_at.isoformat() if a.recorded_at else None,
                    }
                    for a in amendments.get(fact.key, [])
                ]
                current = in_force.get(fact.key)
                entry["in_force"] = current is not None
                if current is not None and current.amended_by:
                    entry["data_in_force"] = current.data.model_dump(mode="json", exclude_none=True)
            entries.append(entry)
        return entries
