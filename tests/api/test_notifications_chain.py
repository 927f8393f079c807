"""Notifications of what the chain decides, written by the real indexer on anvil: a proposal
opened in your community, your election and impeachment; and the beat's reminder of a vote
ending."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest

from agora.settings import Settings
from governance.deploy import Deployment
from governance.devchain import fund
from governance.proposals import Support
from ledger.celery_app import REMIND_PROPOSALS_ENDING, create_app
from tests.governance.driver import Governance
from tests.indexer import conftest as indexer_fixtures
from tests.indexer.conftest import catch_up
from tests.ledger.conftest import QUEUE, start_worker
from tests.support.factories import create_community, unique_name
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server
from tests.support.sockets import Socket

pytestmark = pytest.mark.chain

chain_rpc_url = indexer_fixtures.chain_rpc_url
operator_key = indexer_fixtures.operator_key
deployment_file = indexer_fixtures.deployment_file
deployment = indexer_fixtures.deployment
w3 = indexer_fixtures.w3
gov = indexer_fixtures.gov
mirror = indexer_fixtures.mirror
database_url = indexer_fixtures.database_url

INBOX = """
{ notifications { edges { node { kind actor { address } community { name }
                                 proposal { proposalId kind } } } } }
"""
JOIN = "mutation($name: String!) { joinCommunity(name: $name) { viewerIsMember } }"
LIVE = "subscription { notificationAdded { kind community { name } } }"


@pytest.fixture(scope="module")
def forum(settings: Settings, mirror_database_url: str, redis_url: str) -> Iterator[LiveServer]:
    """A server on the indexer's tests' database: these tests create communities on-chain."""
    server = start_server(
        settings, database_url=mirror_database_url, redis_url=redis_url, write_rate_limit=1_000_000
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remind(
    settings: Settings, database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], str]]:
    """Runs the ledger's reminder task as beat sends it: through the broker, to a real worker on
    this database (on a queue of its own); what it returned."""
    queue = f"{QUEUE}-reminders"
    worker = start_worker(
        database_url, redis_url, tmp_path_factory.mktemp("reminders") / "log", queue
    )
    app = create_app(
        replace(settings, database_url=database_url, redis_url=redis_url, ledger_queue=queue)
    )

    def run() -> str:
        return worker.results(str(app.send_task(REMIND_PROPOSALS_ENDING, queue=queue).id))

    yield run
    app.close()
    worker.stop()


async def person(forum: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(forum.graphql_url, http))


async def inbox(client: Client) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (await client.data(INBOX))["notifications"]["edges"]]


async def listening(forum: LiveServer, client: Client) -> Socket:
    """A socket of `client` subscribed to their live inbox (operation "inbox")."""
    socket = await Socket.open(forum.graphql_url, token=client.token)
    await socket.subscribe("inbox", LIVE)
    return socket


async def heard(socket: Socket, count: int) -> list[str]:
    """The kinds of the first `count` notifications the socket was sent (waiting for them)."""
    await socket.until(lambda: len(socket.data("inbox")) >= count, seconds=15)
    return [d["notificationAdded"]["kind"] for d in socket.data("inbox")]


async def test_an_election_tells_members_it_opened_and_the_elected_they_won(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    forum: LiveServer,
    http: httpx.AsyncClient,
    remind: Callable[[], str],
) -> None:
    alice, bob, carol, dave = [await person(forum, http) for _ in range(4)]
    assert alice.account and bob.account and carol.account and dave.account
    # given a community alice created, on-chain too, that bob joined (carol and dave did not;
    # dave holds its points all the same, hence votes), each of them listening to their inbox
    name = unique_name("inbox")
    await create_community(alice, name, confirmed=False)
    community = gov.create_community(name, creator=alice.account)
    await bob.data(JOIN, {"name": name})
    fund(gov.w3, alice.account.address)
    gov.pay(community, {alice.account: 60, bob.account: 40, dave.account: 10})
    bob_live, carol_live, dave_live = [await listening(forum, c) for c in (bob, carol, dave)]
    # when alice proposes to elect carol, and the indexer reaches the head
    election = gov.election(community, carol.account)
    proposal_id = gov.propose(community, election, by=alice.account)
    await catch_up(database_url, chain_rpc_url, deployment)
    # then bob, a member, is told it opened, by alice; alice (who proposed) and carol are not
    opened = {
        "kind": "PROPOSAL_OPENED",
        "actor": {"address": alice.account.address},
        "community": {"name": name},
        "proposal": {"proposalId": str(proposal_id), "kind": "ELECT_MODERATOR"},
    }
    assert await inbox(bob) == [opened]
    assert await inbox(alice) == []
    assert await inbox(carol) == []
    # and it arrived live, as the indexer committed it
    assert await heard(bob_live, 1) == ["PROPOSAL_OPENED"]
    # and an indexer that applies the same blocks again writes nothing twice
    await mirror.execute("UPDATE chain_indexer_state SET block_number = block_number - 3")
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await inbox(bob) == [opened]

    # when the vote opens and alice votes, the beat reminds bob (who has not voted) once
    gov.open_voting(community)
    gov.vote(community, proposal_id, alice.account, Support.FOR)
    await catch_up(database_url, chain_rpc_url, deployment)
    assert int(remind()) >= 2
    assert remind() == "0"
    assert [n["kind"] for n in await inbox(bob)] == ["PROPOSAL_ENDING", "PROPOSAL_OPENED"]
    assert await inbox(alice) == []
    # and so is dave, who is no member but had votes at the snapshot; carol had none
    assert [n["kind"] for n in await inbox(dave)] == ["PROPOSAL_ENDING"]
    assert await inbox(carol) == []
    # each live, once
    assert await heard(bob_live, 2) == ["PROPOSAL_OPENED", "PROPOSAL_ENDING"]
    assert await heard(dave_live, 1) == ["PROPOSAL_ENDING"]

    # when the vote passes and is executed
    gov.close_voting(community)
    gov.execute(community, election, by=alice.account)
    await catch_up(database_url, chain_rpc_url, deployment)
    # then carol is told she was elected, by the community (no one person)
    elected = {"kind": "ELECTED", "actor": None, "community": {"name": name}, "proposal": None}
    assert await inbox(carol) == [elected]
    assert await heard(carol_live, 1) == ["ELECTED"]

    # when the community impeaches her
    gov.pass_proposal(community, gov.impeachment(community, carol.account), voter=alice.account)
    await catch_up(database_url, chain_rpc_url, deployment)
    # then she is told that too
    assert await inbox(carol) == [{**elected, "kind": "IMPEACHED"}, elected]
    assert await heard(carol_live, 2) == ["ELECTED", "IMPEACHED"]
    # and each was sent live exactly what their inbox holds (bob: the impeachment opened too),
    # nothing twice, though the indexer applied blocks again
    for client, socket in ((bob, bob_live), (carol, carol_live), (dave, dave_live)):
        kinds = [n["kind"] for n in reversed(await inbox(client))]
        assert await heard(socket, len(kinds)) == kinds
    for socket in (bob_live, carol_live, dave_live):
        await socket.close()
