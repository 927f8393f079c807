"""The shared caches: fresh, then stale while one refresh runs, and never older than a clear."""

from __future__ import annotations

import asyncio
import time

from api.core.caching import SingleFlight, TtlCache


def test_an_entry_is_fresh_then_stale_then_gone() -> None:
    cache: TtlCache[str] = TtlCache(ttl=0.05, stale=0.1)
    cache.put("k", "v")
    assert cache.peek("k") == ("v", True) and cache.get("k") == "v"
    time.sleep(0.06)
    assert cache.peek("k") == ("v", False) and cache.get("k") is None
    time.sleep(0.1)
    assert cache.peek("k") is None


def test_a_value_computed_before_a_clear_is_not_stored_after_it() -> None:
    cache: TtlCache[str] = TtlCache(ttl=10)
    generation = cache.generation
    cache.clear()  # content changed while the value was being computed
    cache.put("k", "old", generation=generation)
    assert cache.peek("k") is None
    cache.put("k", "new", generation=cache.generation)
    assert cache.get("k") == "new"


def test_the_cache_keeps_its_size() -> None:
    cache: TtlCache[int] = TtlCache(ttl=10, size=2)
    for key in range(3):
        cache.put(key, key)
    assert cache.peek(0) is None and cache.get(2) == 2


async def test_concurrent_misses_share_one_computation() -> None:
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    flight: SingleFlight[int] = SingleFlight()
    results = await asyncio.gather(*[flight.run("k", compute) for _ in range(10)])
    assert results == [42] * 10 and calls == 1
    # and a later call computes again
    assert await flight.run("k", compute) == 42 and calls == 2
