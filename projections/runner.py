"""The projection runner: follows the event log in pages, one transaction per page.

Each transaction locks `projection_state`, reads the next page of the notification log after
the stored position, derives again every enterprise the page touches (`timeline.evolve`),
writes the row changes and the new position, and commits: a page is applied entirely or not
at all (exactly-once; a SIGKILL loses at most the page in flight, which is redone). Several
runners (the server's thread, `credit-ledger project`, a rebuild's switch) serialise on the
state row's lock.

Failures are isolated per enterprise: every enterprise's changes are derived before anything is
written; one whose derivation raises is skipped for that page (its rows stay as they were),
recorded in `projection_failures` and logged, and the page commits for the others.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from itertools import groupby
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import resolve_topic

from domain.context import RuleContext
from domain.enterprise import Enterprise
from domain.history import AnyFact, Fact
from domain.records import stored_data
from projections import store
from projections.timeline import Changes, evolve

log = logging.getLogger(__name__)
PAGE = 2000


def decode(mapper: Mapper, rows: Sequence[tuple[Any, ...]]) -> dict[str, list[AnyFact]]:
    """Rows of `store.EVENTS` → each enterprise's facts with recorded time, in log order:
    the same facts `application.reads.Reads.history` builds through the library (the parity test
    holds the two paths together), without building event objects when the state is plain."""
    out: dict[str, list[AnyFact]] = defaultdict(list)
    for _, originator_id, version, topic, state, uscc, recorded_at in rows:
        raw = bytes(state)
        if mapper.cipher:
            raw = mapper.cipher.decrypt(raw)
        if mapper.compressor:
            raw = mapper.compressor.decompress(raw)
        body = orjson.loads(raw)
        record_type = _record_type(topic)
        when = body.get("effective_on")
        if (
            record_type is None
            or "class_version" in body
            or not isinstance(when, dict)
            or when.get("_type_") != "date_iso"
        ):
            event = mapper.to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))
            assert isinstance(event, Enterprise.Recorded)
            out[uscc].append(replace(event.as_fact(), recorded_at=recorded_at))
            continue
        source = body["source"]
        out[uscc].append(
            Fact(
                type=record_type,
                effective_on=date.fromisoformat(when["_data_"]),
                department=source["department"],
                record_id=source["record_id"],
                operator=source.get("operator", ""),
                data=stored_data(record_type, body["data"]),
                sequence=version,
                recorded_at=recorded_at,
            )
        )
    return out


@cache
def _record_type(topic: str) -> str | None:
    cls = resolve_topic(topic)
    return getattr(cls, "record_type", None) if isinstance(cls, type) and issubclass(cls, Enterprise.Recorded) else None


def project_page(
    conn: psycopg.Connection[Any],
    slot: str,
    page: Sequence[tuple[int, str | None, datetime | None]],
    mapper: Mapper,
    ctx: RuleContext,
) -> int:
    """Apply one page of the log to `slot` (inside the caller's transaction); rows changed.

    Each enterprise is derived on its own before anything is written: one that raises is left
    out of this page (its stored rows stay as they were) and recorded in `projection_failures`."""
    touched: dict[str, set[datetime]] = defaultdict(set)
    last: dict[str, int] = {}
    for position, uscc, at in page:
        if uscc is not None and at is not None:
            touched[uscc].add(at)
            last[uscc] = position
    if not touched:
        return 0
    usccs = sorted(touched)
    rows = {u: list(g) for u, g in groupby(store.histories(conn, usccs, page[-1][0]), key=lambda r: r[5])}
    stored = store.open_rows(conn, slot, usccs)
    changes = Changes()
    failed: list[tuple[str, int, str]] = []
    for uscc in usccs:
        try:
            one = derive(uscc, rows.get(uscc, []), stored.get(uscc, {}), touched[uscc], mapper, ctx)
        except Exception as exc:  # one enterprise's bug must not hold up the whole log
            failed.append(failure(uscc, last[uscc], exc))
            continue
        changes.close += one.close
        changes.insert += one.insert
    store.apply(conn, slot, changes)
    store.record_failures(conn, failed)
    return len(changes.close) + len(changes.insert)


def derive(
    uscc: str,
    rows: Sequence[tuple],
    stored_open: dict[str, datetime],
    moments: Iterable[datetime],
    mapper: Mapper,
    ctx: RuleContext,
) -> Changes:
    """One enterprise's row changes from its rows of `store.EVENTS` (decoded here, so that a
    record that cannot be decoded fails this enterprise only)."""
    facts = decode(mapper, rows).get(uscc, [])
    return evolve(uscc, facts, stored_open, moments, ctx)


def failure(uscc: str, position: int, exc: Exception) -> tuple[str, int, str]:
    """Log a skipped enterprise; (uscc, position, error) for `store.record_failures`."""
    log.error(
        "projection of %s failed at log position %d; skipped, its rows left as they were", uscc, position, exc_info=exc
    )
    return uscc, position, f"{type(exc).__name__}: {exc}"[:2000]


class Projector:
    def __init__(self, conninfo: str, mapper: Mapper, context: Callable[[], RuleContext], *, page: int = PAGE):
        self.conninfo = conninfo
        self.mapper = mapper
        self.context = context
        self.page = page
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()  # one step at a time per Projector object
        self.last_error: str | None = None

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.conninfo)
        return self._conn

    def step(self) -> int:
        """Apply the next page; returns the number of log positions consumed (0 at the head)."""
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    slot, position = store.lock_state(conn)
                    page = store.next_page(conn, position, self.page)
                    if not page:
                        return 0
                    project_page(conn, slot, page, self.mapper, self.context())
                    store.save_position(conn, page[-1][0])
                return len(page)
            except psycopg.OperationalError:
                conn.close()
                raise

    def catch_up(self, on_progress: Callable[[int], None] | None = None) -> int:
        """Run to the head of the log synchronously; returns the position reached."""
        while n := self.step():
            if on_progress:
                on_progress(n)
        return self.status()["position"]

    def status(self) -> dict[str, Any]:
        with psycopg.connect(self.conninfo) as conn:
            slot, position = store.read_state(conn)
            top = store.head(conn)
            failed = store.failures(conn)
            derivation = store.derivation(conn)
        return {
            "position": position,
            "head": top,
            "lag": max(0, top - position),
            "slot": slot,
            "running": self.running,
            "error": self.last_error,
            "failures": failed,
            "derivation": derivation,
            # rows of an older derivation lack what this code derives (list facets): rebuild
            "rebuild_needed": derivation < store.DERIVATION,
        }

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, idle: float = 0.25) -> None:
        """Follow the log in a background thread until `stop()`."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(idle,), name="projector", daemon=True)
        self._thread.start()

    def _run(self, idle: float) -> None:
        backoff = idle
        while not self._stop.is_set():
            try:
                consumed = self.step()
                self.last_error, backoff = None, idle
            except Exception as exc:  # keep serving; the error is visible in /v1/status
                log.exception("projection step failed")
                self.last_error, consumed = f"{type(exc).__name__}: {exc}", 0
                backoff = min(backoff * 2, 10.0)
            if not consumed:
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
