"""The audit log in PostgreSQL: leaves written in the events' own transaction (never by a
follower), the database and Python encode every leaf alike, checkpoints are signed as due,
proofs from the stored tree are RFC 6962's, and a replay can verify what it reads."""

from __future__ import annotations

import hashlib
import random
import threading
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import audit_log
from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from domain import merkle
from domain.audit import EventRow, RecordRow, leaf_of
from domain.enterprise import Enterprise
from domain.errors import VerificationError, WriterBusyError
from domain.signed_note import open_checkpoint
from tests.integration.test_projection_parity import submit_in_steps


def stored(conn: psycopg.Connection[Any]) -> tuple[list[int], list[tuple[int, int]]]:
    events = [n for (n,) in conn.execute("SELECT notification_id FROM ledger_events ORDER BY 1")]
    leaves = [(p, n) for p, n in conn.execute("SELECT position, notification_id FROM audit_leaves ORDER BY 1")]
    return events, leaves


def test_every_event_written_through_intake_has_the_leaf_python_computes(runtime: Runtime) -> None:
    submit_in_steps(runtime, [list(generate(15, 3, profile="demo"))])
    with runtime.server.connect() as conn:
        events, leaves = stored(conn)
        assert leaves == list(enumerate(events))  # a gap-free prefix in notification-id order
        entries = list(audit_log.log_entries(conn))
        stored_hashes = {leaf.notification_id: leaf.hash for leaf in audit_log.stored_leaves(conn)}
    assert entries and all(
        leaf_of(e.notification_id, e.event, e.record) == stored_hashes[e.notification_id] for e in entries
    )


texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    topic=st.none() | texts,
    state=st.none() | st.binary(max_size=40),
    version=st.integers(-(2**63), 2**63 - 1),
    with_record=st.booleans(),
    strings=st.lists(texts, min_size=5, max_size=5),
    day=st.dates(date(1, 1, 1), date(9999, 12, 31)),
    at=st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC)),
)
def test_the_database_and_python_encode_any_row_alike(
    test_server: Server,
    topic: str | None,
    state: bytes | None,
    version: int,
    with_record: bool,
    strings: list[str],
    day: date,
    at: datetime,
) -> None:
    event = EventRow(UUID(int=random.getrandbits(128)), version, topic, state)
    record = RecordRow(UUID(int=7), -version if version > -(2**63) else 0, *strings[:2], day, *strings[2:], at)
    with test_server.connect() as conn:
        row = conn.execute(
            "SELECT audit_leaf_hash(%s, %s, %s, %s, %s, "
            "CASE WHEN %s THEN ROW(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)::record_log END)",
            (42, event.originator_id, event.originator_version, topic, state, with_record, 42,
             record.originator_id, record.originator_version, record.uscc, record.record_type, record.effective_on,
             record.department, record.record_id, record.fingerprint, record.recorded_at),
        ).fetchone()  # fmt: skip
    assert row is not None and bytes(row[0]) == leaf_of(42, event, record if with_record else None)


def test_an_event_whose_leaf_cannot_be_written_is_not_stored_either(runtime: Runtime) -> None:
    """The leaf is written in the events' own transaction: make it fail, and the save fails whole
    (a follower would have stored the event and written the leaf later, or never)."""
    records = list(generate(3, 5, profile="demo"))
    submit_in_steps(runtime, [records[:1]])
    with runtime.server.connect(autocommit=True) as conn:
        before = stored(conn)
        conn.execute("ALTER TABLE audit_leaves ADD CONSTRAINT no_more_leaves CHECK (false) NOT VALID")
    try:
        with pytest.raises(WriterBusyError):  # the constraint fails each attempt, as a conflict would
            submit_in_steps(runtime, [records[1:]])
    finally:
        with runtime.server.connect(autocommit=True) as conn:
            conn.execute("ALTER TABLE audit_leaves DROP CONSTRAINT no_more_leaves")
            assert stored(conn) == before


