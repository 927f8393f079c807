"""Write rate limits on the oldest Redis Agora runs on: the embedded Redis 6.2 a fresh machine
gets when no Redis answers (Redis 7-only commands such as `EXPIRE … NX` fail there)."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import redis
from redis import asyncio as aioredis

from agora.settings import Settings
from api.core import ratelimit
from api.core.errors import RateLimited
from tests.support.factories import create_community
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import LiveServer, start_server

WINDOW = 60
# The server's window: an hour, so that it cannot end (it is fixed on the clock) while the test
# counts; its Redis is the test's own.
HOUR = 3600


async def test_signing_in_and_writing_work_and_are_limited_on_redis_6(
    settings: Settings, database_url: str, private_redis: PrivateRedis, live_server: LiveServer
) -> None:
    # (live_server's sender and indexer, which follow database_url, put the community on-chain:
    # without them the test passed only after another module had started them)
    direct = redis.Redis.from_url(private_redis.url)
    assert direct.info("server")["redis_version"].startswith("6.2")
    # given a server allowing 3 writes an hour, on Redis 6.2
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        write_rate_limit=3,
        write_rate_window_seconds=HOUR,
    )
    try:
        async with httpx.AsyncClient() as http:
            # when one signs in (2 writes against the IP) and creates a community
            client = await sign_in(Client(server.graphql_url, http))
            community = await create_community(client)
            # and tries once more
            error = await client.error(
                'mutation { createCommunity(input: {name: "one_too_many", title: "T"}) { name } }'
            )
    finally:
        server.stop()
    # then the first writes went through and the one over the limit is refused
    assert community["viewerIsModerator"] is True
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= HOUR
    # and every counter expires with its window, none lives for ever
    counters = direct.keys("rl:*")
    assert counters
    assert all(0 < direct.ttl(name) <= HOUR for name in counters)


async def test_writes_counted_at_the_same_moment_are_each_counted(redis_url: str) -> None:
    # given a limit of 3 writes, and a key of its own
    client = aioredis.Redis.from_url(redis_url)
    key = f"test:{secrets.token_hex(8)}"
    try:
        # when 5 writes against it are counted at once (one call to Redis for them all)
        outcomes = await asyncio.gather(
            *(ratelimit.hit(client, [key], limit=3, window=WINDOW) for _ in range(5)),
            return_exceptions=True,
        )
    finally:
        await client.aclose()
    # then each was counted as if alone: the first 3 pass, the 2 over the limit are refused
    assert outcomes[:3] == [None, None, None]
    assert all(isinstance(refused, RateLimited) for refused in outcomes[3:])
