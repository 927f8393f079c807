"""Safety: query limits, error codes that never leak internals, and write rate limits."""

from __future__ import annotations

import httpx

from agora.settings import Settings
from tests.support.factories import create_community
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import LiveServer, start_server


async def test_too_deep_queries_are_refused(anonymous: Client) -> None:
    nested = "comments(first: 1) { edges { node { post { author { " * 4
    query = '{ user(address: "0x' + "1" * 40 + '") { ' + nested + "id" + " } } } } }" * 4 + " } }"
    error = (await anonymous.execute(query))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exceeds maximum operation depth" in error["message"]


async def test_too_many_aliases_are_refused(anonymous: Client) -> None:
    query = "{ " + " ".join(f"a{i}: viewer {{ csrfToken }}" for i in range(20)) + " }"
    error = (await anonymous.execute(query))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "aliases" in error["message"]


async def test_too_costly_queries_are_refused(anonymous: Client) -> None:
    query = """
    { communities(first: 100) { edges { node { moderators { posts(first: 100) {
        edges { node { title } } } } } } } }
    """
    error = (await anonymous.execute(query))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "the limit is 5000" in error["message"]


async def test_documents_of_too_many_tokens_are_refused(anonymous: Client) -> None:
    query = "{ " + " ".join(["a"] * 3100) + " }"  # within the length limit
    error = (await anonymous.execute(query))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "more than 3000 tokens" in error["message"]


async def test_syntax_errors_say_where(anonymous: Client) -> None:
    error = (await anonymous.execute("{ posts(first: ) }"))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Syntax Error" in error["message"]


async def test_an_internal_error_leaks_nothing(alice: Client, db) -> None:
    # given the database refuses what our code expects to work (a column the code reads is gone)
    await db.execute("ALTER TABLE users RENAME COLUMN bio TO bio_hidden")
    try:
        # when
        body = await alice.execute('mutation { updateProfile(input: {bio: "x"}) { bio } }')
    finally:
        await db.execute("ALTER TABLE users RENAME COLUMN bio_hidden TO bio")
    # then
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL"}
    assert error["message"] == "Something went wrong on our side. Please try again in a moment."
    assert "bio" not in str(body) and "Traceback" not in str(body)


async def test_writes_are_rate_limited_per_account(
    settings: Settings, database_url: str, private_redis: PrivateRedis, live_server: LiveServer
) -> None:
    # given a server allowing 3 writes an hour (a window, fixed on the clock, that cannot end
    # while the test counts), on a Redis of its own; live_server's sender and indexer, which
    # follow database_url, put the community on-chain
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        write_rate_limit=3,
        write_rate_window_seconds=3600,
    )
    try:
        async with httpx.AsyncClient() as http:
            # (sign-in itself counts against the IP: 2 writes)
            client = await sign_in(Client(server.graphql_url, http))
            await create_community(client)
            # when
            error = await client.error(
                'mutation { createCommunity(input: {name: "too_many", title: "T"}) { name } }'
            )
    finally:
        server.stop()
    # then
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 3600
    assert "too often" in error["message"]


async def test_graphiql_is_served_to_browsers(live_server, http) -> None:
    response = await http.get(live_server.graphql_url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
