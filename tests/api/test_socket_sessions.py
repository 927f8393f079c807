"""A session ends on its open WebSockets too: signed out (on any worker) or expired, its sockets
are closed with 4403 at once, and none goes on acting as the viewer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from agora.settings import Settings
from api.auth.sessions import delete_session, hash_token
from api.core.caching import SESSION_SECONDS
from tests.support.factories import CREATE_POST, create_community
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server
from tests.support.sockets import Socket

VIEWER = "query { viewer { user { address } } }"
SIGN_OUT = "mutation { signOut }"


async def viewer_over(socket: Socket, id: str) -> str | None:
    await socket.subscribe(id, VIEWER)
    viewer = (await socket.result(id))["payload"]["data"]["viewer"]
    return viewer["user"]["address"] if viewer else None


async def test_signing_out_closes_the_sessions_sockets_at_once(
    alice: Client, live_server: LiveServer
) -> None:
    assert alice.token and alice.account
    community = (await create_community(alice))["name"]
    # given a socket opened with alice's session, acting as her
    socket = await Socket.open(live_server.graphql_url, token=alice.token)
    assert await viewer_over(socket, "before") == alice.account.address
    post = {"community": community, "title": "over the socket", "body": "hi"}
    await socket.subscribe("write", CREATE_POST, {"input": post})
    assert (await socket.result("write"))["payload"]["data"]["createPost"]["title"] == post["title"]
    # when she signs out over HTTP
    signed_out = time.monotonic()
    assert await alice.data(SIGN_OUT) == {"signOut": True}
    # then the socket is closed with 4403, without waiting for anything the socket does
    await socket.until(lambda: socket.closed, seconds=10)
    print(f"\nclosed {time.monotonic() - signed_out:.3f} s after the sign-out answered")
    assert (socket.close_code, socket.close_reason) == (4403, "Session ended")


@pytest.fixture
def other_worker(settings: Settings, database_url: str, redis_url: str) -> Iterator[LiveServer]:
    server = start_server(settings, database_url=database_url, redis_url=redis_url)
    yield server
    server.stop()


async def test_signing_out_on_one_worker_closes_the_sockets_on_another(
    alice: Client, other_worker: LiveServer
) -> None:
    assert alice.token and alice.account
    # given alice's socket on another worker than the one she signs out on
    socket = await Socket.open(other_worker.graphql_url, token=alice.token)
    assert await viewer_over(socket, "before") == alice.account.address
    # when she signs out
    await alice.data(SIGN_OUT)
    # then that worker hears of it and closes the socket
    await socket.until(lambda: socket.closed, seconds=10)
    assert socket.close_code == 4403


@pytest.fixture
def short_sessions_server(
    settings: Settings, database_url: str, redis_url: str
) -> Iterator[LiveServer]:
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        session_ttl_seconds=3,
        write_rate_limit=1_000_000,  # the shared Redis counts every test's writes from here
    )
    yield server
    server.stop()


async def test_a_session_expiring_closes_its_sockets(short_sessions_server: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        alice = await sign_in(Client(short_sessions_server.graphql_url, http))
    assert alice.token and alice.account
    opened = time.monotonic()
    # given a socket of a session that lasts 3 seconds
    socket = await Socket.open(short_sessions_server.graphql_url, token=alice.token)
    assert await viewer_over(socket, "before") == alice.account.address
    # when it expires, the socket is closed
    await socket.until(lambda: socket.closed, seconds=30)
    assert socket.close_code == 4403
    assert time.monotonic() - opened > 1.5  # at its expiry, not before


async def test_a_session_ended_unheard_stops_at_the_sockets_next_operation(
    alice: Client, live_server: LiveServer, db: asyncpg.Connection
) -> None:
    assert alice.token and alice.account
    socket = await Socket.open(live_server.graphql_url, token=alice.token)
    assert await viewer_over(socket, "before") == alice.account.address
    # given the session ended where no worker heard of it (as if Redis lost the message)
    await delete_session(db, token_hash=hash_token(alice.token))
    await asyncio.sleep(SESSION_SECONDS + 0.5)  # past what a worker trusts from its cache
    # when the socket asks anything more, it is closed instead of answered
    await socket.subscribe("after", VIEWER)
    await socket.until(lambda: socket.closed, seconds=10)
    assert socket.close_code == 4403
    assert socket.messages["after"] == []
