"""Write rate limits, kept in Redis so every API worker shares them.

A fixed window per key: INCR, and set the expiry when the window opens. Cheap (one round trip,
pipelined) and good enough against floods; the limit can be exceeded at most twice at a boundary.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from api.core.errors import RateLimited


async def hit(redis: Redis, keys: list[str], *, limit: int, window: int) -> None:
    """Count one write against every key; refuse it if any key is over `limit` in this window."""
    bucket = int(time.time()) // window
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            name = f"rl:{key}:{bucket}"
            pipe.incr(name)
            pipe.expire(name, window, nx=True)
        results = await pipe.execute()
    counts = results[0::2]
    if any(count > limit for count in counts):
        retry_after = window - int(time.time()) % window
        raise RateLimited(
            f"You are doing that too often. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
