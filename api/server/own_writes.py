"""Read your own writes: after a write, its author sees it in every read, cached or not.

When a signed-in person's write (a vote, a comment, an edit: any mutation) has committed, the
primary's WAL position is remembered for them in Redis, where every worker finds it. Until what a
read would use includes that position, theirs is read afresh: the shared answers and listing
pages are used only when filled from data at or past it (`Route.stamp`), and the read replica
only once it has replayed that far (`api.server.replica`). Everyone else keeps the caches.

A position is kept for `MARK_SECONDS` after the person's latest write: far longer than any cache
entry lives, and than a replica that is in working order lags.

Every signed-in read asks for its reader's position, and every write remembers one: the calls
made at the same moment go to Redis together (`api.core.coalescing`), one MGET for the readers,
one script call for the writers (a vote batch answers all its voters at once).
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.core.coalescing import Coalescer

MARK_SECONDS = 600

# Per key, keep the larger of the position known and the one given (ARGV[i]; the last ARGV is
# the time to keep them): two writes of one person from two tabs may remember theirs in either
# order, and in one call. (Lua's numbers are doubles: exact up to 2^53 bytes of WAL, some 9 PB.)
_REMEMBER = """
local keep = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  local known = tonumber(redis.call('GET', key) or '0')
  if tonumber(ARGV[i]) > known then
    redis.call('SET', key, ARGV[i], 'EX', keep)
  else
    redis.call('EXPIRE', key, keep)
  end
end
"""


class OwnWrites:
    """The latest write position of each person who wrote lately, shared by every worker."""

    def __init__(self, redis: Redis, *, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:wrote:"
        self._script = redis.register_script(_REMEMBER)
        self._remember = Coalescer(self._remember_all)
        self._of = Coalescer(self._of_all)

    async def remember(self, user_id: int, lsn: int) -> None:
        await self._remember((user_id, lsn))

    async def of(self, user_id: int) -> int | None:
        """Where `user_id`'s latest write is in the WAL; None if they wrote nothing lately, or
        if Redis cannot say (its loss is logged by the pub/sub listener): reads go on, and
        writes, which count against rate limits kept in Redis, are refused meanwhile."""
        try:
            found = await self._of(user_id)
        except RedisError:
            return None
        return int(found) if found is not None else None

    async def _remember_all(self, writes: list[tuple[int, int]]) -> list[None]:
        await self._script(
            keys=[f"{self._prefix}{user_id}" for user_id, _ in writes],
            args=[*(lsn for _, lsn in writes), MARK_SECONDS],
        )
        return [None] * len(writes)

    async def _of_all(self, user_ids: list[int]) -> list[bytes | str | None]:
        found: list[bytes | str | None] = await self._redis.mget(
            [f"{self._prefix}{user_id}" for user_id in user_ids]
        )
        return found
