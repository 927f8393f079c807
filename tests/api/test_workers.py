"""`agora serve` as several processes: two workers behind one port, and a second server on
another port (another host, as far as they can tell), all on one database and one Redis. Whoever
answers, a reader sees what was written through any of them, a sign-out ends the session on all,
a subscriber hears of posts written anywhere, rate limits count everywhere, and GET /metrics
sums the workers into one answer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agora.services import free_port
from api.core.caching import SESSION_SECONDS
from api.server.metrics import WORKER_HEADER
from tests.support.factories import create_community, create_post, vote
from tests.support.graphql import Client, sign_in
from tests.support.ratelimits import room_in_window
from tests.support.server import LiveServer
from tests.support.sockets import Socket

METRICS_TOKEN = "scrape-me"
RENDER_RATE_LIMIT = 3
RENDER_RATE_WINDOW = 60

LISTING = """
query Listing($c: String) { posts(community: $c, sort: NEW, first: 10) { edges { node { id } } } }
"""
VIEWER = "{ viewer { user { address } } }"
SIGN_OUT = "mutation { signOut }"
PREVIEW = "query Preview($source: String!) { renderMarkdown(source: $source) }"
POST_CREATED = "subscription($c: String) { postCreated(community: $c) { id } }"
INDEXER = "{ indexer { indexedBlock lagBlocks } }"
SCORE = """
query($id: ID!) {
  post(id: $id) { score upvotes downvotes viewerVote author { postKarma } }
}
"""


@dataclass
class Cluster:
    workers: str  # `agora serve` with AGORA_WORKERS=2
    other_host: str  # a second `agora serve` on another port, METRICS_TOKEN set


def _serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _healthy_pids(base: str, seconds: float, want: int) -> set[str]:
    """The workers seen answering /healthz (each request on a new connection) once `want` of
    them have."""
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while len(seen) < want and time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{base}/healthz", timeout=2)
            if answer.status_code == 200:
                seen.add(answer.headers[WORKER_HEADER])
        except httpx.HTTPError:
            time.sleep(0.2)
    return seen


@pytest.fixture(scope="module")
def cluster(
    workers_database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("workers")
    ports = free_port(), free_port()
    common = os.environ | {
        "DATABASE_URL": workers_database_url,
        "REDIS_URL": redis_url,
        "AGORA_DATA_DIR": str(logs),
        # One forum behind two addresses, as behind a load balancer: either checks sign-ins.
        "SIWE_DOMAIN": f"127.0.0.1:{ports[0]}",
        "SIWE_URI": f"http://127.0.0.1:{ports[0]}",
        # Long enough that a reader seeing a new post proves the cache was cleared, not expired.
        "LISTING_CACHE_SECONDS": "60",
        "RENDER_RATE_LIMIT": str(RENDER_RATE_LIMIT),
        "RENDER_RATE_WINDOW_SECONDS": str(RENDER_RATE_WINDOW),
        "RENDER_WORKERS": "1",
    }
    servers = [
        _serve(common | {"AGORA_PORT": str(ports[0]), "AGORA_WORKERS": "2"}, logs / "a.log"),
        _serve(
            common
            | {"AGORA_PORT": str(ports[1]), "AGORA_WORKERS": "1", "METRICS_TOKEN": METRICS_TOKEN},
            logs / "b.log",
        ),
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, want, log in zip(bases, (2, 1), ("a.log", "b.log"), strict=True):
            assert len(_healthy_pids(base, 120, want)) == want, (logs / log).read_text()
        yield Cluster(*bases)
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)  # Ctrl-C
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Pinned:
    """HTTP clients each kept on one connection, so on one worker (the pid /healthz names), from
    one loopback address."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        self.address = address
        self.by_worker: dict[str, httpx.AsyncClient] = {}

    def _client(self) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(
            local_address=self.address, limits=httpx.Limits(max_connections=1)
        )
        return httpx.AsyncClient(transport=transport, timeout=60)

    async def workers(self, count: int) -> list[str]:
        """The pids of `count` workers, each with a client of its own."""
        for _ in range(60):
            if len(self.by_worker) >= count:
                break
            client = self._client()
            pid = (await client.get(f"{self.base}/healthz")).headers[WORKER_HEADER]
            if pid in self.by_worker:
                await client.aclose()
            else:
                self.by_worker[pid] = client
        assert len(self.by_worker) >= count, f"only {list(self.by_worker)} answered"
        return list(self.by_worker)[:count]

    async def on(self, pid: str, token: str | None = None) -> Client:
        """A GraphQL client whose requests worker `pid` answers (its connection checked again
        first: one closed while idle would be opened again to any worker)."""
        http = self.by_worker[pid]
        if (await http.get(f"{self.base}/healthz")).headers[WORKER_HEADER] != pid:
            await http.aclose()
            del self.by_worker[pid]
            while pid not in self.by_worker:
                client = self._client()
                if (await client.get(f"{self.base}/healthz")).headers[WORKER_HEADER] == pid:
                    self.by_worker[pid] = client
                else:
                    await client.aclose()
            http = self.by_worker[pid]
        return Client(f"{self.base}/graphql", http, token=token)

    async def aclose(self) -> None:
        for client in self.by_worker.values():
            await client.aclose()