@pytest.mark.slow
def test_no_snapshot_ever_sees_a_committed_event_without_its_leaf_under_concurrent_writers(runtime: Runtime) -> None:
    records = list(generate(60, 8, profile="demo"))
    by_enterprise: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_enterprise.setdefault(r["uscc"], []).append(r)
    groups = list(by_enterprise.values())
    done, seen = threading.Event(), []

    def write(part: list[list[dict[str, Any]]]) -> None:
        for batch in part:
            submit_in_steps(runtime, [batch])

    def watch() -> None:
        with runtime.server.connect() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            while not done.is_set():
                with conn.transaction():
                    events, leaves = stored(conn)
                    seen.append(len(events))
                    assert leaves == list(enumerate(events))

    writers = [threading.Thread(target=write, args=(groups[k::3],)) for k in range(3)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    done.set()
    watcher.join()
    assert len(set(seen)) > 3  # the watcher saw the log grow, and a full prefix of leaves each time
    with runtime.server.connect() as conn:
        events, leaves = stored(conn)
    assert len(events) == len(records) and leaves == list(enumerate(events))


def test_a_rolled_back_write_leaves_a_gap_in_notification_ids_and_none_in_positions(runtime: Runtime) -> None:
    records = list(generate(4, 9, profile="demo"))
    submit_in_steps(runtime, [records[:2]])
    with runtime.server.connect(autocommit=True) as conn:
        conn.execute("SELECT nextval('ledger_events_notification_id_seq')")  # what a rolled-back insert leaves
    submit_in_steps(runtime, [records[2:]])
    with runtime.server.connect() as conn:
        events, leaves = stored(conn)
    assert events != list(range(1, len(events) + 1)) and leaves == list(enumerate(events))


def synthetic_leaves(server: Server, n: int) -> list[bytes]:
    with server.connect() as conn:
        conn.execute(
            "INSERT INTO audit_leaves SELECT i, 3 * i + 1, sha256(int8send(i)) FROM generate_series(0, %s - 1) i", (n,)
        )
        conn.commit()
        return [bytes(h) for (h,) in conn.execute("SELECT leaf_hash FROM audit_leaves ORDER BY position")]


def test_checkpoints_are_signed_at_every_thousand_leaves_and_at_the_size_when_the_interval_passed(
    runtime: Runtime,
) -> None:
    leaves = synthetic_leaves(runtime.server, 2600)
    checkpointer = runtime.checkpointer
    assert checkpointer.step() == [1000, 2000, 2600]  # the first as soon as there are leaves
    assert checkpointer.step() == []
    with runtime.server.connect() as conn:
        conn.execute("INSERT INTO audit_leaves VALUES (2600, 99999, sha256('x'))")
        conn.commit()
    assert checkpointer.step() == []  # 1 new leaf, 5 minutes not passed
    assert checkpointer.step(now=True) == [2601]
    with runtime.server.connect() as conn:
        latest = audit_log.latest_checkpoint(conn)
        nodes = conn.execute("SELECT level, index FROM audit_nodes ORDER BY 1, 2").fetchall()
    assert latest is not None
    checkpoint = open_checkpoint(latest.note, runtime.signer.verifier, runtime.settings.log_origin)
    assert checkpoint.root == merkle.root_of([*leaves, hashlib.sha256(b"x").digest()])
    assert nodes == [(10, 0), (10, 1), (11, 0)]


def test_several_signers_at_once_sign_each_size_once(runtime: Runtime) -> None:
    synthetic_leaves(runtime.server, 5000)
    results: list[list[int]] = []
    threads = [threading.Thread(target=lambda: results.append(runtime.checkpointer.step())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.append(runtime.checkpointer.step())
    signed = sorted(s for r in results for s in r)
    assert signed == [1000, 2000, 3000, 4000, 5000]


def test_proofs_from_the_stored_tree_are_those_of_the_whole_list_of_leaves(runtime: Runtime) -> None:
    leaves = synthetic_leaves(runtime.server, 3100)
    runtime.checkpointer.step()  # caches subtrees of 1,024 leaves and more, up to 3,000
    memory = lambda a, b: merkle.root_of(leaves[a:b])  # noqa: E731
    rng = random.Random(4)
    with runtime.server.connect() as conn:
        tree = audit_log.StoredTree(conn)
        for _ in range(25):
            size = rng.randint(1, 3100)
            position, first = rng.randrange(size), rng.randint(1, size)
            assert tree.inclusion(position, size) == merkle.inclusion_proof(position, size, memory)
            assert tree.consistency(first, size) == merkle.consistency_proof(first, size, memory)


def test_a_replay_verifies_its_enterprise_and_names_a_changed_row(runtime: Runtime) -> None:
    records = list(generate(6, 2, profile="demo"))
    submit_in_steps(runtime, [records])
    runtime.checkpointer.step(now=True)
    uscc = records[0]["uscc"]
    key = runtime.signer.verifier
    with runtime.server.connect() as conn:
        result = audit_log.verify_enterprise(conn, Enterprise.create_id(uscc), key)
        nid = conn.execute("SELECT max(notification_id) FROM record_log WHERE uscc = %s", (uscc,)).fetchone()[0]  # type: ignore[index]
        conn.execute("UPDATE record_log SET fingerprint = 'forged' WHERE notification_id = %s", (nid,))
        with pytest.raises(VerificationError) as caught:
            audit_log.verify_enterprise(conn, Enterprise.create_id(uscc), key)
    assert result["events"] == result["signed"] > 0
    assert (caught.value.kind, caught.value.notification_id, caught.value.uscc) == ("edited", nid, uscc)
