"""The audit log in pure terms: the leaf of each stored event, and the verification of a stored
log against its leaves and its signed checkpoints (docs/audit.md).

A leaf covers everything that makes one position of the log: the event row (notification id,
enterprise id, version, topic, stored bytes) and the `record_log` row of the same notification
id (every column: recorded time, idempotency key, ...). Its bytes (`leaf_data`) are the ones
migration 0040's `audit_leaf_hash()` hashes in the database; a test holds the two together.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain import merkle
from domain.errors import CheckpointRefusedError, VerificationError
from domain.signed_note import Checkpoint, VerifierKey, open_checkpoint

LEAF_FORMAT = 1
_EPOCH, _EPOCH_DAY, _MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), date(1970, 1, 1), timedelta(microseconds=1)
_NULL = b"\xff\xff\xff\xff"  # the length of an absent text or byte string: no present one is that long
KEPT_CHANGES = 1000  # changes kept to tell a move from an edit; all are counted


@dataclass(frozen=True)
class EventRow:
    originator_id: UUID
    originator_version: int
    topic: str | None
    state: bytes | None


@dataclass(frozen=True)
class RecordRow:
    """A `record_log` row, less its notification id (the entry's)."""

    originator_id: UUID
    originator_version: int
    uscc: str
    record_type: str
    effective_on: date
    department: str
    record_id: str
    fingerprint: str
    recorded_at: datetime


@dataclass(frozen=True)
class LogEntry:
    """One notification id of the stored log: its event and its record_log row (either may be missing)."""

    notification_id: int
    event: EventRow | None
    record: RecordRow | None


@dataclass(frozen=True)
class StoredLeaf:
    position: int
    notification_id: int
    hash: bytes


def _bytes(value: bytes | None) -> bytes:
    return _NULL if value is None else struct.pack(">i", len(value)) + value


def _text(value: str | None) -> bytes:
    return _bytes(None if value is None else value.encode())


def leaf_data(notification_id: int, event: EventRow, record: RecordRow | None) -> bytes:
    """The canonical bytes of one position of the log (format 1, docs/audit.md)."""
    data = (
        bytes([LEAF_FORMAT])
        + struct.pack(">q", notification_id)
        + event.originator_id.bytes
        + struct.pack(">q", event.originator_version)
        + _text(event.topic)
        + _bytes(event.state)
    )
    if record is None:
        return data + b"\x00"
    return (
        data
        + b"\x01"
        + record.originator_id.bytes
        + struct.pack(">qq", record.originator_version, (record.recorded_at - _EPOCH) // _MICROSECOND)
        + _text(record.uscc)
        + _text(record.record_type)
        + struct.pack(">i", (record.effective_on - _EPOCH_DAY).days)
        + _text(record.department)
        + _text(record.record_id)
        + _text(record.fingerprint)
    )


def leaf_of(notification_id: int, event: EventRow | None, record: RecordRow | None) -> bytes | None:
    """The leaf hash, or None where no leaf can be made (no event; a NOT NULL column emptied)."""
    if event is None:
        return None
    try:
        return merkle.leaf_hash(leaf_data(notification_id, event, record))
    except (TypeError, AttributeError, struct.error):
        return None


def merge_entries(
    events: Iterable[tuple[int, EventRow]], records: Iterable[tuple[int, RecordRow]]
) -> Iterator[LogEntry]:
    """Events and record_log rows, each in notification-id order, joined on it (a full join)."""
    events_, records_ = iter(events), iter(records)
    e, r = next(events_, None), next(records_, None)
    while e is not None or r is not None:
        if r is None or (e is not None and e[0] < r[0]):
            assert e is not None
            yield LogEntry(e[0], e[1], None)
            e = next(events_, None)
        elif e is None or r[0] < e[0]:
            yield LogEntry(r[0], None, r[1])
            r = next(records_, None)
        else:
            yield LogEntry(e[0], e[1], r[1])
            e, r = next(events_, None), next(records_, None)


@dataclass
class Change:
    kind: str
    notification_id: int
    entry: LogEntry | None
    stored: StoredLeaf | None


@dataclass
class VerificationReport:
    start: int
    leaves: int = 0
    entries: int = 0
    checkpoints: int = 0
    signed_size: int = 0
    changes: list[Change] = field(default_factory=list)
    changed: int = 0

    @property
    def size(self) -> int:
        return self.start + self.leaves

    @property
    def unsigned(self) -> int:
        return max(0, self.size - self.signed_size)

    def summary(self) -> str:
        return (
            f"verified {self.leaves} leaves from position {self.start} ({self.entries} stored rows) against "
            f"{self.checkpoints} signed checkpoints up to size {self.signed_size}; {self.unsigned} not yet signed"
        )


def open_checkpoints(notes: Iterable[str], key: VerifierKey, origin: str | None) -> list[Checkpoint]:
    """Every note opened with `key`, by size; refused at the first that is not signed by it."""
    opened: dict[int, Checkpoint] = {}
    for note in notes:
        try:
            checkpoint = open_checkpoint(note, key, origin)
        except CheckpointRefusedError as exc:
            size = note.split("\n")[1] if note.count("\n") > 1 else "?"
            raise CheckpointRefusedError(f"checkpoint of size {size} refused: {exc.detail}") from None
        seen = opened.setdefault(checkpoint.size, checkpoint)
        if seen.root != checkpoint.root:
            raise CheckpointRefusedError(f"two checkpoints of size {checkpoint.size} with different roots")
    return [opened[size] for size in sorted(opened)]


def verify_log(
    entries: Iterable[LogEntry],
    leaves: Iterable[StoredLeaf],
    checkpoints: Sequence[Checkpoint],
    *,
    start: int = 0,
    base: merkle.CompactRange | None = None,
    witnessed: Checkpoint | None = None,
) -> VerificationReport:
    """Recompute every leaf from the stored rows, compare it with the stored leaf of its
    notification id, and the roots of the stored leaves with the signed checkpoints (already
    opened with the trusted key). Raises `VerificationError` naming the first changed row and
    the kind of change; returns the report otherwise.

    Every checkpoint's root is recomputed from one sequence of leaves, which proves each one an
    extension of those before it (what a consistency proof shows to whoever lacks the leaves).

    `start` > 0 verifies from that position on (a bundle made `--from` it): `base` is the
    compact range of the tree there, which must give the root of the checkpoint of that size.
    `witnessed`, a checkpoint seen before (a witness's), must be one the log still extends."""
    tree = merkle.CompactRange(base.size, base.hashes) if base else merkle.CompactRange()
    if tree.size != start:
        raise ValueError("the compact range must be the tree at `start`")
    pending = [c for c in checkpoints if c.size > start]
    if start:
        at_start = next((c for c in checkpoints if c.size == start), None)
        if at_start is None or at_start.root != tree.root():
            raise VerificationError(f"the tree before position {start} is not the one checkpoint {start} signed")
    if witnessed is not None:
        _check_witnessed(witnessed, checkpoints, start, tree)
    report = VerificationReport(start=start, checkpoints=len(checkpoints), signed_size=start)
    rewritten: tuple[int, int] | None = None

    def change(kind: str, nid: int, entry: LogEntry | None, stored: StoredLeaf | None) -> None:
        report.changed += 1
        if len(report.changes) < KEPT_CHANGES:
            report.changes.append(Change(kind, nid, entry, stored))

    def feed(leaf: StoredLeaf, previous_nid: int) -> None:
        nonlocal rewritten
        if leaf.position != tree.size or leaf.notification_id <= previous_nid:
            raise VerificationError(
                f"the stored leaves are out of order at position {leaf.position} (notification id "
                f"{leaf.notification_id}): the leaves table was changed",
                kind="rewritten",
                notification_id=leaf.notification_id,
            )
        tree.append(leaf.hash)
        report.leaves += 1
        if witnessed is not None and witnessed.size == tree.size and witnessed.root != tree.root():
            raise CheckpointRefusedError(
                f"the log is not an extension of checkpoint {witnessed.size}, already witnessed: it was rewritten"
            )
        while pending and pending[0].size == tree.size:
            checkpoint = pending.pop(0)
            if checkpoint.root != tree.root() and rewritten is None:
                rewritten = (report.signed_size, checkpoint.size)
            if rewritten is None:
                report.signed_size = checkpoint.size

    entries_, leaves_ = iter(entries), iter(leaves)
    e, leaf, last_nid = next(entries_, None), next(leaves_, None), -1
    while e is not None or leaf is not None:
        if leaf is not None and (e is None or leaf.notification_id < e.notification_id):
            change("deleted", leaf.notification_id, None, leaf)
            feed(leaf, last_nid)
            last_nid, leaf = leaf.notification_id, next(leaves_, None)
            continue
        assert e is not None
        report.entries += 1
        if leaf is None or e.notification_id < leaf.notification_id:
            change("inserted", e.notification_id, e, None)
        else:
            if e.event is None:
                change("deleted", e.notification_id, e, leaf)
            elif leaf_of(e.notification_id, e.event, e.record) != leaf.hash:
                change("edited", e.notification_id, e, leaf)
            feed(leaf, last_nid)
            last_nid, leaf = leaf.notification_id, next(leaves_, None)
        e = next(entries_, None)

    if report.changes:
        raise _named(report.changes[0], report.changes, report.changed - 1)
    if rewritten is not None:
        first, signed = rewritten
        raise VerificationError(
            f"rewritten: every stored row matches its stored leaf, but the leaves do not give the root that "
            f"checkpoint {signed} signed: rows and leaves were rewritten together between positions {first} and "
            f"{signed - 1}",
            kind="rewritten",
            first_position=first,
            checkpoint=signed,
        )
    if pending:
        raise VerificationError(
            f"deleted: checkpoint {pending[-1].size} signed {pending[-1].size} leaves; {tree.size} are stored",
            kind="deleted",
            checkpoint=pending[-1].size,
        )
    return report


def _check_witnessed(
    witnessed: Checkpoint, checkpoints: Sequence[Checkpoint], start: int, tree: merkle.CompactRange
) -> None:
    latest = checkpoints[-1].size if checkpoints else 0
    if latest < witnessed.size:
        raise CheckpointRefusedError(
            f"the latest checkpoint ({latest}) is older than checkpoint {witnessed.size}, already witnessed"
        )
    if witnessed.size < start:
        raise CheckpointRefusedError(f"the bundle starts at {start}, after the witnessed checkpoint {witnessed.size}")
    if witnessed.size == start and witnessed.root != tree.root():
        raise CheckpointRefusedError(f"the log is not an extension of checkpoint {witnessed.size}, already witnessed")


def _own_record(event: EventRow, entry: LogEntry, changes: Sequence[Change]) -> RecordRow | None:
    """The record_log row written with `event` (found by its enterprise and version among the
    changed rows: a move may have carried the event without its row)."""
    for c in changes:
        record = c.entry.record if c.entry else None
        if record and (record.originator_id, record.originator_version) == (
            event.originator_id,
            event.originator_version,
        ):
            return record
    return entry.record


def _moved(first: Change, changes: Sequence[Change]) -> tuple[Change, Change] | None:
    """(where the event is stored, where it was recorded) if the first change is an event moved
    to another notification id: its leaf, made at the other id, is the leaf stored there."""
    holders = [c for c in changes if c.entry is not None and c.entry.event is not None]
    leaves = [c for c in changes if c.stored is not None]
    for stored_at in [first] if first in holders else holders:
        assert stored_at.entry is not None and stored_at.entry.event is not None
        record = _own_record(stored_at.entry.event, stored_at.entry, changes)
        for recorded_at in leaves if stored_at is first else [first]:
            if recorded_at.stored is None or recorded_at.notification_id == stored_at.notification_id:
                continue
            if leaf_of(recorded_at.notification_id, stored_at.entry.event, record) == recorded_at.stored.hash:
                return stored_at, recorded_at
    return None


def _describe(entry: LogEntry | None) -> dict[str, Any]:
    """What names a row: its enterprise (USCC from its record_log row, else the event's
    enterprise id) and its record (department/record id)."""
    named: dict[str, Any] = {}
    if entry is not None and entry.record is not None:
        named["uscc"] = entry.record.uscc
        named["record"] = f"{entry.record.department}/{entry.record.record_id}"
    if entry is not None and entry.event is not None:
        named["enterprise_id"] = str(entry.event.originator_id)
    return named


def _row(named: dict[str, Any]) -> str:
    enterprise = named.get("uscc") or (f"id {named['enterprise_id']}" if "enterprise_id" in named else "unknown")
    return f"enterprise {enterprise}, record {named.get('record', 'unknown')}"


def _named(first: Change, changes: Sequence[Change], others: int) -> VerificationError:
    more = f" ({others} more changed rows)" if others else ""
    moved = _moved(first, changes)
    if moved is not None:
        stored_at, recorded_at = moved
        assert stored_at.entry is not None and stored_at.entry.event is not None
        own = _own_record(stored_at.entry.event, stored_at.entry, changes)
        named = _describe(replace(stored_at.entry, record=own))  # the moved event's own record
        return VerificationError(
            f"re-ordered: the event of {_row(named)}, recorded at notification id {recorded_at.notification_id}, "
            f"is stored at notification id {stored_at.notification_id}{more}",
            kind="re-ordered",
            notification_id=stored_at.notification_id,
            recorded_at_notification_id=recorded_at.notification_id,
            **named,
        )
    named = _describe(first.entry)
    position = f" (leaf {first.stored.position})" if first.stored else ""
    why = {
        "edited": "its stored bytes or its record_log row changed since it was recorded",
        "deleted": "it was recorded (it has a leaf) but its event is no longer stored",
        "inserted": "it is stored but was never recorded (it has no leaf)",
    }[first.kind]
    if first.kind == "inserted" and first.entry is not None and first.entry.event is None:
        why = "a record_log row with no event and no leaf"
    return VerificationError(
        f"{first.kind}: notification id {first.notification_id}{position}, {_row(named)}: {why}{more}",
        kind=first.kind,
        notification_id=first.notification_id,
        **named,
    )


def accept_checkpoint(
    previous: Checkpoint | None, note: str, key: VerifierKey, proof: Sequence[bytes], origin: str | None = None
) -> Checkpoint:
    """A witness's step: the new checkpoint, if `key` signed it and it extends `previous` (the
    last one this witness accepted) by the consistency `proof`; refused otherwise."""
    checkpoint = open_checkpoint(note, key, origin or (previous.origin if previous else None))
    if previous is None:
        return checkpoint
    if checkpoint.size < previous.size:
        raise CheckpointRefusedError(
            f"checkpoint {checkpoint.size} is older than checkpoint {previous.size}, already witnessed"
        )
    if not merkle.verify_consistency(previous.size, checkpoint.size, proof, previous.root, checkpoint.root):
        raise CheckpointRefusedError(
            f"checkpoint {checkpoint.size} is not an extension of checkpoint {previous.size}, already witnessed: "
            "the log was rewritten"
        )
    return checkpoint
