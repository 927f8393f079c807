"""Read your own writes: after a write, its author sees it in every read, cached or not.

When a signed-in person's write (a vote, a comment, an edit: any mutation) has committed, the
primary's WAL position is remembered for them in Redis, where every worker finds it. Until what a
read would use includes that position, theirs is read afresh: the shared answers and listing
pages are used only when filled from data at or past it (`Route.stamp`), and the read replica
only once it has replayed that far (`api.server.replica`). Everyone else keeps the caches.

A position is kept for `MARK_SECONDS` after the person's latest write: far longer than any cache
entry lives, and than a replica that is in working order lags.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

MARK_SECONDS = 600

# Keep the larger of the position known and the one given: two writes of one person from two
# tabs may remember theirs in either order. (Lua's numbers are doubles: exact up to 2^53 bytes
# of WAL, some 9 PB.)
_REMEMBER = """
local known = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > known then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
"""


class OwnWrites:
    """The latest write position of each person who wrote lately, shared by every worker."""

    def __init__(self, redis: Redis, *, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:wrote:"
        self._remember = redis.register_script(_REMEMBER)

    async def remember(self, user_id: int, lsn: int) -> None:
        await self._remember(keys=[f"{self._prefix}{user_id}"], args=[lsn, MARK_SECONDS])

    async def of(self, user_id: int) -> int | None:
        """Where `user_id`'s latest write is in the WAL; None if they wrote nothing lately, or
        if Redis cannot say (its loss is logged by the pub/sub listener): reads go on, and
        writes, which count against rate limits kept in Redis, are refused meanwhile."""
        try:
            found = await self._redis.get(f"{self._prefix}{user_id}")
        except RedisError:
            return None
        return int(found) if found is not None else None
