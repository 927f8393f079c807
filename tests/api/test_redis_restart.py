"""Two API workers sharing one Redis go on hearing each other after that Redis restarts: cache
invalidations and live subscriptions come back, and what was missed meanwhile is not served
stale."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator

import asyncpg
import httpx
import pytest

from agora.settings import Settings
from api.communities import repository as communities
from api.posts import repository as posts
from api.users import repository as users
from tests.api.test_subscriptions import POST_CREATED, Subscription
from tests.support.factories import create_community, create_post
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import LiveServer, start_server

LISTING = (
    "query($c: String) { posts(community: $c, sort: NEW, first: 10) { edges { node { title } } } }"
)
LOST = "pub/sub listener's Redis is unreachable"
BACK = "pub/sub listener's Redis answers again"


@pytest.fixture
def workers(
    settings: Settings, database_url: str, private_redis: PrivateRedis
) -> Iterator[tuple[LiveServer, LiveServer]]:
    # A listing cache that would keep pages for ten minutes: only an invalidation refreshes them.
    options = {"write_rate_limit": 1_000_000, "listing_cache_seconds": 600.0}
    writer = start_server(
        settings, database_url=database_url, redis_url=private_redis.url, **options
    )
    reader = start_server(
        settings, database_url=database_url, redis_url=private_redis.url, **options
    )
    yield writer, reader
    writer.stop()
    reader.stop()


async def titles(client: Client, community: str) -> list[str]:
    data = await client.data(LISTING, {"c": community})
    return [edge["node"]["title"] for edge in data["posts"]["edges"]]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


def said(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


async def test_workers_hear_each_other_again_after_redis_restarts(
    workers: tuple[LiveServer, LiveServer],
    private_redis: PrivateRedis,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="agora.api")
    writer, reader = workers
    async with httpx.AsyncClient(timeout=30) as http:
        alice = await sign_in(Client(writer.graphql_url, http))
        anonymous = Client(reader.graphql_url, http)
        name = (await create_community(alice))["name"]
        # given the reader caches the community's listing, and hears of the writer's posts
        assert await titles(anonymous, name) == []
        await create_post(alice, name, title="before")
        assert await eventually(lambda: _shows(anonymous, name, ["before"]))

        # when Redis stops for a while (several attempts to reconnect), during which a post is
        # written by a process that could not tell the others
        private_redis.stop()
        await _write_post_directly(database_url, name, alice, title="while away")
        await asyncio.sleep(2)
        private_redis.start()

        # then both workers' listeners are back, each having said once that it lost Redis and
        # once that it has it again
        assert await eventually(lambda: _true(said(caplog, BACK) == 2)), caplog.text
        assert said(caplog, LOST) == 2
        # and the reader cleared its cache on reconnecting: what it missed shows at once
        assert await titles(anonymous, name) == ["while away", "before"]
        # and the reader hears of the writer's new posts again
        await create_post(alice, name, title="after")
        assert await eventually(lambda: _shows(anonymous, name, ["after", "while away", "before"]))
        # and still only one line each about it
        assert (said(caplog, LOST), said(caplog, BACK)) == (2, 2)


async def test_a_live_subscription_survives_a_redis_restart(
    workers: tuple[LiveServer, LiveServer], private_redis: PrivateRedis
) -> None:
    writer, reader = workers
    async with httpx.AsyncClient(timeout=30) as http:
        alice = await sign_in(Client(writer.graphql_url, http))
        name = (await create_community(alice))["name"]
        # given a reader subscribed on one worker to the posts of a community
        async with Subscription(reader.graphql_url, POST_CREATED, {"c": name}) as sub:
            # when Redis restarts
            private_redis.stop()
            await asyncio.sleep(1)
            private_redis.start()
            # then posts written on the other worker reach the subscriber again (those written
            # before the subscription is back are missed: keep writing until one arrives)
            written: list[str] = []
            for _ in range(20):
                written.append((await create_post(alice, name, title="live again"))["id"])
                try:
                    received = await asyncio.wait_for(sub.next(), timeout=0.5)
                    break
                except TimeoutError:
                    continue
            else:
                pytest.fail("no post reached the subscriber after Redis restarted")
    assert received["postCreated"]["id"] in written
    assert received["postCreated"]["title"] == "live again"


async def _shows(client: Client, community: str, expected: list[str]) -> bool:
    return await titles(client, community) == expected


async def _true(value: bool) -> bool:
    return value


async def _write_post_directly(
    database_url: str, community: str, author: Client, *, title: str
) -> None:
    assert author.account is not None
    conn = await asyncpg.connect(database_url)
    try:
        found = await communities.get_community_by_name(conn, name=community)
        user = await users.get_user_by_address(conn, address=author.account.address)
        assert found is not None and user is not None
        await posts.create_post(
            conn,
            community_id=found["id"],
            author_id=user["id"],
            title=title,
            body=None,
            body_html=None,
            url=None,
        )
    finally:
        await conn.close()
