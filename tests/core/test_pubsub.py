"""Forums sharing one Redis never hear each other: each names its channels after its database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from api.core.caching import ListingCache
from api.core.errors import RateLimited
from api.core.pubsub import FRONT_PAGE, PubSub


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def forums(redis: Redis) -> AsyncIterator[Callable[..., PubSub]]:
    """Makes the PubSub of a worker of a forum on `redis`; each is closed after the test."""
    made: list[PubSub] = []

    def forum(namespace: str, cache: ListingCache | None = None) -> PubSub:
        made.append(PubSub(redis, cache or ListingCache(ttl=60), namespace=namespace))
        return made[-1]

    yield forum
    for pubsub in made:
        await pubsub.aclose()


async def _first(ids: AsyncIterator[int], seconds: float) -> int | None:
    try:
        return await asyncio.wait_for(anext(ids), seconds)
    except TimeoutError:
        return None


async def test_a_forum_hears_its_own_posts_and_not_another_forums(
    forums: Callable[..., PubSub],
) -> None:
    # given two forums on one Redis, and a reader of each front page
    ours = forums("agora:forum_a")
    theirs = forums("agora:forum_b")
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


async def test_a_forum_clears_its_caches_only_for_its_own_changes(
    forums: Callable[..., PubSub],
) -> None:
    # given two forums on one Redis, each following invalidations, with a cached page
    our_cache, their_cache = ListingCache(ttl=60), ListingCache(ttl=60)
    ours = forums("agora:forum_a", our_cache)
    theirs = forums("agora:forum_b", their_cache)
    followers = [asyncio.create_task(p.follow_invalidations()) for p in (ours, theirs)]
    await asyncio.sleep(0.3)
    our_cache.listings.put("front page", ["our post"])
    their_cache.listings.put("front page", ["their post"])

    # when another worker of ours says content changed
    other_worker_of_ours = forums("agora:forum_a")
    await other_worker_of_ours.content_changed()
    await asyncio.sleep(0.3)

    # then our page is gone and theirs is still served
    assert our_cache.listings.get("front page") is None
    assert their_cache.listings.get("front page") == ["their post"]
    for follower in followers:
        follower.cancel()
    await asyncio.gather(*followers, return_exceptions=True)


async def test_a_session_ended_in_one_worker_is_forgotten_by_the_others(
    forums: Callable[..., PubSub],
) -> None:
    # given two workers of one forum that both remember a session, and another forum's worker
    ours, other_worker, theirs = ListingCache(ttl=60), ListingCache(ttl=60), ListingCache(ttl=60)
    pubsubs = [
        forums("agora:forum_a", ours),
        forums("agora:forum_a", other_worker),
        forums("agora:forum_b", theirs),
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


async def test_a_reader_that_falls_behind_is_ended_not_buffered_without_end(redis: Redis) -> None:
    # given a worker whose subscribers may fall 5 events behind, and a reader of its front page
    worker = PubSub(redis, ListingCache(ttl=60), namespace="agora:forum_a", queue_size=5)
    reader = worker.new_posts(FRONT_PAGE)
    first = asyncio.create_task(_first(reader, 5))
    await asyncio.sleep(0.3)  # subscribed
    await worker.post_created(community_id=7, post_id=1)
    assert await first == 1
    # when more posts come than it reads
    for post_id in range(2, 12):
        await worker.post_created(community_id=7, post_id=post_id)
    await asyncio.sleep(0.3)
    # then it is ended with a code, and nothing more is kept for it
    with pytest.raises(RateLimited, match="fell more than 5 events behind"):
        await anext(reader)
    assert worker.fanout.channels == 0
    await worker.aclose()
