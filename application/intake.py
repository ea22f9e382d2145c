"""Record intake: validate, deduplicate, check against history, append — each record alone.

One call takes a batch. Every record gets an outcome: `recorded`, `duplicate` (the same
record under its idempotency key was recorded before) or `rejected` (with errors). Good
records of a batch are saved in one transaction; if another writer got there first
(a version conflict or a key taken meanwhile), the whole step is redone against the new
history, so concurrent writers never lose a record and never record one twice.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from application.ports import Clock, EventStore, WriteLocks
from domain.access import Author
from domain.context import RuleContext
from domain.enterprise import Enterprise
from domain.errors import Problem, RecordRefusedError, StaleWriteError, WriterBusyError
from domain.records import DATA_MODELS, EARLIEST_DAY, LATEST_DAY, PRINTABLE, LoggedRecord, Record
from domain.time import today_in_china

RECORD_ADAPTER: TypeAdapter[Any] = TypeAdapter(Record)
MAX_ATTEMPTS = 20

Status = Literal["recorded", "duplicate", "rejected"]


@dataclass
class Outcome:
    index: int
    status: Status
    type: str | None = None
    uscc: str | None = None
    department: str | None = None
    record_id: str | None = None
    errors: list[Problem] = field(default_factory=list)
    position: int | None = None
    """The log position (notification id) of the record: where it was recorded, or for a
    duplicate where the first copy was. A read with `min_position` at least this sees it."""

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "type": self.type,
            "uscc": self.uscc,
            "source": {"department": self.department, "record_id": self.record_id},
            "position": self.position,
            "errors": [p.as_json() for p in self.errors],
        }


@dataclass(frozen=True)
class _Valid:
    index: int
    record: Any
    fingerprint: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.record.source.department, self.record.source.record_id)


def fingerprint(record: Any) -> str:
    """What makes two records the same record: everything but the operator who sent it."""
    body = record.model_dump(mode="json")
    body["source"].pop("operator", None)
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def validation_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and "." in loc[0]:  # the discriminator tag (e.g. "penalty.decided") heads the path
            loc = loc[1:]
        reason, rule = _explained(err)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ["type"]
        if loc == ["uscc"]:
            rule = "ID-02"
        problems.append(Problem(".".join(loc) or "record", reason, rule))
    return problems


DAY_BOUNDS = {EARLIEST_DAY.isoformat(), LATEST_DAY.isoformat()}


def _explained(err: Any) -> tuple[str, str | None]:
    """The reason in the user's terms (and the rule) where pydantic's words are about its own."""
    kind, ctx = err["type"], err.get("ctx", {})
    if kind == "union_tag_not_found":
        return "required", None
    if kind == "union_tag_invalid":
        stated = err["input"].get("type") if isinstance(err["input"], dict) else None
        return f"unknown record type {stated!r}", None
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == PRINTABLE:
        return "control characters (such as NUL) are not allowed", None
    if kind in ("less_than_equal", "greater_than_equal") and str(ctx.get("le", ctx.get("ge"))) in DAY_BOUNDS:
        return f"must be a real date from {EARLIEST_DAY} to {LATEST_DAY}; open-ended is not a date", "LEDGER-10"
    return str(err["msg"]), None


class Intake:
    def __init__(self, store: EventStore, locks: WriteLocks, context: Callable[[], RuleContext], clock: Clock):
        self.store = store
        self.locks = locks
        self.context = context
        """The rules' calendar and reference data in force (reloaded by the composition root)."""
        self.clock = clock

    def submit(self, raw_records: Sequence[Any], *, author: Author | Sequence[Author]) -> list[Outcome]:
        """Judge each record alone; `author` writes them all, or `author[i]` writes record i."""
        authors = [author] * len(raw_records) if isinstance(author, Author) else list(author)
        if len(authors) != len(raw_records):
            raise ValueError("give one author, or one per record")
        outcomes: dict[int, Outcome] = {}
        valid: list[_Valid] = []
        for index, (raw, writer) in enumerate(zip(raw_records, authors, strict=True)):
            raw, refusal = _authorise(raw, writer)
            if refusal:
                outcomes[index] = _describe(index, raw, "rejected", [refusal])
                continue
            try:
                record = RECORD_ADAPTER.validate_python(raw)
            except ValidationError as exc:
                outcomes[index] = _describe(index, raw, "rejected", validation_problems(exc))
                continue
            valid.append(_Valid(index, record, fingerprint(record)))

        if valid:
            with self.locks.hold(Enterprise.create_id(v.record.uscc) for v in valid):
                outcomes.update(self._append_with_retries(valid))
        return [outcomes[i] for i in sorted(outcomes)]

    def _append_with_retries(self, valid: list[_Valid]) -> dict[int, Outcome]:
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._append(valid)
            except StaleWriteError:
                # A writer that does not take our locks (another ledger version, a
                # manual fix) or a key reused in another enterprise: read again, retry.
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
        raise WriterBusyError(
            f"gave up after {MAX_ATTEMPTS} conflicting attempts; send the batch again: it is safe to repeat"
        )

    def _append(self, batch: list[_Valid]) -> dict[int, Outcome]:
        """Judge the batch in order against the ledger and against what this batch recorded
        so far, then save what was recorded in one transaction."""
        outcomes: dict[int, Outcome] = {}
        stored = self.store.fingerprints({v.key for v in batch})
        known = {key: found.fingerprint for key, found in stored.items()}
        positions = {key: found.position for key, found in stored.items()}
        recorded_keys: list[tuple[int, tuple[str, str]]] = []
        today = today_in_china(self.clock())
        ctx = self.context()
        ids = {item.record.uscc: Enterprise.create_id(item.record.uscc) for item in batch}
        loaded = self.store.load(ids.values())
        aggregates: dict[str, Enterprise | None] = {uscc: loaded.get(i) for uscc, i in ids.items()}
        log_entries: list[LoggedRecord] = []
        for item in batch:
            # A key counts as used only once its first record is recorded: a copy of a refused
            # record later in the batch is judged afresh, never called a duplicate.
            seen = known.get(item.key)
            if seen is not None:
                if seen == item.fingerprint:
                    outcomes[item.index] = _outcome(item, "duplicate")
                    recorded_keys.append((item.index, item.key))
                else:
                    conflict = Problem(
                        "source.record_id", "a different record was recorded under this key", "LEDGER-08"
                    )
                    outcomes[item.index] = _outcome(item, "rejected", [conflict])
                continue
            rec = item.record
            try:
                enterprise = _apply(aggregates.get(rec.uscc), rec, today, ctx)
            except RecordRefusedError as exc:
                outcomes[item.index] = _outcome(item, "rejected", exc.problems)
                continue
            aggregates[rec.uscc] = enterprise
            known[item.key] = item.fingerprint
            outcomes[item.index] = _outcome(item, "recorded")
            recorded_keys.append((item.index, item.key))
            log_entries.append(
                LoggedRecord(
                    originator_id=enterprise.id,
                    originator_version=enterprise.version,
                    uscc=rec.uscc,
                    record_type=rec.type,
                    effective_on=rec.effective_on,
                    department=rec.source.department,
                    record_id=rec.source.record_id,
                    fingerprint=item.fingerprint,
                )
            )
        changed = [a for a in aggregates.values() if a is not None and a.pending_events]
        if changed:
            reached = self.store.save(changed, log_entries)
            positions.update(((e.department, e.record_id), p) for e, p in zip(log_entries, reached, strict=True))
        for index, key in recorded_keys:
            outcomes[index].position = positions.get(key)
        return outcomes


