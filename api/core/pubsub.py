"""Events between API workers, over Redis: new posts, comments and notifications for
subscriptions, invalidation of the shared listing caches, and ended sessions.

Publishing uses the worker's pool; listening, for every subscription of every client and the
worker's own listeners, goes through one connection of its own (`api.core.fanout`), so readers
never take the connections that writes, rate limits and sign-in need. Messages published while
that connection is lost are missed, so the listener of invalidations clears this worker's caches
whenever it (re)subscribes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable

from redis.asyncio import Redis

from api.core.caching import ListingCache
from api.core.errors import RateLimited
from api.core.fanout import Fanout, FellBehind

FRONT_PAGE = "all"

# The prefix of a message on the invalidation channel that names an ended session (the rest is
# its token's SHA-256); any other message there means content changed.
_SESSION_ENDED = b"session-ended:"


class PubSub:
    """The channels of one forum. Redis pub/sub ignores the database number, so every channel is
    named under `namespace` (the forum's database): forums sharing a Redis, two deployments or
    two test runs, never hear each other."""

    def __init__(
        self,
        redis: Redis,
        cache: ListingCache,
        *,
        namespace: str,
        listener: Redis | None = None,
        queue_size: int = 100,
    ) -> None:
        """`redis` publishes; `listener` (by default `redis`) holds the one connection every
        listener of this worker shares: give it a client of its own, so that it never takes a
        connection of `redis`'s pool. A subscriber `queue_size` messages behind is ended."""
        self._redis = redis
        self._cache = cache
        self._invalidations = f"{namespace}:cache:invalidate"
        self._namespace = namespace
        self._queue_size = queue_size
        self.fanout = Fanout(listener or redis, queue_size=queue_size)
        self._session_listeners: list[Callable[[bytes], None]] = []

    def when_session_ends(self, listener: Callable[[bytes], None]) -> None:
        """Call `listener` with the token hash of every session ended, here or by another worker
        (it must not block)."""
        self._session_listeners.append(listener)

    async def aclose(self) -> None:
        await self.fanout.aclose()

    def _posts_channel(self, community_id: int | str) -> str:
        return f"{self._namespace}:posts:{community_id}"

    def _comments_channel(self, post_id: int) -> str:
        return f"{self._namespace}:comments:{post_id}"

    def _notifications_channel(self, user_id: int) -> str:
        return f"{self._namespace}:notifications:{user_id}"

    async def content_changed(self) -> None:
        """A post or comment appeared, changed or went: cached listings and responses must be
        fetched again, in every worker."""
        self._cache.clear()
        await self._redis.publish(self._invalidations, b"content")

    async def session_ended(self, token_hash: bytes) -> None:
        """A session was ended (signed out): no worker may accept it from its cache again."""
        self._forget_session(token_hash)
        await self._redis.publish(self._invalidations, _SESSION_ENDED + token_hash)

    def _forget_session(self, token_hash: bytes) -> None:
        self._cache.forget_session(token_hash)
        for listener in self._session_listeners:
            listener(token_hash)

    async def post_created(self, *, community_id: int, post_id: int) -> None:
        await self.content_changed()
        await self._redis.publish(self._posts_channel(community_id), post_id)
        await self._redis.publish(self._posts_channel(FRONT_PAGE), post_id)

    async def comment_created(self, *, post_id: int, comment_id: int) -> None:
        await self.content_changed()
        await self._redis.publish(self._comments_channel(post_id), comment_id)

    async def notification_added(self, *, user_id: int, notification_id: int) -> None:
        await self._redis.publish(self._notifications_channel(user_id), notification_id)

    def notification_heard(self, *, user_id: int, notification_id: int) -> None:
        """A notification another process wrote (the chain's, the ledger's), heard by this
        worker itself (`api.core.chain_notifications`): for its own subscribers only, since
        every worker hears it."""
        channel = self._notifications_channel(user_id)
        self.fanout.deliver_here(channel, str(notification_id).encode())

    def new_posts(self, community_id: int | str) -> AsyncGenerator[int, None]:
        """The ids of the posts created in a community (or FRONT_PAGE: anywhere) from now on."""
        return self._ids(self._posts_channel(community_id))

    def new_comments(self, post_id: int) -> AsyncGenerator[int, None]:
        """The ids of the comments created on a post from now on."""
        return self._ids(self._comments_channel(post_id))

    def new_notifications(self, user_id: int) -> AsyncGenerator[int, None]:
        """The ids of a person's notifications from now on: those the API writes (published on
        Redis) and those the chain and the ledger write (`notification_heard`)."""
        return self._ids(self._notifications_channel(user_id))

    async def _ids(self, channel: str) -> AsyncGenerator[int, None]:
        """The ids published on `channel` from now on, until the consumer stops (see
        Fanout.messages)."""
        try:
            async for data in self.fanout.messages(channel):
                yield int(data)
        except FellBehind:
            raise RateLimited(
                f"This subscription fell more than {self._queue_size} events behind and was "
                "ended: read its events faster, or subscribe again.",
                retry_after=1,
            ) from None

    async def follow_invalidations(self) -> None:
        """Until cancelled: clear this worker's caches whenever another worker says posts
        changed, forget the sessions another worker ended, and clear everything, sessions too,
        whenever the listener subscribes again after losing Redis (it may have missed such
        messages)."""
        with self.fanout.handling(
            self._invalidations, self._invalidated, on_subscribed=self._forget_everything
        ):
            await asyncio.Event().wait()

    def _invalidated(self, data: bytes) -> None:
        if data.startswith(_SESSION_ENDED):
            self._forget_session(data[len(_SESSION_ENDED) :])
        else:
            self._cache.clear()

    def _forget_everything(self) -> None:
        self._cache.clear()
        self._cache.sessions.clear()
