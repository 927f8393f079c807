"""Live updates are bounded and cheap: a socket runs at most MAX_SUBSCRIPTIONS_PER_SOCKET
subscriptions, an address opens at most MAX_SOCKETS_PER_IP sockets, a subscription to something
that does not exist is refused, and a worker listens to Redis over one connection however many
subscribe, so sign-in and writes keep their speed under a thousand subscriptions."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from eth_account import Account
from redis import Redis

from agora.settings import Settings
from api.core import ids
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import SIGN_IN_CHALLENGE, Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import LiveServer, start_server
from tests.support.sockets import Socket

POST_CREATED = "subscription($c: String) { postCreated(community: $c) { id title } }"
COMMENT_CREATED = "subscription($p: ID!) { commentCreated(postId: $p) { id body } }"
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) { id } }"


def codes(message: dict[str, Any]) -> list[str]:
    """The error codes of an `error` message, or of a `next` message carrying errors."""
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]


async def post_until_heard(
    author: Client, community: str, socket: Socket, subscriptions: list[str]
) -> list[str]:
    """Posts in `community` until each of `subscriptions` has heard one; the posts' ids. A
    subscription starts listening a moment after it is asked for (it first looks up its
    community), and graphql-transport-ws says nothing when it does: a post written sooner is
    not sent to it."""
    posted: list[str] = []
    for _ in range(10):
        posted.append((await create_post(author, community, title="for all of them"))["id"])
        try:
            await socket.until(lambda: all(socket.data(s) for s in subscriptions), seconds=2)
        except TimeoutError:
            continue
        return posted
    raise AssertionError(f"{subscriptions} heard none of {len(posted)} posts")


async def test_a_socket_runs_at_most_its_share_of_subscriptions(
    alice: Client, live_server: LiveServer
) -> None:
    limit = live_server.settings.max_subscriptions_per_socket
    community = (await create_community(alice))["name"]
    socket = await Socket.open(live_server.graphql_url)
    # given a socket running as many subscriptions as it may
    for n in range(limit):
        await socket.subscribe(f"s{n}", POST_CREATED, {"c": community})
    # when it asks for one more
    await socket.subscribe("one too many", POST_CREATED, {"c": community})
    # then that one is refused with a code, and the others go on
    refused = await socket.result("one too many")
    assert refused["type"] == "error"
    assert codes(refused) == ["RATE_LIMITED"]
    assert f"{limit} subscriptions at once" in refused["payload"][0]["message"]
    posted = await post_until_heard(alice, community, socket, [f"s{n}" for n in range(limit)])
    first = socket.data("s0")[0]["postCreated"]
    assert first["id"] in posted and first["title"] == "for all of them"
    # and once one is completed, another may start
    await socket.complete("s0")
    await socket.subscribe("in its place", POST_CREATED, {"c": community})
    posted = await post_until_heard(alice, community, socket, ["in its place"])
    assert socket.data("in its place")[0]["postCreated"]["id"] in posted
    assert not socket.closed
    await socket.close()


@pytest.fixture
def few_sockets_server(
    settings: Settings, database_url: str, redis_url: str
) -> Iterator[LiveServer]:
    server = start_server(
        settings, database_url=database_url, redis_url=redis_url, max_sockets_per_ip=3
    )
    yield server
    server.stop()


async def test_one_address_opens_at_most_its_share_of_sockets(
    few_sockets_server: LiveServer,
) -> None:
    url = few_sockets_server.graphql_url
    # given an address holding as many sockets as it may
    mine = [await Socket.open(url, local_ip="127.0.0.1") for _ in range(3)]
    assert all(socket.acknowledged for socket in mine)
    # when it opens one more, it is closed at once with 4429
    refused = await Socket.open(url, local_ip="127.0.0.1")
    assert (refused.close_code, refused.acknowledged) == (4429, False)
    assert "Too many open sockets" in refused.close_reason
    # while another address still gets one
    theirs = await Socket.open(url, local_ip="127.0.0.2")
    assert theirs.acknowledged
    # and when the first address closes one, it may open another
    await mine.pop().close()
    deadline = time.monotonic() + 10
    while not (again := await Socket.open(url, local_ip="127.0.0.1")).acknowledged:
        assert time.monotonic() < deadline, "the closed socket was never counted out"
        await asyncio.sleep(0.1)
    for socket in [*mine, theirs, again]:
        await socket.close()


async def test_subscriptions_to_what_does_not_exist_are_refused(
    alice: Client, live_server: LiveServer
) -> None:
    community = (await create_community(alice))["name"]
    deleted = await create_post(alice, community)
    await alice.data(DELETE_POST, {"id": deleted["id"]})
    socket = await Socket.open(live_server.graphql_url)
    unknown_post = ids.encode("Post", 2**31 - 1)  # well-formed, of no post
    await socket.subscribe("unknown post", COMMENT_CREATED, {"p": unknown_post})
    await socket.subscribe("deleted post", COMMENT_CREATED, {"p": deleted["id"]})
    await socket.subscribe("unknown community", POST_CREATED, {"c": "no_such_community_x"})
    for id in ("unknown post", "deleted post", "unknown community"):
        assert codes(await socket.result(id)) == ["NOT_FOUND"], id
    await socket.close()


@pytest.fixture
def worker(
    settings: Settings, database_url: str, private_redis: PrivateRedis
) -> Iterator[LiveServer]:
    """A worker of the forum alone on a Redis of its own, so that Redis' count of connections is
    this worker's."""
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        write_rate_limit=1_000_000,
    )
    yield server
    server.stop()