def _apply(enterprise: Enterprise | None, rec: Any, today: date, ctx: RuleContext) -> Enterprise:
    """The record appended to its enterprise (typed all the way: `rec.data` as validated)."""
    source = rec.source.model_dump()
    if enterprise is None and rec.type == "enterprise.registered":
        return Enterprise.register(rec.uscc, rec.effective_on, source, rec.data, today=today, ctx=ctx)
    if enterprise is None:
        raise RecordRefusedError([Problem("uscc", "no enterprise.registered record for this USCC", "LEDGER-03")])
    enterprise.record(rec.type, rec.effective_on, source, rec.data, today=today, ctx=ctx)
    return enterprise


def _authorise(raw: Any, author: Author) -> tuple[Any, Problem | None]:
    """The record as `author` sends it (department and operator filled from the author), or
    why the author may not send it. Judged before validation: a foreign record says nothing more."""
    if not isinstance(raw, dict) or not isinstance(raw.get("source"), dict):
        return raw, None  # not a record at all: validation names the problem
    source = dict(raw["source"])
    stated = source.setdefault("department", author.department)
    if not isinstance(stated, str):
        return raw, None  # validation names the problem
    if stated != author.department:
        reason = f"this token writes for department {author.department!r} only, not {stated!r}"
        return raw, Problem("source.department", reason, "AUTH-01")
    record_type = raw.get("type")
    if isinstance(record_type, str) and record_type not in author.record_types and record_type in DATA_MODELS:
        return raw, Problem("type", f"this token may not write {record_type} records", "AUTH-02")
    source["operator"] = author.operator
    return {**raw, "source": source}, None


def _outcome(item: _Valid, status: Status, errors: list[Problem] | None = None) -> Outcome:
    rec = item.record
    return Outcome(item.index, status, rec.type, rec.uscc, rec.source.department, rec.source.record_id, errors or [])


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _describe(index: int, raw: Any, status: Status, errors: list[Problem]) -> Outcome:
    """An outcome for a record that did not validate: echo what can be read of it."""
    raw = raw if isinstance(raw, dict) else {}
    source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
    return Outcome(
        index,
        status,
        _as_text(raw.get("type")),
        _as_text(raw.get("uscc")),
        _as_text(source.get("department")),
        _as_text(source.get("record_id")),
        errors,
    )
