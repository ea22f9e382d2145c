"""The auditor's bundle (docs/audit.md): what `credit-ledger audit bundle` writes and
`credit-ledger verify DIR` reads, with no database and no network.

    manifest.json        format, origin, the first position (`from`), tree size, counts
    key.txt              the verifier key of the checkpoints' signer
    checkpoints/N.txt    every signed checkpoint of size N >= from, verbatim
    compact-range.txt    (from > 0) the roots of the perfect subtrees of the tree at `from`
    leaves.jsonl         {"position", "notification_id", "hash" (hex)} from position `from` on
    log.jsonl            {"notification_id", "event", "record"} for every stored event and
                         record_log row after the last leaf before `from`, in notification-id order
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from adapters.audit_log import log_entries, notification_id_at, snapshot, stored_leaves, tree_size
from domain import merkle
from domain.audit import EventRow, LogEntry, RecordRow, StoredLeaf, VerificationReport, open_checkpoints, verify_log
from domain.errors import VerificationError
from domain.signed_note import Checkpoint, VerifierKey

FORMAT = "credit-ledger-audit-bundle/1"


def _event_json(event: EventRow | None) -> dict[str, Any] | None:
    if event is None:
        return None
    state = None if event.state is None else base64.b64encode(event.state).decode()
    return {
        "originator_id": str(event.originator_id),
        "originator_version": event.originator_version,
        "topic": event.topic,
        "state": state,
    }


def _record_json(record: RecordRow | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "originator_id": str(record.originator_id),
        "originator_version": record.originator_version,
        "uscc": record.uscc,
        "record_type": record.record_type,
        "effective_on": record.effective_on.isoformat(),
        "department": record.department,
        "record_id": record.record_id,
        "fingerprint": record.fingerprint,
        "recorded_at": record.recorded_at.isoformat(timespec="microseconds"),
    }


def write_bundle(conninfo: str, out: Path, key: VerifierKey, origin: str, from_size: int = 0) -> dict[str, Any]:
    """Write the bundle of one snapshot of the log; it starts at the largest checkpoint of size
    <= `from_size` (0: the whole log). Returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "checkpoints").mkdir(exist_ok=True)
    with snapshot(conninfo) as conn, conn.transaction():
        row = conn.execute(
            "SELECT tree_size, compact_range FROM audit_checkpoints WHERE tree_size <= %s "
            "ORDER BY tree_size DESC LIMIT 1",
            (from_size,),
        ).fetchone()
        start, hashes = (int(row[0]), [bytes(h) for h in row[1]]) if row and from_size else (0, [])
        size = tree_size(conn)
        checkpoints = conn.execute(
            "SELECT tree_size, note FROM audit_checkpoints WHERE tree_size >= %s ORDER BY tree_size", (start,)
        ).fetchall()
        for checkpoint_size, note in checkpoints:
            (out / "checkpoints" / f"{checkpoint_size}.txt").write_text(note, encoding="utf-8", newline="")
        if start:
            (out / "compact-range.txt").write_text("".join(base64.b64encode(h).decode() + "\n" for h in hashes))
        leaves = 0
        with (out / "leaves.jsonl").open("wb") as f:
            for leaf in stored_leaves(conn, start):
                f.write(orjson.dumps({"position": leaf.position, "notification_id": leaf.notification_id,
                                      "hash": leaf.hash.hex()}) + b"\n")  # fmt: skip
                leaves += 1
        # Rows between the last leaf before `start` and the first leaf from it belong to the bundle too.
        first_nid = (notification_id_at(conn, start - 1) or 0) + 1 if start else 0
        entries = 0
        with (out / "log.jsonl").open("wb") as f:
            for entry in log_entries(conn, first_nid):
                f.write(orjson.dumps({"notification_id": entry.notification_id, "event": _event_json(entry.event),
                                      "record": _record_json(entry.record)}) + b"\n")  # fmt: skip
                entries += 1
    (out / "key.txt").write_text(key.encode() + "\n", encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "origin": origin,
        "from": start,
        "size": size,
        "leaves": leaves,
        "rows": entries,
        "checkpoints": len(checkpoints),
        "latest_checkpoint": checkpoints[-1][0] if checkpoints else 0,
    }
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return manifest


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield number, orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise VerificationError(f"{path.name} line {number} is not JSON: {exc}", kind="malformed") from None


def _entries(path: Path) -> Iterator[LogEntry]:
    for number, row in _lines(path):
        try:
            event, record = row["event"], row["record"]
            yield LogEntry(
                int(row["notification_id"]),
                None
                if event is None
                else EventRow(
                    UUID(event["originator_id"]),
                    int(event["originator_version"]),
                    event["topic"],
                    None if event["state"] is None else base64.b64decode(event["state"], validate=True),
                ),
                None
                if record is None
                else RecordRow(
                    UUID(record["originator_id"]),
                    int(record["originator_version"]),
                    record["uscc"],
                    record["record_type"],
                    date.fromisoformat(record["effective_on"]),
                    record["department"],
                    record["record_id"],
                    record["fingerprint"],
                    datetime.fromisoformat(record["recorded_at"]),
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"log.jsonl line {number} is malformed: {exc}", kind="malformed") from None


def _leaves(path: Path) -> Iterator[StoredLeaf]:
    for number, row in _lines(path):
        try:
            yield StoredLeaf(int(row["position"]), int(row["notification_id"]), bytes.fromhex(row["hash"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"leaves.jsonl line {number} is malformed: {exc}", kind="malformed") from None


def bundle_key(directory: Path) -> VerifierKey:
    return VerifierKey.parse((directory / "key.txt").read_text(encoding="utf-8"))


def verify_bundle(
    directory: Path, key: VerifierKey, witnessed: Checkpoint | None = None
) -> tuple[VerificationReport, list[Checkpoint]]:
    """Everything in the bundle checked against `key`; the report and the checkpoints opened."""
    try:
        manifest = orjson.loads((directory / "manifest.json").read_bytes())
        start = int(manifest["from"])
        if manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}, not {FORMAT!r}")
        hashes = []
        if start:
            hashes = [base64.b64decode(h) for h in (directory / "compact-range.txt").read_text().split()]
        base = merkle.CompactRange(start, hashes)
    except (OSError, KeyError, ValueError) as exc:
        raise VerificationError(f"not an audit bundle ({directory}): {exc}", kind="malformed") from None
    notes = [p.read_text(encoding="utf-8") for p in sorted((directory / "checkpoints").glob("*.txt"))]
    checkpoints = open_checkpoints(notes, key, None)
    report = verify_log(
        _entries(directory / "log.jsonl"),
        _leaves(directory / "leaves.jsonl"),
        checkpoints,
        start=start,
        base=base,
        witnessed=witnessed,
    )
    return report, checkpoints