SOCKETS = 50


@pytest.mark.solo
async def test_a_thousand_subscriptions_leave_sign_in_and_writes_their_speed(
    alice: Client, worker: LiveServer, private_redis: PrivateRedis
) -> None:
    per_socket = worker.settings.max_subscriptions_per_socket
    assert SOCKETS * per_socket == 1000
    community = (await create_community(alice))["name"]  # on-chain, through the live server
    async with httpx.AsyncClient(timeout=30) as http:
        writer = await sign_in(Client(worker.graphql_url, http))
        anonymous = Client(worker.graphql_url, http)
        # given posts to follow the comments of, and the speed of sign-in and writes when
        # nobody subscribes
        followed = [(await create_post(writer, community))["id"] for _ in range(per_socket - 1)]
        calm = await _timings(anonymous, writer, community)

        # when 50 sockets each run 20 subscriptions: the community's new posts, and the new
        # comments of 19 posts
        sockets = [await Socket.open(worker.graphql_url) for _ in range(SOCKETS)]
        for socket in sockets:
            await socket.subscribe("posts", POST_CREATED, {"c": community})
            for n, post_id in enumerate(followed):
                await socket.subscribe(f"comments {n}", COMMENT_CREATED, {"p": post_id})
        listener = worker.resources.pubsub.fanout
        await _until(lambda: listener.subscribers == SOCKETS * per_socket)
        # one Redis subscription per channel: 20 of clients, 1 of invalidations
        await _until(lambda: _subscribed_channels(private_redis) == per_socket + 1)
        busy = await _timings(anonymous, writer, community)

        # then sign-in and writes keep their speed (a generous bound: the machine is shared)
        print(f"\nwithout subscriptions: {calm}\nwith 1,000 subscriptions: {busy}")
        assert busy["signInChallenge"]["p95"] < 1.0, busy
        assert busy["createPost"]["p95"] < 1.0, busy
        # and every subscription still hears its events
        post = await create_post(writer, community, title="heard by all")
        comment = await create_comment(writer, followed[-1], "heard too")
        last = f"comments {per_socket - 2}"

        def everyone_heard() -> bool:
            return all(
                {"postCreated": {"id": post["id"], "title": "heard by all"}} in s.data("posts")
                and {"commentCreated": {"id": comment["id"], "body": "heard too"}} in s.data(last)
                for s in sockets
            )

        await _until(everyone_heard)
        assert not any(socket.closed for socket in sockets)
        # and the worker holds one Redis connection for all of them, subscribed once per channel
        assert _clients(private_redis, "agora-api-listener") == 1
        assert _clients(private_redis, "agora-api") <= 10, _client_list(private_redis)
        assert listener.channels == per_socket + 1
        health = await http.get(f"{worker.url}/healthz")
        assert health.status_code == 200
        for socket in sockets:
            await socket.close()


async def _timings(anonymous: Client, writer: Client, community: str) -> dict[str, Any]:
    """p50 and p95 seconds of 30 sign-in challenges and 30 new posts, one after another."""
    challenges: list[float] = []
    writes: list[float] = []
    for _ in range(30):
        started = time.perf_counter()
        await anonymous.data(SIGN_IN_CHALLENGE, {"address": Account.create().address})
        challenges.append(time.perf_counter() - started)
        started = time.perf_counter()
        await create_post(writer, community)
        writes.append(time.perf_counter() - started)
    return {"signInChallenge": _percentiles(challenges), "createPost": _percentiles(writes)}


def _percentiles(seconds: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(seconds, n=20)
    return {"p50": round(statistics.median(seconds), 4), "p95": round(cuts[18], 4)}


def _client_list(server: PrivateRedis) -> list[dict[str, Any]]:
    with Redis.from_url(server.url) as redis:
        return list(redis.client_list())


def _clients(server: PrivateRedis, name: str) -> int:
    return sum(client["name"] == name for client in _client_list(server))


def _subscribed_channels(server: PrivateRedis) -> int:
    with Redis.from_url(server.url) as redis:
        return len(redis.pubsub_channels())


async def _until(check: Callable[[], bool | Awaitable[bool]], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.1)
