"""Forums sharing one Redis never hear each other: each names its channels after its database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from api.core.caching import ListingCache
from api.core.pubsub import FRONT_PAGE, PubSub


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _first(ids: AsyncIterator[int], seconds: float) -> int | None:
    try:
        return await asyncio.wait_for(anext(ids), seconds)
    except TimeoutError:
        return None


async def test_a_forum_hears_its_own_posts_and_not_another_forums(redis: Redis) -> None:
    # given two forums on one Redis, and a reader of each front page
    ours = PubSub(redis, ListingCache(ttl=60), namespace="agora:forum_a")
    theirs = PubSub(redis, ListingCache(ttl=60), namespace="agora:forum_b")
    our_reader = ours.new_posts(FRONT_PAGE)
    their_reader = theirs.new_posts(FRONT_PAGE)
    heard = asyncio.create_task(_first(our_reader, 5))
    overheard = asyncio.create_task(_first(their_reader, 1))
    await asyncio.sleep(0.3)  # both subscribed

    # when a post is created in ours
    await ours.post_created(community_id=7, post_id=42)

    # then our reader hears it, theirs does not
    assert await heard == 42
    assert await overheard is None
    await our_reader.aclose()
    await their_reader.aclose()


async def test_a_forum_clears_its_caches_only_for_its_own_changes(redis: Redis) -> None:
    # given two forums on one Redis, each following invalidations, with a cached page
    our_cache, their_cache = ListingCache(ttl=60), ListingCache(ttl=60)
    ours = PubSub(redis, our_cache, namespace="agora:forum_a")
    theirs = PubSub(redis, their_cache, namespace="agora:forum_b")
    followers = [asyncio.create_task(p.follow_invalidations()) for p in (ours, theirs)]
    await asyncio.sleep(0.3)
    our_cache.listings.put("front page", ["our post"])
    their_cache.listings.put("front page", ["their post"])

    # when another worker of ours says content changed
    other_worker_of_ours = PubSub(redis, ListingCache(ttl=60), namespace="agora:forum_a")
    await other_worker_of_ours.content_changed()
    await asyncio.sleep(0.3)

    # then our page is gone and theirs is still served
    assert our_cache.listings.get("front page") is None
    assert their_cache.listings.get("front page") == ["their post"]
    for follower in followers:
        follower.cancel()
    await asyncio.gather(*followers, return_exceptions=True)


async def test_a_session_ended_in_one_worker_is_forgotten_by_the_others(redis: Redis) -> None:
    # given two workers of one forum that both remember a session, and another forum's worker
    ours, other_worker, theirs = ListingCache(ttl=60), ListingCache(ttl=60), ListingCache(ttl=60)
    pubsubs = [
        PubSub(redis, ours, namespace="agora:forum_a"),
        PubSub(redis, other_worker, namespace="agora:forum_a"),
        PubSub(redis, theirs, namespace="agora:forum_b"),
    ]
    followers = [asyncio.create_task(p.follow_invalidations()) for p in pubsubs]
    await asyncio.sleep(0.3)
    token_hash = bytes(range(32))  # any bytes, as a SHA-256 is
    for cache in (ours, other_worker, theirs):
        cache.sessions.put(token_hash, "alice's session")
    ours.listings.put("front page", ["a post"])

    # when it is signed out through the other worker
    await pubsubs[1].session_ended(token_hash)
    await asyncio.sleep(0.3)

    # then neither worker of ours accepts it any more; the listings stay, the other forum's
    # session too
    assert ours.sessions.get(token_hash) is None
    assert other_worker.sessions.get(token_hash) is None
    assert ours.listings.get("front page") == ["a post"]
    assert theirs.sessions.get(token_hash) == "alice's session"
    for follower in followers:
        follower.cancel()
    await asyncio.gather(*followers, return_exceptions=True)
