"""The batcher of the HTTP server's public-view lookups (api.batching), on a real event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import pytest

from api.batching import Batcher

T = TypeVar("T")


def run(scenario: Coroutine[Any, Any, T]) -> T:
    """The scenario on a fresh loop, bounded: a batcher that loses a lookup fails, not hangs."""
    return asyncio.run(asyncio.wait_for(scenario, timeout=5))


class Squares:
    """A `many` that records its batches and answers after yielding to the loop, as a query does."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_on = fail_on

    async def __call__(self, keys: Sequence[int]) -> list[int]:
        self.batches.append(list(keys))
        await asyncio.sleep(0.01)
        if self.fail_on in keys:
            raise LookupError(f"no {self.fail_on}")
        return [k * k for k in keys]


def test_a_lone_lookup_is_sent_at_once_in_a_batch_of_one() -> None:
    many = Squares()
    assert run(Batcher(many).one(7)) == 49
    assert many.batches == [[7]]


def test_lookups_made_while_a_batch_is_in_flight_go_together_in_the_next_and_each_gets_its_own_answer() -> None:
    many = Squares()

    async def scenario() -> list[int]:
        batcher = Batcher(many)
        first = asyncio.ensure_future(batcher.one(1))
        await asyncio.sleep(0)  # the first batch leaves
        rest = [asyncio.ensure_future(batcher.one(k)) for k in (5, 3, 5, 2)]
        return [await first, *[await r for r in rest]]

    assert run(scenario()) == [1, 25, 9, 25, 4]
    assert many.batches == [[1], [5, 3, 5, 2]]


def test_a_batch_is_cut_at_its_maximum_size() -> None:
    many = Squares()

    async def scenario() -> list[int]:
        batcher = Batcher(many, max_batch=3)
        return list(await asyncio.gather(*(batcher.one(k) for k in range(8))))

    assert run(scenario()) == [k * k for k in range(8)]
    assert [len(b) for b in many.batches] == [3, 3, 2]


def test_a_failed_batch_fails_its_lookups_and_those_waiting_then_and_a_later_lookup_is_answered() -> None:
    many = Squares(fail_on=4)

    async def scenario() -> tuple[list[object], int]:
        batcher = Batcher(many)
        first = asyncio.ensure_future(batcher.one(4))
        await asyncio.sleep(0)  # the failing batch leaves; 6 and 7 wait for the next
        failed = await asyncio.gather(first, batcher.one(6), batcher.one(7), return_exceptions=True)
        return failed, await batcher.one(6)

    failed, later = run(scenario())
    assert [type(f) for f in failed] == [LookupError] * 3
    assert many.batches == [[4], [6]]
    assert later == 36


def test_a_lookup_cancelled_while_waiting_does_not_disturb_the_others() -> None:
    many = Squares()

    async def scenario() -> list[int]:
        batcher = Batcher(many)
        first = asyncio.ensure_future(batcher.one(1))
        await asyncio.sleep(0)
        doomed, kept = asyncio.ensure_future(batcher.one(2)), asyncio.ensure_future(batcher.one(3))
        await asyncio.sleep(0)
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
        return [await first, await kept]

    assert run(scenario()) == [1, 9]


def test_a_wrong_number_of_answers_is_an_error_not_a_misattributed_answer() -> None:
    async def short(keys: Sequence[int]) -> list[int]:
        return [0] * (len(keys) - 1)

    async def scenario() -> list[object]:
        batcher = Batcher(short)
        return list(await asyncio.gather(batcher.one(1), batcher.one(2), return_exceptions=True))

    assert all(isinstance(r, RuntimeError) for r in run(scenario()))
