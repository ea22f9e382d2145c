"""domain.audit and domain.signed_note: the verification of a log against its leaves and signed
checkpoints names the first changed row and the kind of change; notes are Go's signed notes;
a witness refuses a checkpoint of another key or one that does not extend what it saw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain import merkle
from domain.audit import (
    EventRow,
    LogEntry,
    RecordRow,
    StoredLeaf,
    accept_checkpoint,
    leaf_data,
    leaf_of,
    merge_entries,
    open_checkpoints,
    verify_log,
)
from domain.errors import CheckpointRefusedError, VerificationError
from domain.signed_note import Checkpoint, SignerKey, VerifierKey, open_note, sign_checkpoint

# golang.org/x/mod/sumdb/note's documented example: Ed25519 is deterministic, so our signer must
# write the same note byte for byte, and any Go-speaking witness reads ours.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

SIGNER = SignerKey.generate("test.example/log")
KEY = SIGNER.verifier


def test_our_notes_are_byte_for_byte_those_of_gos_note_package() -> None:
    signer = SignerKey.parse(GO_SIGNER)
    assert signer.verifier.encode() == GO_VERIFIER
    assert signer.sign(GO_TEXT) == GO_NOTE
    assert open_note(GO_NOTE, VerifierKey.parse(GO_VERIFIER)) == GO_TEXT
    with pytest.raises(CheckpointRefusedError):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), VerifierKey.parse(GO_VERIFIER))


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    note = sign_checkpoint(Checkpoint("test.example/log", 3, b"\x01" * 32), SignerKey.generate("test.example/log"))
    with pytest.raises(CheckpointRefusedError, match="not signed by the trusted key"):
        open_checkpoints([note], KEY, None)
    with pytest.raises(CheckpointRefusedError):
        accept_checkpoint(None, note, KEY, [])


def record(i: int) -> RecordRow:
    return RecordRow(
        UUID(int=i % 3 + 1),
        i + 1,  # the record of the event at position i: its enterprise and version
        f"9112011{i:011d}",
        "penalty.decided",
        date(2024, 1, 1) + timedelta(days=i),
        "TJ-ENF",
        f"津市监罚〔2024〕{i}号",
        f"fp{i}",
        datetime(2024, 5, 1, tzinfo=UTC) + timedelta(microseconds=i * 1_000_001),
    )


def ledger(n: int = 20) -> tuple[list[LogEntry], list[StoredLeaf], list[Checkpoint]]:
    """A log of n events (notification ids with a gap, as rolled-back writes leave), its leaves
    and checkpoints at 8, 16 and n."""
    entries, leaves, tree = [], [], merkle.CompactRange()
    checkpoints = []
    for position in range(n):
        nid = position + 1 + (position >= 5)  # notification id 6 was never committed
        entry = LogEntry(
            nid,
            EventRow(UUID(int=position % 3 + 1), position + 1, "domain.enterprise:E", b'{"x":%d}' % position),
            record(position),
        )
        entries.append(entry)
        leaf = leaf_of(nid, entry.event, entry.record)
        assert leaf is not None
        leaves.append(StoredLeaf(position, nid, leaf))
        tree.append(leaf)
        if tree.size in (8, 16, n):
            checkpoints.append(Checkpoint("test.example/log", tree.size, tree.root()))
    return entries, leaves, checkpoints


def failure(entries: list[LogEntry], leaves: list[StoredLeaf], checkpoints: list[Checkpoint]) -> VerificationError:
    with pytest.raises(VerificationError) as caught:
        verify_log(entries, leaves, checkpoints)
    return caught.value


def test_an_untouched_log_verifies_up_to_its_latest_checkpoint() -> None:
    report = verify_log(*ledger())
    assert (report.leaves, report.entries, report.signed_size, report.unsigned) == (20, 20, 20, 0)


def test_an_edited_event_is_named_with_its_notification_id_enterprise_and_record() -> None:
    entries, leaves, checkpoints = ledger()
    entries[9] = replace(entries[9], event=replace(entries[9].event, state=b'{"x":999}'))  # type: ignore[type-var]
    error = failure(entries, leaves, checkpoints)
    assert (error.kind, error.notification_id, error.uscc, error.record) == (
        "edited", 11, entries[9].record.uscc, f"TJ-ENF/{entries[9].record.record_id}")  # type: ignore[union-attr]  # fmt: skip


def test_a_changed_record_log_row_is_an_edit_of_its_position() -> None:
    entries, leaves, checkpoints = ledger()
    entries[3] = replace(entries[3], record=replace(entries[3].record, recorded_at=datetime(2030, 1, 1, tzinfo=UTC)))  # type: ignore[type-var]
    assert (failure(entries, leaves, checkpoints).kind, failure(entries, leaves, checkpoints).notification_id) == (
        "edited",
        4,
    )


def test_a_deleted_event_is_named_by_the_record_log_row_left_behind() -> None:
    entries, leaves, checkpoints = ledger()
    entries[12] = replace(entries[12], event=None)
    error = failure(entries, leaves, checkpoints)
    assert (error.kind, error.notification_id, error.uscc) == ("deleted", 14, entries[12].record.uscc)  # type: ignore[union-attr]


def test_a_row_deleted_with_its_record_log_row_is_still_found_by_its_leaf() -> None:
    entries, leaves, checkpoints = ledger()
    del entries[12]
    assert (failure(entries, leaves, checkpoints).kind, failure(entries, leaves, checkpoints).notification_id) == (
        "deleted",
        14,
    )


def test_an_inserted_row_has_no_leaf() -> None:
    entries, leaves, checkpoints = ledger()
    entries.insert(5, LogEntry(6, EventRow(UUID(int=9), 1, "t", b"{}"), record(99)))  # into the gap
    error = failure(entries, leaves, checkpoints)
    assert (error.kind, error.notification_id) == ("inserted", 6)
    entries, leaves, checkpoints = ledger()
    entries.append(LogEntry(99, EventRow(UUID(int=9), 1, "t", b"{}"), None))  # after the last leaf
    assert failure(entries, leaves, checkpoints).kind == "inserted"


def swapped(entries: list[LogEntry], a: int, b: int, *, with_records: bool) -> list[LogEntry]:
    out = list(entries)
    ea, eb = entries[a], entries[b]
    out[a] = replace(ea, event=eb.event, record=eb.record if with_records else ea.record)
    out[b] = replace(eb, event=ea.event, record=ea.record if with_records else eb.record)
    return out


@pytest.mark.parametrize("with_records", [False, True], ids=["events only", "events and record_log rows"])
def test_two_rows_with_swapped_ids_are_re_ordered(with_records: bool) -> None:
    entries, leaves, checkpoints = ledger()
    error = failure(swapped(entries, 2, 15, with_records=with_records), leaves, checkpoints)
    assert (error.kind, error.notification_id, error.extra["recorded_at_notification_id"]) == ("re-ordered", 3, 17)


def test_an_event_moved_to_a_new_id_is_re_ordered() -> None:
    entries, leaves, checkpoints = ledger()
    moved = entries.pop(4)
    entries.append(replace(moved, notification_id=50))
    error = failure(entries, leaves, checkpoints)
    assert (error.kind, error.notification_id, error.extra["recorded_at_notification_id"]) == ("re-ordered", 50, 5)


def test_rows_rewritten_with_their_leaves_are_caught_by_the_signed_root_between_two_checkpoints() -> None:
    entries, leaves, checkpoints = ledger()
    entries[10] = replace(entries[10], event=replace(entries[10].event, state=b"{}"))  # type: ignore[type-var]
    leaves[10] = replace(leaves[10], hash=leaf_of(entries[10].notification_id, entries[10].event, entries[10].record))  # type: ignore[arg-type]
    error = failure(entries, leaves, checkpoints)
    assert (error.kind, error.extra["first_position"], error.extra["checkpoint"]) == ("rewritten", 8, 16)


def test_a_checkpoint_of_more_leaves_than_are_stored_is_a_deletion() -> None:
    entries, leaves, checkpoints = ledger()
    assert failure(entries[:-1], leaves[:-1], checkpoints).kind == "deleted"


def test_a_witness_accepts_an_extension_and_refuses_a_rewritten_log_or_a_rollback() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(12)]
    subtree: Callable[[int, int], bytes] = lambda a, b: merkle.root_of(leaves[a:b])  # noqa: E731
    seen = Checkpoint("test.example/log", 5, merkle.root_of(leaves[:5]))
    later = sign_checkpoint(Checkpoint("test.example/log", 12, merkle.root_of(leaves)), SIGNER)
    assert accept_checkpoint(seen, later, KEY, merkle.consistency_proof(5, 12, subtree)).size == 12

    forked = [*leaves[:3], merkle.leaf_hash(b"rewritten"), *leaves[4:]]
    forked_note = sign_checkpoint(Checkpoint("test.example/log", 12, merkle.root_of(forked)), SIGNER)
    forked_proof = merkle.consistency_proof(5, 12, lambda a, b: merkle.root_of(forked[a:b]))
    with pytest.raises(CheckpointRefusedError, match="not an extension of checkpoint 5"):
        accept_checkpoint(seen, forked_note, KEY, forked_proof)
    older = sign_checkpoint(Checkpoint("test.example/log", 4, merkle.root_of(leaves[:4])), SIGNER)
    with pytest.raises(CheckpointRefusedError, match="older"):
        accept_checkpoint(seen, older, KEY, [])


def test_a_witnessed_checkpoint_the_log_no_longer_extends_is_refused_by_verify() -> None:
    entries, leaves, checkpoints = ledger()
    witnessed = Checkpoint("test.example/log", 10, b"\x07" * 32)
    with pytest.raises(CheckpointRefusedError, match="not an extension of checkpoint 10"):
        verify_log(entries, leaves, checkpoints, witnessed=witnessed)


def test_leaf_bytes_follow_the_documented_layout() -> None:
    event = EventRow(UUID(int=1), 2, "t", b"ab")
    data = leaf_data(7, event, None)
    assert data == b"\x01" + (7).to_bytes(8, "big") + UUID(int=1).bytes + (2).to_bytes(8, "big") + (
        b"\x00\x00\x00\x01t" + b"\x00\x00\x00\x02ab" + b"\x00")  # fmt: skip
    assert leaf_data(7, replace(event, topic=None), None)[33:37] == b"\xff\xff\xff\xff"


def test_merging_events_and_record_log_rows_is_a_full_join_on_notification_id() -> None:
    e, r = EventRow(UUID(int=1), 1, "t", b""), record(1)
    merged = list(merge_entries([(1, e), (3, e)], [(2, r), (3, r)]))
    assert merged == [LogEntry(1, e, None), LogEntry(2, None, r), LogEntry(3, e, r)]
