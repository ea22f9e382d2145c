"""`credit-ledger import --workers N`: the ordinary intake in N processes at once.

Validation, the domain checks and event encoding are CPU work in Python, so one process uses one
core (`docs/performance.md`). Here the reading process parses each batch of lines and deals its
records to N worker processes by a hash of the USCC: every record of one enterprise goes to the
same worker, which submits its share of each batch in file order, so that an enterprise's records
are judged in the order of the file, as by `imports.import_file`. Workers save through the same
`Intake` (advisory locks, optimistic concurrency, the event table's lock), so that nothing about
the event store changes.

What differs from one process: records of *different* enterprises may enter the log in another
order than the file's; the report's lines come in the order their outcomes arrive (each names
its line); and when two lines of different enterprises use one `(department, record_id)`, the
one saved first is recorded and the other rejected (LEDGER-08), not necessarily the earlier line.
"""

from __future__ import annotations

import multiprocessing
import queue
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from application.imports import AuthorFor, ImportSummary, batches, count_outcome, parse_batch
from application.intake import Intake
from domain.access import Author
from domain.errors import InvalidUSCCError
from domain.identifiers import normalise_uscc

Share = list[tuple[int, Any, Author]]  # (line number, record, its author)
AFTER_FAILURE = "the import stopped; run it again to finish it (records already saved come back as duplicates)"
WAIT_S = 5.0  # how often the reader checks that the workers are alive while it waits on them


OpenIntake = Callable[[Any], AbstractContextManager[Intake]]
"""Opens an intake of its own in a worker process from the opaque `config` (a module-level
function: the workers are spawned, so it is passed by reference)."""


def import_file_parallel(
    open_intake: OpenIntake,
    config: Any,
    path: Path,
    report: IO[str],
    *,
    author: Author | AuthorFor,
    workers: int,
    batch_size: int,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Like `imports.import_file`, with `workers` processes, each running `open_intake(config)`."""
    context = multiprocessing.get_context("spawn")  # workers open their own connections
    inboxes = [context.Queue(maxsize=2) for _ in range(workers)]  # bounded: constant memory
    results = context.Queue()
    procs = [
        context.Process(target=_work, args=(open_intake, config, inbox, results), daemon=True) for inbox in inboxes
    ]
    for proc in procs:
        proc.start()
    summary, pending, finished = ImportSummary(), 0, False
    try:
        with path.open("rb") as stream:
            for batch in batches(stream, batch_size):
                shares: list[Share] = [[] for _ in range(workers)]
                for number, record in parse_batch(batch, summary, report):
                    writer = author if isinstance(author, Author) else author(record)
                    shares[_partition(record, workers)].append((number, record, writer))
                for inbox, share in zip(inboxes, shares, strict=True):
                    if share:
                        _put(inbox, share, procs, results)
                        pending += 1
                pending -= _drain(results, summary, report, procs, block=False)
                summary.lines = batch[-1][0]
                if on_progress:
                    on_progress(sum(len(line) for _, line in batch))
        for inbox in inboxes:
            _put(inbox, None, procs, results)
        while pending:
            pending -= _drain(results, summary, report, procs, block=True)
        finished = True
    finally:
        for proc in procs:
            if not finished:
                proc.kill()  # waiting on its inbox, or on a database that is gone: nothing to keep
            proc.join(timeout=30)
        if not finished:
            # Shares still buffered for a killed worker would keep the queue's feeder thread
            # writing to a pipe no one reads, and the command would hang at exit (issue 25,
            # part 5: an import cut by a database restart): drop them; a re-run redoes them.
            for inbox in inboxes:
                inbox.cancel_join_thread()
    return summary


def _partition(record: Any, workers: int) -> int:
    uscc = record.get("uscc") if isinstance(record, dict) else None
    if not isinstance(uscc, str):
        return 0  # rejected by validation wherever it goes
    try:
        uscc = normalise_uscc(uscc)  # the same enterprise however the line spells its USCC
    except InvalidUSCCError:
        pass
    return zlib.crc32(uscc.encode()) % workers


def _put(inbox: Any, share: Share | None, procs: list[Any], results: Any) -> None:
    while True:
        try:
            inbox.put(share, timeout=WAIT_S)
            return
        except queue.Full:
            _check_alive(procs, results)


def _drain(results: Any, summary: ImportSummary, report: IO[str], procs: list[Any], *, block: bool) -> int:
    """Count the outcomes that have arrived (at least one share's when `block`); shares done."""
    done = 0
    while True:
        try:
            message = results.get(timeout=WAIT_S) if block and not done else results.get_nowait()
        except queue.Empty:
            if block and not done:
                _check_alive(procs, results)
                continue
            return done
        _raise_if_failure(message)
        for number, outcome in message:
            count_outcome(summary, report, number, outcome)
        done += 1


def _check_alive(procs: list[Any], results: Any) -> None:
    """Raise if a worker died: with its own words when it managed to send them."""
    failed = [p for p in procs if not p.is_alive() and p.exitcode != 0]  # 0: done, its inbox closed
    if not failed:
        return
    while True:
        try:
            _raise_if_failure(results.get(timeout=1))
        except queue.Empty:
            break
    raise RuntimeError(f"an import worker exited with code {failed[0].exitcode}; {AFTER_FAILURE}")


def _raise_if_failure(message: Any) -> None:
    if isinstance(message, str):
        raise RuntimeError(f"an import worker failed: {message}; {AFTER_FAILURE}")


def _work(open_intake: OpenIntake, config: Any, inbox: Any, results: Any) -> None:
    try:
        with open_intake(config) as intake:
            while (share := inbox.get()) is not None:
                outcomes = intake.submit([r for _, r, _ in share], author=[a for _, _, a in share])
                results.put([(number, o.as_json()) for (number, _, _), o in zip(share, outcomes, strict=True)])
    except BaseException as exc:
        results.put(repr(exc))
        raise
