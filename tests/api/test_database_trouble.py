"""Many writers at once, a database that drops its connections or does not answer in time: the
API keeps answering, and never with a bare 500."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from agora.db import APPLICATION_NAME
from agora.settings import Settings
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

COMMENT_COUNT = "query($id: ID!) { post(id: $id) { commentCount } }"
COMMENTS = "query($id: ID!) { comments(postId: $id, sort: NEW) { body } }"
VIEWER = "{ viewer { user { address } } }"


async def test_fifty_people_comment_on_one_post_at_once_and_the_api_keeps_answering(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client
) -> None:
    # given a post and fifty signed-in people (more than the pool has connections)
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    people = await asyncio.gather(
        *(sign_in(Client(live_server.graphql_url, http)) for _ in range(50))
    )
    # when they all comment on it at once, and someone checks the server's health meanwhile
    started = time.monotonic()
    comments = asyncio.gather(
        *(create_comment(person, post["id"], f"comment {i}") for i, person in enumerate(people))
    )
    health = await http.get(f"{live_server.url}/healthz", timeout=10)
    created = await comments
    elapsed = time.monotonic() - started
    # then every comment is there, and the server answered throughout
    assert health.status_code == 200
    assert len({comment["id"] for comment in created}) == 50
    assert (await alice.data(COMMENT_COUNT, {"id": post["id"]}))["post"]["commentCount"] == 50
    bodies = {c["body"] for c in (await alice.data(COMMENTS, {"id": post["id"]}))["comments"]}
    assert bodies == {f"comment {i}" for i in range(50)}
    print(f"50 simultaneous comments on one post: {elapsed:.2f} s")


async def _terminate_api_connections(db: asyncpg.Connection) -> int:
    """End every session the API holds on this database, as a restart of PostgreSQL would, and
    wait until they are gone."""
    pids = [
        row["pid"]
        for row in await db.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = $1 AND pid <> pg_backend_pid()",
            APPLICATION_NAME,
        )
    ]
    for pid in pids:
        await db.execute("SELECT pg_terminate_backend($1)", pid)
    deadline = time.monotonic() + 10
    while await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids
    ):
        assert time.monotonic() < deadline, "the terminated sessions did not end"
        await asyncio.sleep(0.05)
    return len(pids)


async def test_the_api_answers_again_after_the_database_dropped_its_connections(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client, db: asyncpg.Connection
) -> None:
    # given a server that has been answering, so its pool holds open connections
    community = await create_community(alice)
    await create_post(alice, community["name"])
    # when the database drops every one of them
    assert await _terminate_api_connections(db) > 0
    # then the next requests, reads and writes, signed in or not, succeed
    assert (await http.get(f"{live_server.url}/healthz")).status_code == 200
    post = await create_post(alice, community["name"], title="after the restart")
    assert post["title"] == "after the restart"
    assert (await alice.data(VIEWER))["viewer"]["user"]["address"] == alice.account.address
    comment = await create_comment(alice, post["id"], "still here")
    assert comment["body"] == "still here"


@pytest.fixture
def impatient_server(settings: Settings, database_url: str, redis_url: str) -> Iterator[LiveServer]:
    """A server that waits at most 200 ms for a lock (the default is seconds)."""
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        db_lock_timeout_ms=200,
    )
    yield server
    server.stop()


async def test_a_session_lookup_the_database_cannot_answer_is_a_graphql_error_to_retry(
    impatient_server: LiveServer, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    # given someone signed in, and the sessions table locked by a long migration
    alice = await sign_in(Client(impatient_server.graphql_url, http))
    async with db.transaction():
        await db.execute("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        # when they ask for anything
        response = await http.post(
            impatient_server.graphql_url,
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {alice.token}"},
        )
    # then a GraphQL error saying to try again, with the status that says so to proxies
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
    assert "try again" in body["errors"][0]["message"]
    # and once the lock is gone, the same request succeeds
    assert (await alice.data(VIEWER))["viewer"]["user"]["address"] == alice.account.address
