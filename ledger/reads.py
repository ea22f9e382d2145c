"""Reads straight from the event store: histories and timelines as known at a moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from domain.enterprise import Enterprise
from domain.history import Fact, resolve
from domain.records import RecordCorrected, RecordRetracted
from ledger.application import Ledger


class EnterpriseNotFoundError(LookupError):
    def __init__(self, uscc: str):
        super().__init__(f"no enterprise with USCC {uscc} in the ledger")
        self.uscc = uscc


class Reads:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def history(self, uscc: str, known_at: datetime | None = None) -> list[Fact]:
        """Every record of the enterprise, with its recorded time, as known at `known_at`."""
        enterprise_id = Enterprise.create_id(uscc)
        recorded = self._recorded_times(enterprise_id)
        facts = []
        for event in self.ledger.events.get(enterprise_id):
            assert isinstance(event, Enterprise.Recorded)
            at = recorded.get(event.originator_version)
            if at is None or (known_at is not None and at > known_at):
                continue
            facts.append(replace(event.as_fact(), recorded_at=at))
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
            if fact.type == "enterprise.changed":
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
        amendments: dict[tuple[str, str], list[Fact]] = {}
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

    def _recorded_times(self, enterprise_id: Any) -> dict[int, datetime]:
        with self.ledger.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(
                "SELECT originator_version, recorded_at FROM record_log WHERE originator_id = %s",
                (enterprise_id,),
            ).fetchall()
        return {r["originator_version"]: r["recorded_at"] for r in rows}
