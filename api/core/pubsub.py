"""Events between API workers, over Redis: new posts and comments for subscriptions, and
invalidation of the shared listing caches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from api.core.caching import INVALIDATION_CHANNEL, ListingCache

log = logging.getLogger("agora.api")

FRONT_PAGE = "all"


def posts_channel(community_id: int | str) -> str:
    return f"agora:posts:{community_id}"


def comments_channel(post_id: int) -> str:
    return f"agora:comments:{post_id}"


class PubSub:
    def __init__(self, redis: Redis, cache: ListingCache) -> None:
        self._redis = redis
        self._cache = cache

    async def content_changed(self) -> None:
        """A post or comment appeared, changed or went: cached listings and responses must be
        fetched again, in every worker."""
        self._cache.clear()
        await self._redis.publish(INVALIDATION_CHANNEL, b"content")

    async def post_created(self, *, community_id: int, post_id: int) -> None:
        await self.content_changed()
        await self._redis.publish(posts_channel(community_id), post_id)
        await self._redis.publish(posts_channel(FRONT_PAGE), post_id)

    async def comment_created(self, *, post_id: int, comment_id: int) -> None:
        await self.content_changed()
        await self._redis.publish(comments_channel(post_id), comment_id)

    async def ids(self, channel: str) -> AsyncIterator[int]:
        """The ids published on `channel` from now on, until the consumer stops."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(channel)
        try:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    yield int(message["data"])
        finally:
            await pubsub.unsubscribe(channel)
            await pubsub.aclose()

    async def follow_invalidations(self) -> None:
        """Clear this worker's caches whenever another worker says posts changed."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(INVALIDATION_CHANNEL)
        try:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    self._cache.clear()
        except asyncio.CancelledError:
            raise
        except Exception:  # a lost Redis connection: fall back to the time-to-live
            log.warning("cache invalidation listener stopped", exc_info=True)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
