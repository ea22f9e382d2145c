"""Lookups made by concurrent requests of one server worker, sent to PostgreSQL together.

A public view is one indexed query of well under a millisecond in PostgreSQL, but each round
trip costs the worker more Python than the rest of the request (pool checkout, the asyncio
exchange through psycopg: `docs/performance.md`, "HTTP"). While one batch is in flight, the
lookups that arrive wait for the next, which takes them all in one statement: under load the
batches grow and the cost per request falls; an idle server sends batches of one, with no
added wait (nothing is held back for a timer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

MAX_BATCH = 256  # keys per statement: bounds its parameters, not the number of waiters


class Batcher(Generic[K, V]):
    """`await batcher.one(key)` answers with `many(keys)[i]` for the key's place in its batch.

    One batch is in flight at a time, on the event loop of the worker that made the batcher.
    If `many` raises, every lookup of that batch and every lookup waiting then raises the same
    error: with the database unreachable, waiters fail fast instead of queueing behind one pool
    timeout per batch; the next lookup starts afresh. A lookup whose request was cancelled is
    left out of the batches."""

    def __init__(self, many: Callable[[Sequence[K]], Awaitable[Sequence[V]]], max_batch: int = MAX_BATCH) -> None:
        self._many = many
        self._max_batch = max_batch
        self._waiting: list[tuple[K, asyncio.Future[V]]] = []
        self._sender: asyncio.Task[None] | None = None  # held: the loop keeps only weak references

    async def one(self, key: K) -> V:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[V] = loop.create_future()
        self._waiting.append((key, answer))
        if self._sender is None:
            self._sender = loop.create_task(self._send())
        return await answer

    async def _send(self) -> None:
        try:
            while self._waiting:
                self._waiting = [(key, answer) for key, answer in self._waiting if not answer.done()]
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                if not batch:
                    break
                try:
                    values = await self._many([key for key, _ in batch])
                    if len(values) != len(batch):
                        raise RuntimeError(f"a batch of {len(batch)} lookups got {len(values)} answers")
                except Exception as exc:
                    for _, answer in [*batch, *self._waiting]:
                        if not answer.done():
                            answer.set_exception(exc)
                    self._waiting.clear()
                    continue
                except BaseException:  # cancelled (the server stops): so are its waiters
                    for _, answer in [*batch, *self._waiting]:
                        answer.cancel()
                    self._waiting.clear()
                    raise
                for (_, answer), value in zip(batch, values, strict=True):
                    if not answer.done():
                        answer.set_result(value)
        finally:
            self._sender = None