def _loopback() -> str:
    """An address of this machine of the test's own: per-IP quotas it spends are no one else's."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


@pytest.fixture
async def pinned(cluster: Cluster) -> AsyncIterator[Pinned]:
    workers = Pinned(cluster.workers, _loopback())
    yield workers
    await workers.aclose()


@pytest.fixture
async def other_host(cluster: Cluster) -> AsyncIterator[Client]:
    transport = httpx.AsyncHTTPTransport(local_address=_loopback())
    async with httpx.AsyncClient(transport=transport, timeout=60) as http:
        yield Client(f"{cluster.other_host}/graphql", http)


def _ids(listing: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in listing["posts"]["edges"]]


async def test_what_one_worker_writes_every_worker_and_host_shows_at_once(
    pinned: Pinned, other_host: Client
) -> None:
    # given a community, its page read (and so cached) on both workers and on the other host
    first, second = await pinned.workers(2)
    writer = await sign_in(await pinned.on(first))
    community = await create_community(writer, confirmed=False)
    page = {"c": community["name"]}
    for pid in (first, second):
        assert _ids(await (await pinned.on(pid)).data(LISTING, page)) == []
    assert _ids(await other_host.data(LISTING, page)) == []
    # when a post is created through the first worker
    post = await create_post(await pinned.on(first, writer.token), community["name"])
    # then the second worker and the other host show it at once (their caches are cleared,
    # not expired: they keep a page a minute here)
    assert _ids(await (await pinned.on(second)).data(LISTING, page)) == [post["id"]]
    assert _ids(await other_host.data(LISTING, page)) == [post["id"]]

    # and when it signs out through the first worker, a session both others just used
    reader = await sign_in(await pinned.on(first))
    assert (await (await pinned.on(second, reader.token)).data(VIEWER))["viewer"] is not None
    other_host.token = reader.token
    assert (await other_host.data(VIEWER))["viewer"] is not None
    used = time.monotonic()
    await (await pinned.on(first, reader.token)).data(SIGN_OUT)
    # then it ends on both, sooner than they would stop trusting what they remembered of it
    for client in (await pinned.on(second, reader.token), other_host):
        while (await client.data(VIEWER))["viewer"] is not None:
            assert time.monotonic() - used < SESSION_SECONDS, "the sign-out did not reach it"
            await asyncio.sleep(0.05)


async def test_votes_of_the_same_people_through_every_worker_at_once_keep_the_score_exact(
    cluster: Cluster, pinned: Pinned
) -> None:
    # given a post and eight voters, each with clients of their own (an address of their own, so
    # that the per-address write limit counts each apart) on both workers and on the other host
    first, _ = await pinned.workers(2)
    author = await sign_in(await pinned.on(first))
    community = await create_community(author, confirmed=False)
    post = await create_post(await pinned.on(first, author.token), community["name"])
    voters = []
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(8):
            mine = Pinned(cluster.workers, _loopback())
            stack.push_async_callback(mine.aclose)
            transport = httpx.AsyncHTTPTransport(local_address=_loopback())
            elsewhere = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, timeout=60)
            )
            pids = await mine.workers(2)
            token = (await sign_in(await mine.on(pids[0]))).token
            voters.append(
                [await mine.on(pid, token) for pid in pids]
                + [Client(f"{cluster.other_host}/graphql", elsewhere, token=token)]
            )
        # when each of them, three times over, votes at the same moment through the first
        # worker, the second and the other host (three processes writing the same person's vote
        # on the same post at once), each time in a direction of its own
        rng = random.Random(19)
        for _ in range(3):
            await asyncio.gather(
                *[
                    vote(client, post["id"], rng.choice(["UP", "DOWN", "NONE"]))
                    for clients in voters
                    for client in clients
                ]
            )
        # then the score, the counts and the author's karma are the sums of the votes that stayed
        kept = [
            (await clients[1].data(SCORE, {"id": post["id"]}))["post"]["viewerVote"]
            for clients in voters
        ]
        read = (await voters[0][2].data(SCORE, {"id": post["id"]}))["post"]
    ups, downs = kept.count("UP"), kept.count("DOWN")
    assert (read["score"], read["upvotes"], read["downvotes"]) == (ups - downs, ups, downs)
    assert read["author"]["postKarma"] == ups - downs


async def test_a_subscriber_of_one_worker_hears_of_posts_written_anywhere(
    cluster: Cluster, pinned: Pinned, other_host: Client
) -> None:
    # given a subscriber to a community's new posts whose socket the second worker holds
    first, second = await pinned.workers(2)
    writer = await sign_in(await pinned.on(first))
    community = await create_community(writer, confirmed=False)
    sockets = []
    socket = None
    for _ in range(40):
        opened = await Socket.open(f"{cluster.workers}/graphql")
        sockets.append(opened)
        if opened.connection.response and (
            opened.connection.response.headers[WORKER_HEADER] == second
        ):
            socket = opened
            break
    assert socket is not None, "no socket reached the second worker"
    try:
        await socket.subscribe("new", POST_CREATED, {"c": community["name"]})
        # when posts are written through the first worker (until the subscription, started
        # asynchronously, hears one)
        written = []
        deadline = time.monotonic() + 30
        while not socket.data("new"):
            assert time.monotonic() < deadline, socket.messages
            on_first = await pinned.on(first, writer.token)
            written.append((await create_post(on_first, community["name"]))["id"])
            await asyncio.sleep(0.2)
        # then it hears of them
        assert socket.data("new")[0]["postCreated"]["id"] in written
        # and of a post written through the other host
        other_host.token = writer.token
        elsewhere = await create_post(other_host, community["name"])
        await socket.until(lambda: elsewhere["id"] in _heard(socket), seconds=10)
    finally:
        for opened in sockets:
            await opened.close()


def _heard(socket: Socket) -> list[str]:
    return [data["postCreated"]["id"] for data in socket.data("new")]


async def test_rate_limits_count_across_workers_and_hosts(pinned: Pinned, cluster: Cluster) -> None:
    # given one client address, on both workers and on the other host, early enough in the
    # previews' window (a minute, on the shared Redis) to count up to the limit within it
    first, second = await pinned.workers(2)
    await room_in_window(RENDER_RATE_WINDOW)
    transport = httpx.AsyncHTTPTransport(local_address=pinned.address)
    async with httpx.AsyncClient(transport=transport, timeout=60) as http:
        other_host = Client(f"{cluster.other_host}/graphql", http)
        # when it spends its previews one place after another
        places = [await pinned.on(first), await pinned.on(second), other_host]
        for n, place in enumerate(places[:RENDER_RATE_LIMIT]):
            await place.data(PREVIEW, {"source": f"preview {n}"})
        # then the next one, wherever it asks, is over the quota they share
        error = await (await pinned.on(first)).error(PREVIEW, {"source": "one more"})
        assert error["extensions"]["code"] == "RATE_LIMITED"


def _sample(text: str, name: str, labels: dict[str, str] | None = None) -> float:
    """The value of series `name` with `labels` (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == (labels or {}):
                return sample.value
    return 0.0


async def test_metrics_sum_the_workers_and_are_for_the_operator_only(
    cluster: Cluster, pinned: Pinned
) -> None:
    # given the metrics before
    first, second = await pinned.workers(2)
    async with httpx.AsyncClient(timeout=60) as http:  # from 127.0.0.1, this machine

        async def scrape() -> str:
            answer = await http.get(f"{cluster.workers}/metrics")
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
            return answer.text

        before = await scrape()
        # when each worker answers two reads, and a community is created (an intent queued
        # for the operator's sender, which does not run here)
        for pid in (first, second, first, second):
            await (await pinned.on(pid)).data(LISTING, {"c": None})
        writer = await sign_in(await pinned.on(first))
        await create_community(writer, confirmed=False)

        # then within a second (each worker adds up its requests once a second) the requests
        # of both workers are counted, by kind, with their latency
        queries, mutations = {"kind": "query"}, {"kind": "mutation"}
        count = "agora_graphql_request_seconds_count"

        def added(text: str, labels: dict[str, str]) -> float:
            return _sample(text, count, labels) - _sample(before, count, labels)

        deadline = time.monotonic() + 5
        after = await scrape()
        while added(after, queries) < 4 or added(after, mutations) < 3:
            assert time.monotonic() < deadline, after
            await asyncio.sleep(0.2)
            after = await scrape()
    slowest = {"kind": "query", "le": "+Inf"}
    assert _sample(after, "agora_graphql_request_seconds_bucket", slowest) >= 4
    assert _sample(after, "agora_graphql_request_seconds_sum", queries) > 0
    # and the caches' lookups (the first read of each worker misses, the second hits)
    lookups = "agora_cache_lookups_total"
    hits = {"cache": "responses", "result": "hit"}
    assert _sample(after, lookups, hits) - _sample(before, lookups, hits) >= 2
    # and the pool, the outbox and its oldest intent
    assert "agora_db_pool_connections_in_use" in after
    assert "agora_db_pool_waits_total" in after
    pending = {"kind": "create_community", "status": "pending"}
    assert _sample(after, "agora_outbox_intents", pending) >= 1
    assert _sample(after, "agora_outbox_oldest_pending_seconds") > 0

    # and a server with METRICS_TOKEN answers only who sends it
    async with httpx.AsyncClient(timeout=60) as http:
        refused = await http.get(f"{cluster.other_host}/metrics")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "FORBIDDEN"
        scraped = await http.get(
            f"{cluster.other_host}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        assert scraped.status_code == 200
        assert "agora_graphql_request_seconds_count" in scraped.text


def test_a_killed_worker_is_replaced_while_the_others_answer(cluster: Cluster) -> None:
    # (the module's last test: it changes the cluster's workers)
    # given the two workers behind the port
    before = _healthy_pids(cluster.workers, 30, 2)
    assert len(before) == 2
    killed, survivor = sorted(before)
    # when one is killed outright
    os.kill(int(killed), signal.SIGKILL)
    # then the port keeps answering, from the survivor meanwhile
    for _ in range(5):
        answer = httpx.get(f"{cluster.workers}/healthz", timeout=10)
        assert answer.status_code == 200
        assert answer.headers[WORKER_HEADER] != killed
    # and a new worker takes the dead one's place
    replaced = _healthy_pids(cluster.workers, 60, 2)
    assert survivor in replaced and killed not in replaced and len(replaced) == 2, replaced


async def test_metrics_show_the_indexers_lag_behind_the_chain(
    live_server: LiveServer, anonymous: Client
) -> None:
    # given the session's server (one process), whose indexer follows a chain of its own
    deadline = time.monotonic() + 30
    while (await anonymous.data(INDEXER))["indexer"]["indexedBlock"] is None:
        assert time.monotonic() < deadline, "the indexer did not start"
        await asyncio.sleep(0.2)
    # when it is scraped from the machine itself
    async with httpx.AsyncClient(timeout=60) as http:
        text = (await http.get(f"{live_server.url}/metrics")).text
    status = (await anonymous.data(INDEXER))["indexer"]
    # then it says where the indexer is and how far behind, as Query.indexer does
    assert 0 < _sample(text, "agora_indexer_block") <= status["indexedBlock"]
    assert _sample(text, "agora_indexer_lag_blocks") <= status["lagBlocks"] + 5
    assert "# HELP agora_reward_epochs" in text
    assert _sample(text, "agora_graphql_request_seconds_count", {"kind": "query"}) >= 2
