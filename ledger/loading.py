"""Loading many enterprises in one query: what bulk intake and projections need.

`repository.get` costs a round trip per aggregate; a batch of 500 records about 400
enterprises would spend most of its time waiting on those. Here one query fetches every
event of the given enterprises and each aggregate is rebuilt with the library's own
mapper and each event's `mutate`, as the repository does. (Not through the library's
`project_aggregate`: it asserts a runtime-checkable Protocol per event, which on Python 3.11
costs more than the event's mutation; every event here is one of ours.)
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.enterprise import Enterprise
from ledger.application import Ledger

SELECT_EVENTS = (
    "SELECT originator_id, originator_version, topic, state FROM ledger_events "
    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
)


def load_enterprises(ledger: Ledger, ids: Iterable[UUID]) -> dict[UUID, Enterprise]:
    """The current state of each enterprise that exists; absent ids are left out."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    events: dict[UUID, list[object]] = {}
    with ledger.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        for row in conn.execute(SELECT_EVENTS, (wanted,)):
            stored = StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            events.setdefault(row["originator_id"], []).append(ledger.mapper.to_domain_event(stored))
    loaded: dict[UUID, Enterprise] = {}
    for enterprise_id, domain_events in events.items():
        enterprise = None
        for event in domain_events:
            assert isinstance(event, Enterprise.Recorded)
            enterprise = event.mutate(enterprise)
        assert isinstance(enterprise, Enterprise)
        loaded[enterprise_id] = enterprise
    return loaded
