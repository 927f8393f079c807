"""Calls made at the same moment share one round trip; none shares one that began before it."""

from __future__ import annotations

import asyncio

import pytest

from api.core.coalescing import Coalescer


class Store:
    """A store whose round trips wait until the test lets them end."""

    def __init__(self) -> None:
        self.sent: list[list[int]] = []
        self.gate = asyncio.Event()

    async def send(self, items: list[int]) -> list[int]:
        self.sent.append(items)
        await self.gate.wait()
        if -1 in items:
            raise ValueError("refused")
        return [item * 10 for item in items]


async def test_a_call_alone_goes_at_once() -> None:
    store = Store()
    store.gate.set()
    assert await Coalescer(store.send)(4) == 40
    assert store.sent == [[4]]


async def test_calls_made_during_a_round_trip_go_together_in_the_next() -> None:
    # given a round trip under way
    store = Store()
    coalescer = Coalescer(store.send)
    first = asyncio.ensure_future(coalescer(1))
    await asyncio.sleep(0)
    # when three more calls come meanwhile
    later = [asyncio.ensure_future(coalescer(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    store.gate.set()
    # then each gets its own answer, the three from one round trip begun after them
    assert await first == 10
    assert [await call for call in later] == [20, 30, 40]
    assert store.sent == [[1], [2, 3, 4]]


async def test_a_failed_round_trip_fails_its_callers_only() -> None:
    store = Store()
    coalescer = Coalescer(store.send)
    failing = [asyncio.ensure_future(coalescer(n)) for n in (-1, 5)]
    await asyncio.sleep(0)
    store.gate.set()
    for call in failing:
        with pytest.raises(ValueError, match="refused"):
            await call
    assert await coalescer(6) == 60


async def test_a_call_whose_caller_went_away_is_still_sent() -> None:
    # given a round trip under way, and a call waiting for the next
    store = Store()
    coalescer = Coalescer(store.send)
    first = asyncio.ensure_future(coalescer(1))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(coalescer(2))
    await asyncio.sleep(0)
    # when its caller is cancelled
    gone.cancel()
    store.gate.set()
    # then the call still goes (a write is not lost), and the others get their answers
    assert await first == 10
    assert await coalescer(3) == 30
    assert store.sent == [[1], [2], [3]]
