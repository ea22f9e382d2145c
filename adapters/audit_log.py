"""The audit log in PostgreSQL (docs/audit.md): leaves, proofs, the checkpoint signer, and the
verification of the live database.

Leaves are written by the recorder (adapters/recorder.py) with the events; everything here reads
them, except the signer, which adds checkpoints and the cached roots of large perfect subtrees.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from domain import merkle
from domain.audit import (
    EventRow,
    LogEntry,
    RecordRow,
    StoredLeaf,
    VerificationReport,
    leaf_of,
    merge_entries,
    open_checkpoints,
    verify_log,
)
from domain.errors import InvalidInputError, NotFoundError, Problem, VerificationError
from domain.signed_note import Checkpoint, SignerKey, VerifierKey, open_checkpoint, sign_checkpoint

log = logging.getLogger(__name__)

NODE_LEVEL = 10
"""Perfect subtrees of 2**10 leaves and more are kept in `audit_nodes`; smaller ones are
computed from at most one block of 1,024 leaves."""
SIGNER_LOCK = 0x41554449  # advisory lock: one checkpoint signer at a time across processes
PAGE = 20_000  # rows per fetch when streaming the log

EVENTS_FROM = (
    "SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events "
    "WHERE notification_id >= %s ORDER BY notification_id"
)
RECORDS = (
    "SELECT notification_id, originator_id, originator_version, uscc, record_type, effective_on, department, "
    "record_id, fingerprint, recorded_at FROM record_log "
)
RECORDS_FROM = RECORDS + "WHERE notification_id >= %s ORDER BY notification_id"
RECORDS_OF = RECORDS + "WHERE originator_id = %s"


def event_row(row: tuple[Any, ...]) -> tuple[int, EventRow]:
    state = row[4]
    return row[0], EventRow(row[1], row[2], row[3], None if state is None else bytes(state))


def record_row(row: tuple[Any, ...]) -> tuple[int, RecordRow]:
    return row[0], RecordRow(*row[1:])


def _stream(conn: psycopg.Connection[Any], name: str, query: str, params: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """A server-side cursor's rows (inside the caller's transaction), fetched a page at a time."""
    with conn.cursor(name=name) as cur:
        cur.itersize = PAGE
        cur.execute(query, params)
        yield from cur


def stored_leaves(conn: psycopg.Connection[Any], start: int = 0, end: int | None = None) -> Iterator[StoredLeaf]:
    query = "SELECT position, notification_id, leaf_hash FROM audit_leaves WHERE position >= %s"
    params: tuple[Any, ...] = (start,)
    if end is not None:
        query, params = query + " AND position < %s", (start, end)
    for position, notification_id, leaf in _stream(conn, "audit_leaves", query + " ORDER BY position", params):
        yield StoredLeaf(position, notification_id, bytes(leaf))


def log_entries(conn: psycopg.Connection[Any], from_notification_id: int = 0) -> Iterator[LogEntry]:
    """Every stored event and record_log row from a notification id on, joined on it."""
    events = map(event_row, _stream(conn, "audit_events", EVENTS_FROM, (from_notification_id,)))
    records = map(record_row, _stream(conn, "audit_records", RECORDS_FROM, (from_notification_id,)))
    return merge_entries(events, records)


def tree_size(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM audit_leaves").fetchone()
    return int(row[0]) if row else 0


def notification_id_at(conn: psycopg.Connection[Any], position: int) -> int | None:
    row = conn.execute("SELECT notification_id FROM audit_leaves WHERE position = %s", (position,)).fetchone()
    return int(row[0]) if row else None


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    signed_at: datetime

    def as_json(self) -> dict[str, Any]:
        import base64

        return {
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "note": self.note,
            "signed_at": self.signed_at.isoformat(),
        }


_CHECKPOINT = "SELECT tree_size, root_hash, note, signed_at FROM audit_checkpoints"


def latest_checkpoint(conn: psycopg.Connection[Any]) -> StoredCheckpoint | None:
    row = conn.execute(_CHECKPOINT + " ORDER BY tree_size DESC LIMIT 1").fetchone()
    return StoredCheckpoint(row[0], bytes(row[1]), row[2], row[3]) if row else None


def checkpoint_of_size(conn: psycopg.Connection[Any], size: int) -> StoredCheckpoint:
    row = conn.execute(_CHECKPOINT + " WHERE tree_size = %s", (size,)).fetchone()
    if row is None:
        raise NotFoundError(f"no checkpoint of size {size}; checkpoints are signed every so many events")
    return StoredCheckpoint(row[0], bytes(row[1]), row[2], row[3])


def checkpoint_notes(conn: psycopg.Connection[Any], from_size: int = 0) -> list[str]:
    rows = conn.execute("SELECT note FROM audit_checkpoints WHERE tree_size >= %s ORDER BY tree_size", (from_size,))
    return [note for (note,) in rows]


class StoredTree:
    """The Merkle tree of the stored leaves, as `merkle.Subtree` needs it: perfect subtrees from
    `audit_nodes` where the signer has kept them, otherwise from the leaves."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.size = tree_size(conn)
        self._memo: dict[tuple[int, int], bytes] = {}

    def _leaves(self, start: int, end: int) -> list[bytes]:
        rows = self.conn.execute(
            "SELECT leaf_hash FROM audit_leaves WHERE position >= %s AND position < %s ORDER BY position", (start, end)
        ).fetchall()
        if len(rows) != end - start:
            raise VerificationError(f"leaves {start} to {end - 1} are not all stored", kind="deleted")
        return [bytes(h) for (h,) in rows]

    def perfect(self, offset: int, level: int) -> bytes:
        key = (level, offset >> level)
        if key not in self._memo:
            if level >= NODE_LEVEL:
                row = self.conn.execute("SELECT hash FROM audit_nodes WHERE level = %s AND index = %s", key).fetchone()
                self._memo[key] = bytes(row[0]) if row else merkle.root_of(self._leaves(offset, offset + (1 << level)))
            else:
                block = offset >> NODE_LEVEL << NODE_LEVEL
                leaves = self._leaves(block, min(block + (1 << NODE_LEVEL), self.size))
                self._memo[key] = merkle.root_of(leaves[offset - block : offset - block + (1 << level)])
        return self._memo[key]

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of [start, end) for a start aligned as every range a proof asks for is."""
        pieces, offset, n = [], start, end - start
        for level in range(n.bit_length() - 1, -1, -1):
            if n >> level & 1:
                assert offset % (1 << level) == 0, "a range no RFC 6962 proof asks for"
                pieces.append(self.perfect(offset, level))
                offset += 1 << level
        root = pieces[-1]
        for left in reversed(pieces[:-1]):
            root = merkle.node_hash(left, root)
        return root

    def _check_size(self, size: int, name: str) -> None:
        if not 1 <= size <= self.size:
            raise InvalidInputError(
                "no such tree size", [Problem(name, f"must be between 1 and the tree's size, {self.size}")]
            )

    def inclusion(self, position: int, size: int) -> list[bytes]:
        self._check_size(size, "size")
        if not 0 <= position < size:
            raise InvalidInputError(
                "no such leaf", [Problem("position", f"must be between 0 and size - 1 ({size - 1})")]
            )
        return merkle.inclusion_proof(position, size, self.subtree)

    def consistency(self, first: int, second: int) -> list[bytes]:
        self._check_size(second, "to")
        if not 1 <= first <= second:
            raise InvalidInputError("no such tree size", [Problem("from", f"must be between 1 and to ({second})")])
        return merkle.consistency_proof(first, second, self.subtree)

    def leaf(self, position: int) -> bytes:
        return self._leaves(position, position + 1)[0]


class Checkpointer:
    """Signs a checkpoint at every multiple of `every` leaves, and at the tree's size once
    `interval` seconds passed since the last one (the first as soon as there is a leaf).
    Safe with several processes: one signs at a time (an advisory lock), the others skip."""

    def __init__(self, conninfo: str, signer: SignerKey, origin: str, *, every: int = 1000, interval: float = 300.0):
        self.conninfo, self.signer, self.origin = conninfo, signer, origin
        self.every, self.interval = every, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one step at a time per object
        self._conn: psycopg.Connection[Any] | None = None  # kept: the thread asks every second
        self.last_error: str | None = None

    def step(self, *, now: bool = False) -> list[int]:
        """Sign what is due (everything, with `now`); the sizes signed."""
        with self._lock:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self.conninfo)
            try:
                return self._step(self._conn, now)
            except psycopg.OperationalError:
                self._conn.close()
                raise

    def _step(self, conn: psycopg.Connection[Any], now: bool) -> list[int]:
        with conn.transaction():
            if not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (SIGNER_LOCK,)).fetchone()[0]:  # type: ignore[index]
                return []
            row = conn.execute(
                "SELECT tree_size, compact_range, extract(epoch FROM clock_timestamp() - signed_at) "
                "FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1"
            ).fetchone()
            last, hashes, age = (row[0], [bytes(h) for h in row[1]], float(row[2])) if row else (0, [], None)
            size = tree_size(conn)
            targets = list(range((last // self.every + 1) * self.every, size + 1, self.every))
            if size > last and (now or age is None or age >= self.interval) and size not in targets:
                targets.append(size)
            if not targets:
                return []
            tree, nodes, signed = merkle.CompactRange(last, hashes), [], []
            for leaf in stored_leaves(conn, last, targets[-1]):
                nodes += [n for n in tree.append(leaf.hash) if n[0] >= NODE_LEVEL]
                if tree.size == targets[0]:
                    targets.pop(0)
                    root = tree.root()
                    note = sign_checkpoint(Checkpoint(self.origin, tree.size, root), self.signer)
                    conn.execute(
                        "INSERT INTO audit_checkpoints (tree_size, root_hash, note, compact_range) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (tree_size) DO NOTHING",
                        (tree.size, root, note, tree.hashes),
                    )
                    signed.append(tree.size)
            if nodes:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO audit_nodes (level, index, hash) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        nodes,
                    )
            return signed

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, poll: float = 1.0) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(poll,), name="checkpoint-signer", daemon=True)
        self._thread.start()

    def _run(self, poll: float) -> None:
        backoff = poll
        while not self._stop.is_set():
            try:
                self.step()
                self.last_error, backoff = None, poll
            except Exception as exc:  # keep serving; the next step tries again
                log.exception("signing a checkpoint failed")
                self.last_error, backoff = f"{type(exc).__name__}: {exc}", min(backoff * 2, 30.0)
            self._stop.wait(backoff)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def snapshot(conninfo: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(conninfo)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


def verify_database(
    conninfo: str, key: VerifierKey, origin: str | None = None, witnessed: Checkpoint | None = None
) -> tuple[VerificationReport, list[str]]:
    """`credit-ledger verify --database`: the whole stored log, in one snapshot, against its
    leaves and the checkpoints signed by `key`. Raises `VerificationError` naming the first
    changed row. Every leaf is recomputed here, in Python, never by the database's functions:
    whoever could change the rows could change those too. Returns the report and the notes."""
    with snapshot(conninfo) as conn, conn.transaction():
        notes = checkpoint_notes(conn)
        checkpoints = open_checkpoints(notes, key, origin)
        return verify_log(log_entries(conn), stored_leaves(conn), checkpoints, witnessed=witnessed), notes


def verify_enterprise(
    conn: psycopg.Connection[Any], enterprise_id: UUID, key: VerifierKey, origin: str | None = None
) -> dict[str, Any]:
    """The stretch of the log a replay of one enterprise reads: each of its events' leaves
    recomputed and compared with the stored one, and proved by an inclusion proof in the latest
    signed checkpoint (events after it are only compared). Raises `VerificationError`.

    What it cannot see: an event deleted together with its record_log row after the
    enterprise's last remaining event (`credit-ledger verify` sees every deletion)."""
    latest = latest_checkpoint(conn)
    checkpoint = open_checkpoint(latest.note, key, origin) if latest else None
    rows = conn.execute(
        "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, l.position, l.leaf_hash "
        "FROM ledger_events e LEFT JOIN audit_leaves l ON l.notification_id = e.notification_id "
        "WHERE e.originator_id = %s ORDER BY e.originator_version",
        (enterprise_id,),
    ).fetchall()
    records = dict(map(record_row, conn.execute(RECORDS_OF, (enterprise_id,))))
    tree, signed = StoredTree(conn), 0
    for version, row in enumerate(rows, start=1):
        nid, event = event_row(row[:5])
        record = records.pop(nid, None)
        named: dict[str, Any] = {"notification_id": nid, "uscc": record.uscc if record else None}
        if record is not None:
            named["record"] = f"{record.department}/{record.record_id}"
        if event.originator_version != version:
            raise VerificationError(f"deleted: version {version} of the enterprise is missing", kind="deleted", **named)
        leaf, position = leaf_of(nid, event, record), row[5]
        if position is None:
            raise VerificationError(
                f"inserted: notification id {nid} was never recorded (no leaf)", kind="inserted", **named
            )
        if leaf != bytes(row[6]):
            raise VerificationError(
                f"edited: notification id {nid} changed since it was recorded", kind="edited", **named
            )
        if checkpoint is not None and position < checkpoint.size:
            proof = tree.inclusion(position, checkpoint.size)
            if not merkle.verify_inclusion(position, checkpoint.size, leaf, proof, checkpoint.root):
                raise VerificationError(
                    f"rewritten: notification id {nid} is not in the tree checkpoint {checkpoint.size} signed",
                    kind="rewritten",
                    **named,
                )
            signed += 1
    for nid, record in records.items():
        raise VerificationError(
            f"deleted: notification id {nid} has a record_log row but no event",
            kind="deleted",
            notification_id=nid,
            uscc=record.uscc,
            record=f"{record.department}/{record.record_id}",
        )
    return {"checkpoint": checkpoint.size if checkpoint else 0, "events": len(rows), "signed": signed}
