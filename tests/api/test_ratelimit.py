"""Write rate limits on the oldest Redis Agora runs on: the embedded Redis 6.2 a fresh machine
gets when no Redis answers (Redis 7-only commands such as `EXPIRE … NX` fail there)."""

from __future__ import annotations

import httpx
import redis

from agora.settings import Settings
from tests.support.factories import create_community
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import start_server

WINDOW = 60


async def test_signing_in_and_writing_work_and_are_limited_on_redis_6(
    settings: Settings, database_url: str, private_redis: PrivateRedis
) -> None:
    direct = redis.Redis.from_url(private_redis.url)
    assert direct.info("server")["redis_version"].startswith("6.2")
    # given a server allowing 3 writes a minute, on Redis 6.2
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        write_rate_limit=3,
        write_rate_window_seconds=WINDOW,
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
    assert 0 < error["extensions"]["retryAfter"] <= WINDOW
    # and every counter expires with its window, none lives for ever
    counters = direct.keys("rl:*")
    assert counters
    assert all(0 < direct.ttl(name) <= WINDOW for name in counters)
