"""Streaming import of a JSON Lines file through the ordinary intake, in constant memory."""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from application.intake import Intake
from domain import json_text
from domain.access import EVERY_TYPE, Author
from domain.errors import MalformedInputError, Problem

DEFAULT_BATCH = 500

AuthorFor = Callable[[Any], Author]
"""Chooses the author of each line by what it states: only for a data set its operator
vouches for as a whole (the demo, benchmarks), never for files from departments."""


def author_named_by_line(raw: Any) -> Author:
    """Each line written by the department and operator it names, with every record type."""
    source = raw.get("source") if isinstance(raw, dict) else None
    source = source if isinstance(source, dict) else {}
    department, operator = source.get("department"), source.get("operator")
    return Author(
        department if isinstance(department, str) else "UNNAMED",
        operator if isinstance(operator, str) else "unnamed",
        EVERY_TYPE,
    )


@dataclass
class ImportSummary:
    lines: int = 0
    recorded: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejected_lines: list[int] = field(default_factory=list)
    """The lowest rejected line numbers (at most 100; the report file has them all)."""


def batches(stream: IO[bytes], size: int) -> Iterator[list[tuple[int, bytes]]]:
    """(line number, line) of the non-blank lines, `size` at a time."""
    # Bytes, decoded line by line: one line in another encoding is reported, not fatal.
    batch: list[tuple[int, bytes]] = []
    for number, line in enumerate(stream, start=1):
        if line.strip():
            batch.append((number, line))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_batch(batch: list[tuple[int, bytes]], summary: ImportSummary, report: IO[str]) -> list[tuple[int, Any]]:
    """(line number, JSON value) of the lines that parse; the others are rejected here."""
    parsed: list[tuple[int, Any]] = []
    for number, line in batch:
        try:
            parsed.append((number, _parse(line, first=number == 1)))
        except MalformedInputError as exc:
            _reject(summary, report, number, [_line_problem(p) for p in exc.problems])
    return parsed


def _line_problem(problem: Problem) -> dict[str, Any]:
    """A problem of a line's JSON: `body` is the line; a member is named by its JSON Pointer."""
    named = problem.as_json()
    if named["field"] == "body":
        named["field"] = "line"
    return {k: v for k, v in named.items() if v is not None}


def count_outcome(summary: ImportSummary, report: IO[str], number: int, outcome: dict[str, Any]) -> None:
    """Add one line's outcome (`Outcome.as_json()`) to the summary; a rejection to the report."""
    if outcome["status"] == "rejected":
        _reject(summary, report, number, outcome["errors"], outcome)
    elif outcome["status"] == "recorded":
        summary.recorded += 1
    else:
        summary.duplicate += 1


def import_file(
    intake: Intake,
    path: Path,
    report: IO[str],
    *,
    author: Author | AuthorFor,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Record the good lines; write one JSON line per bad line to `report`.

    Safe to re-run: lines recorded before come back as duplicates. Every line is written by
    `author` (a line naming another department is rejected, AUTH-01), or by the author
    `author(record)` picks for it. (`parallel_import` does the same in several processes.)
    """
    summary = ImportSummary()
    with path.open("rb") as stream:
        for batch in batches(stream, batch_size):
            parsed = parse_batch(batch, summary, report)
            records = [record for _, record in parsed]
            authors = author if isinstance(author, Author) else [author(record) for record in records]
            outcomes = intake.submit(records, author=authors)
            for (number, _), outcome in zip(parsed, outcomes, strict=True):
                count_outcome(summary, report, number, outcome.as_json())
            summary.lines = batch[-1][0]
            if on_progress:
                on_progress(sum(len(line) for _, line in batch))
    return summary


def _parse(line: bytes, *, first: bool) -> Any:
    """One line as RFC 8259 and I-JSON have it (`domain.json_text`): a duplicated member name,
    another encoding or a value parsers read differently is a bad line, named."""
    return json_text.loads(line, allow_bom=first)  # a BOM may open the file


def _reject(
    summary: ImportSummary, report: IO[str], number: int, errors: list[Any], outcome: dict[str, Any] | None = None
) -> None:
    summary.rejected += 1
    bisect.insort(summary.rejected_lines, number)  # the lowest 100, in whatever order they come
    del summary.rejected_lines[100:]
    entry = {"line": number, "errors": errors}
    if outcome:
        entry.update(type=outcome["type"], uscc=outcome["uscc"], source=outcome["source"])
    report.write(json.dumps(entry, ensure_ascii=False) + "\n")
