"""Events between API workers, over Redis: new posts, comments and notifications for
subscriptions, and invalidation of the shared listing caches.

A listener outlives Redis restarts: when its connection is lost it subscribes again, with a
backoff that doubles up to a few seconds, and says so in the log once when it loses Redis and
once when it has it back. Messages published meanwhile are lost, so the listener of
invalidations clears this worker's caches whenever it (re)subscribes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from api.core.caching import ListingCache

log = logging.getLogger("agora.api")

FRONT_PAGE = "all"
# Seconds before the first new attempt after losing Redis; doubled per failed attempt up to the
# cap, so a long outage costs one attempt every few seconds and a short one is noticed quickly.
RECONNECT_FIRST_DELAY = 0.1
RECONNECT_MAX_DELAY = 5.0

# The prefix of a message on the invalidation channel that names an ended session (the rest is
# its token's SHA-256); any other message there means content changed.
_SESSION_ENDED = b"session-ended:"

_LOST = (RedisConnectionError, RedisTimeoutError, OSError)


class PubSub:
    """The channels of one forum. Redis pub/sub ignores the database number, so every channel is
    named under `namespace` (the forum's database): forums sharing a Redis, two deployments or
    two test runs, never hear each other."""

    def __init__(self, redis: Redis, cache: ListingCache, *, namespace: str) -> None:
        self._redis = redis
        self._cache = cache
        self._invalidations = f"{namespace}:cache:invalidate"
        self._namespace = namespace

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
        self._cache.forget_session(token_hash)
        await self._redis.publish(self._invalidations, _SESSION_ENDED + token_hash)

    async def post_created(self, *, community_id: int, post_id: int) -> None:
        await self.content_changed()
        await self._redis.publish(self._posts_channel(community_id), post_id)
        await self._redis.publish(self._posts_channel(FRONT_PAGE), post_id)

    async def comment_created(self, *, post_id: int, comment_id: int) -> None:
        await self.content_changed()
        await self._redis.publish(self._comments_channel(post_id), comment_id)

    async def notification_added(self, *, user_id: int, notification_id: int) -> None:
        await self._redis.publish(self._notifications_channel(user_id), notification_id)

    def new_posts(self, community_id: int | str) -> AsyncGenerator[int, None]:
        """The ids of the posts created in a community (or FRONT_PAGE: anywhere) from now on."""
        return self._ids(self._posts_channel(community_id))

    def new_comments(self, post_id: int) -> AsyncGenerator[int, None]:
        """The ids of the comments created on a post from now on."""
        return self._ids(self._comments_channel(post_id))

    def new_notifications(self, user_id: int) -> AsyncGenerator[int, None]:
        """The ids of a person's notifications written by the API from now on."""
        return self._ids(self._notifications_channel(user_id))

    async def _ids(self, channel: str) -> AsyncGenerator[int, None]:
        """The ids published on `channel` from now on, until the consumer stops. Ids published
        while Redis is away are missed; the subscription goes on when it is back."""
        async for data in self._messages(channel, what=f"subscription to {channel}", quiet=True):
            yield int(data)

    async def follow_invalidations(self) -> None:
        """Clear this worker's caches whenever another worker says posts changed, forget the
        sessions another worker ended, and clear everything, sessions too, whenever the listener
        subscribes again after losing Redis (it may have missed such messages)."""
        try:
            async for data in self._messages(
                self._invalidations,
                what="cache invalidation listener",
                on_subscribed=self._forget_everything,
            ):
                if data.startswith(_SESSION_ENDED):
                    self._cache.forget_session(data[len(_SESSION_ENDED) :])
                else:
                    self._cache.clear()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug, not a lost connection: fall back to the time-to-live
            log.exception("cache invalidation listener stopped")

    def _forget_everything(self) -> None:
        self._cache.clear()
        self._cache.sessions.clear()

    async def _messages(
        self,
        channel: str,
        *,
        what: str,
        on_subscribed: Callable[[], None] | None = None,
        quiet: bool = False,
    ) -> AsyncIterator[bytes]:
        """The data of the messages on `channel`, across lost connections, until the consumer
        stops. `on_subscribed` runs at each (re)subscription; `quiet` logs at debug level (for
        the many short-lived subscriptions of clients)."""
        lost_level = logging.DEBUG if quiet else logging.WARNING
        back_level = logging.DEBUG if quiet else logging.INFO
        delay = RECONNECT_FIRST_DELAY
        lost = False
        while True:
            pubsub = self._redis.pubsub()
            subscriptions = 0
            try:
                await pubsub.subscribe(channel)
                async for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        # Ours, or one redis-py made on its own after reconnecting at once (the
                        # server was back before its first retry): then the loss was silent.
                        subscriptions += 1
                        if on_subscribed is not None:
                            on_subscribed()
                        if lost:
                            log.log(back_level, "%s: connected to Redis again", what)
                        elif subscriptions > 1:
                            log.log(
                                lost_level, "%s: lost Redis for a moment, connected again", what
                            )
                        lost, delay = False, RECONNECT_FIRST_DELAY
                    elif message["type"] == "message":
                        yield message["data"]
            except _LOST as error:
                if not lost:
                    log.log(
                        lost_level, "%s: lost Redis (%s); retrying until it is back", what, error
                    )
                    lost = True
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_DELAY)
