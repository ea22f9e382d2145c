"""The projection runner: follows the event log in pages, one transaction per page, for every read model.

Each step locks the state rows of the read models (skipping one a rebuild holds); for the models
at each position it reads the next page of the log after it, lets each of them apply the page
(`ReadModel.apply`; enterprise histories loaded once for all of them) and saves their positions;
then commits: a page is applied entirely or not at all, so each model sees each event exactly
once; a SIGKILL loses at most the page in flight, which is redone. A model that is behind (a new
one) catches up a page per step while the others keep following the head, and shares their
pages once it reaches their position. Several runners (the server's thread, `credit-ledger
project`, a rebuild's switch) serialise on the state rows' locks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper

from adapters.horizon import horizon
from domain.context import RuleContext
from projections import log
from projections.readmodel import Page, ReadModel, State, failures, read_states, save_horizon, save_position

logger = logging.getLogger(__name__)
PAGE = 2000


class Projector:
    def __init__(
        self,
        conninfo: str,
        mapper: Mapper[UUID],
        context: Callable[[], RuleContext],
        models: Sequence[ReadModel],
        *,
        page: int = PAGE,
    ):
        self.conninfo = conninfo
        self.mapper = mapper
        self.context = context
        self.models = {m.name: m for m in models}
        self.page = page
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()  # one step at a time per Projector object
        self._wake = threading.Event()
        self.last_error: str | None = None
        self.reached: dict[str, int] = {}
        """Each model's position as this runner last committed it (a lower bound of the stored
        one: another runner may have gone further). Read by `min_position` waits (issue 25)."""
        self.complete: dict[str, datetime] = {}
        """Each model's complete horizon as this runner last set it (a lower bound): it holds
        every record recorded by then (issue 25, part 2)."""

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.conninfo)
        return self._conn

    def step(self) -> int:
        """Apply the next page to every model; the most log positions one consumed (0 when
        every model is at the head)."""
        with self._lock:
            conn = self._connection()
            try:
                consumed = 0
                saved: dict[str, int] = {}
                # Before the page: every record stamped by `moment` is at or before `head`, so a
                # model that reaches `head` in this step holds all of them (issue 25, part 2).
                moment, head = horizon(conn)
                with conn.transaction():
                    ctx = self.context()
                    at: dict[int, list[State]] = {}
                    states = self._lock_free_states(conn)
                    for state in states:
                        at.setdefault(state.position, []).append(state)
                    for position, group in sorted(at.items()):
                        page = Page(conn, self.mapper, log.next_page(conn, position, self.page))
                        if not page.positions:
                            continue
                        for state in group:
                            self.models[state.name].apply(conn, state, page, ctx)
                            save_position(conn, state.name, page.last)
                            saved[state.name] = page.last
                        consumed = max(consumed, len(page.positions))
                    held = [
                        name for name, at in ((st.name, saved.get(st.name, st.position)) for st in states) if at >= head
                    ]
                    save_horizon(conn, held, head, moment)
                self.reached.update(saved)  # after the commit: readers may rely on it
                self.complete.update(dict.fromkeys(held, moment))
                return consumed
            except psycopg.OperationalError:
                conn.close()
                raise

    def _lock_free_states(self, conn: psycopg.Connection[Any]) -> list[State]:
        """The states of our models that no one else holds, locked until the step commits."""
        rows = conn.execute(
            "SELECT name, slot, position, derivation FROM projection_state WHERE name = ANY(%s) "
            "ORDER BY name FOR UPDATE SKIP LOCKED",
            (list(self.models),),
        ).fetchall()
        return [State(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

    def catch_up(self, on_progress: Callable[[int], None] | None = None) -> int:
        """Run every model to the head of the log synchronously; the lowest position reached."""
        while n := self.step():
            if on_progress:
                on_progress(n)
        return int(self.status()["position"])

    def status(self) -> dict[str, Any]:
        with psycopg.connect(self.conninfo) as conn:
            states = read_states(conn)
            top = log.head(conn)
            failed = failures(conn)
        models: dict[str, dict[str, Any]] = {}
        for name, model in self.models.items():
            state = states[name]
            models[name] = {
                "title": model.title,
                "position": state.position,
                "lag": max(0, top - state.position),
                "slot": state.slot,
                "derivation": state.derivation,
                # rows of an older derivation lack what this code derives: rebuild
                "rebuild_needed": state.derivation < model.derivation,
            }
        position = min((m["position"] for m in models.values()), default=top)
        return {
            "position": position,
            "head": top,
            "lag": max(0, top - position),
            "running": self.running,
            "error": self.last_error,
            "failures": failed,
            "read_models": models,
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
                logger.exception("projection step failed")
                self.last_error, consumed = f"{type(exc).__name__}: {exc}", 0
                backoff = min(backoff * 2, 10.0)
            if not consumed:
                self._wake.wait(backoff)
                self._wake.clear()

    def wake(self) -> None:
        """Step now rather than after the idle wait: a record was just written in this process,
        or a reader waits for a position (`min_position`)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
