"""Governance as members see it through GraphQL: what the indexer mirrored of the chain (a real
anvil, the indexer run to the head in this process, the real API)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from agora.settings import Settings
from agora.text import DESCRIPTION_CHARS, ELLIPSIS, safe_text
from governance.deploy import Deployment
from governance.devchain import fund
from governance.operator import POINT
from governance.proposals import Support
from tests.api.test_rendering import (
    PATHOLOGICAL,
    SPOOFING,
    SPOOFING_ENTITIES,
    assert_no_spoofing,
    previews,
)
from tests.governance.driver import TEST_SETTINGS, Community, Governance
from tests.indexer import conftest as indexer_fixtures
from tests.indexer.conftest import catch_up
from tests.support.factories import CREATE_POST, create_community, unique_name
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.chain

# The chain, its deployment and the emptied mirror of the indexer's tests, in their database.
chain_rpc_url = indexer_fixtures.chain_rpc_url
operator_key = indexer_fixtures.operator_key
deployment_file = indexer_fixtures.deployment_file
deployment = indexer_fixtures.deployment
w3 = indexer_fixtures.w3
gov = indexer_fixtures.gov
mirror = indexer_fixtures.mirror
database_url = indexer_fixtures.database_url


@pytest.fixture(scope="module")
def forum(settings: Settings, mirror_database_url: str, redis_url: str) -> Iterator[LiveServer]:
    """A server on that database (the session's live server has a chain and mirror of its own);
    no sender: these tests create the communities on-chain themselves."""
    server = start_server(
        settings, database_url=mirror_database_url, redis_url=redis_url, write_rate_limit=1_000_000
    )
    yield server
    server.stop()


@pytest.fixture
async def alice(forum: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(forum.graphql_url, http))


@pytest.fixture
async def bob(forum: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(forum.graphql_url, http))


@pytest.fixture
async def carol(forum: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(forum.graphql_url, http))


GOVERNANCE = """
query Governance($name: String!, $state: ProposalState, $first: Int!, $after: String) {
  community(name: $name) {
    governance {
      tokenAddress governorAddress tokenSymbol totalSupply quorumPercent
      votingDelaySeconds votingPeriodSeconds proposalThreshold
      proposals(state: $state, first: $first, after: $after) {
        edges { node { id description viewerVote { support } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""

HOLDINGS = """
query Holdings($address: String!) {
  user(address: $address) {
    holdings { community tokenSymbol points votingPower delegate { address } }
  }
}
"""

PROPOSAL = """
query Proposal($id: ID!) {
  proposal(id: $id) {
    id proposalId community { name } proposer { address displayName }
    description descriptionHtml targets values calldatas descriptionHash kind candidate { address }
    state forVotes againstVotes abstainVotes quorum voteStart voteEnd createdTx executedTx
    votes(first: 10) {
      edges { node { voter { address } support weight reason txHash } }
      pageInfo { hasNextPage }
    }
    viewerVote { support weight }
  }
}
"""

STANDING = """
query Standing($address: String!, $name: String!) {
  user(address: $address) {
    points(community: $name) votingPower(community: $name)
    delegate(community: $name) { address }
  }
}
"""

INDEXER = "{ indexer { chainId headBlock indexedBlock lagBlocks } }"


async def test_a_member_sees_an_election_with_its_tallies_votes_and_everyones_points(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    alice: Client,
    bob: Client,
    carol: Client,
) -> None:
    assert alice.account and bob.account and carol.account
    # given a forum community, and the same community created on-chain
    name = unique_name("gov")
    await create_community(alice, name, confirmed=False)
    assert (await alice.data(GOVERNANCE, {"name": name, "first": 5}))["community"] == {
        "governance": None
    }  # nothing indexed yet
    community = gov.create_community(name, creator=alice.account)
    for client in (alice, bob):
        fund(gov.w3, client.account.address)
    # and alice holds 60 points, bob 30, and dave (never signed in to the forum) 10
    dave = gov.member()
    gov.pay(community, {alice.account: 60, bob.account: 30, dave: 10})
    # when alice proposes to elect carol, and alice, bob (with a reason) and dave vote
    election = gov.election(community, carol.account)
    proposal_id = gov.propose(community, election, by=alice.account)
    gov.open_voting(community)
    gov.vote(community, proposal_id, alice.account, Support.FOR)
    gov.send(
        bob.account,
        community.governor.functions.castVoteWithReason(proposal_id, Support.AGAINST, "Too soon"),
    )
    gov.vote(community, proposal_id, dave, Support.ABSTAIN)
    # and bob delegates his votes to alice
    gov.send(bob.account, community.token.functions.delegate(alice.account.address))
    # and the indexer reaches the head
    indexed = await catch_up(database_url, chain_rpc_url, deployment)

    # then alice sees the community's governance as the chain has it
    governance = (await alice.data(GOVERNANCE, {"name": name, "first": 5}))["community"][
        "governance"
    ]
    assert governance["tokenAddress"] == community.token.address
    assert governance["governorAddress"] == community.governor.address
    assert governance["tokenSymbol"] == community.token.functions.symbol().call()
    assert governance["totalSupply"] == str(100 * POINT)
    assert governance["quorumPercent"] == TEST_SETTINGS.quorum_percent
    assert governance["votingDelaySeconds"] == TEST_SETTINGS.voting_delay
    assert governance["votingPeriodSeconds"] == TEST_SETTINGS.voting_period
    assert governance["proposalThreshold"] == str(TEST_SETTINGS.proposal_threshold)
    [edge] = governance["proposals"]["edges"]
    assert edge["node"]["viewerVote"] == {"support": "FOR"}
    assert governance["proposals"]["pageInfo"]["hasNextPage"] is False

    # and the proposal, active, with its tallies and every vote with its weight
    proposal = (await alice.data(PROPOSAL, {"id": edge["node"]["id"]}))["proposal"]
    assert proposal["proposalId"] == str(proposal_id)
    assert proposal["community"] == {"name": name}
    assert proposal["proposer"]["address"] == alice.account.address
    assert proposal["description"] == election.description
    assert proposal["descriptionHtml"] == f"<p>{election.description}</p>\n"
    assert proposal["kind"] == "ELECT_MODERATOR"
    assert proposal["candidate"] == {"address": carol.account.address}
    # with the very calls proposed, which are what the governor hashes into the proposal's id
    assert proposal["targets"] == list(election.targets)
    assert proposal["values"] == [str(value) for value in election.values]
    assert proposal["calldatas"] == ["0x" + data.hex() for data in election.calldatas]
    assert proposal["descriptionHash"] == "0x" + election.description_hash.hex()
    assert community.governor.functions.hashProposal(
        proposal["targets"],
        [int(value) for value in proposal["values"]],
        proposal["calldatas"],
        proposal["descriptionHash"],
    ).call() == int(proposal["proposalId"])
    assert proposal["state"] == "ACTIVE"
    assert (proposal["forVotes"], proposal["againstVotes"], proposal["abstainVotes"]) == (
        str(60 * POINT),
        str(30 * POINT),
        str(10 * POINT),
    )
    snapshot = community.governor.functions.proposalSnapshot(proposal_id).call()
    assert proposal["quorum"] == str(community.governor.functions.quorum(snapshot).call())
    assert proposal["quorum"] == str(5 * POINT)  # 5% of 100 points
    assert proposal["executedTx"] is None
    assert proposal["createdTx"].startswith("0x") and len(proposal["createdTx"]) == 66
    votes = [edge["node"] for edge in proposal["votes"]["edges"]]
    assert [(v["voter"]["address"], v["support"], v["weight"], v["reason"]) for v in votes] == [
        (dave.address, "ABSTAIN", str(10 * POINT), None),  # newest first
        (bob.account.address, "AGAINST", str(30 * POINT), "Too soon"),
        (alice.account.address, "FOR", str(60 * POINT), None),
    ]
    assert proposal["viewerVote"] == {"support": "FOR", "weight": str(60 * POINT)}
    assert (await carol.data(PROPOSAL, {"id": proposal["id"]}))["proposal"]["viewerVote"] is None

    # and each member's points, voting power and delegate
    async def standing(client: Client) -> dict[str, object]:
        assert client.account
        variables = {"address": client.account.address, "name": name}
        return (await alice.data(STANDING, variables))["user"]

    assert await standing(alice) == {
        "points": str(60 * POINT),
        "votingPower": str(90 * POINT),
        "delegate": {"address": alice.account.address},
    }
    assert await standing(bob) == {
        "points": str(30 * POINT),
        "votingPower": "0",
        "delegate": {"address": alice.account.address},
    }
    assert await standing(carol) == {"points": "0", "votingPower": "0", "delegate": None}

    # and a profile's one place for them: every community where they hold points or votes
    async def holdings(client: Client) -> list[dict[str, object]]:
        assert client.account
        answer = await carol.data(HOLDINGS, {"address": client.account.address})
        held: list[dict[str, object]] = answer["user"]["holdings"]
        return held

    symbol = community.token.functions.symbol().call()
    assert await holdings(bob) == [
        {
            "community": name,
            "tokenSymbol": symbol,
            "points": str(30 * POINT),
            "votingPower": "0",
            "delegate": {"address": alice.account.address},
        }
    ]
    assert [(h["points"], h["votingPower"]) for h in await holdings(alice)] == [
        (str(60 * POINT), str(90 * POINT))
    ]
    assert await holdings(carol) == []

    # and where the indexer is
    status = (await alice.data(INDEXER))["indexer"]
    assert status["chainId"] == gov.w3.eth.chain_id
    assert status["indexedBlock"] == indexed
    assert status["headBlock"] >= indexed
    assert status["lagBlocks"] == status["headBlock"] - indexed

    # when the voting period ends, and the indexer sees the head's time
    gov.close_voting(community)  # (mines a block at the new time)
    await catch_up(database_url, chain_rpc_url, deployment)
    # then the proposal has succeeded, without any new event
    proposal = (await alice.data(PROPOSAL, {"id": proposal["id"]}))["proposal"]
    assert proposal["state"] == "SUCCEEDED"
    # when it is executed
    receipt = gov.execute(community, election, by=alice.account)
    await catch_up(database_url, chain_rpc_url, deployment)
    proposal = (await alice.data(PROPOSAL, {"id": proposal["id"]}))["proposal"]
    assert proposal["state"] == "EXECUTED"
    assert proposal["executedTx"] == receipt["transactionHash"].to_0x_hex()


async def proposer_of_a_community(
    gov: Governance, alice: Client, *, points: int
) -> tuple[str, Community]:
    """A community of the forum and on-chain, in which `alice`, funded, holds `points`."""
    assert alice.account
    name = unique_name("gov")
    await create_community(alice, name, confirmed=False)
    community = gov.create_community(name, creator=alice.account)
    fund(gov.w3, alice.account.address)
    gov.pay(community, {alice.account: points})
    return name, community


async def test_proposals_page_newest_first_and_filter_by_state(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    alice: Client,
) -> None:
    assert alice.account
    # given a community with three proposals, one canceled, and an impeachment among them
    name, community = await proposer_of_a_community(gov, alice, points=10)
    first = gov.impeachment(community, alice.account)
    gov.propose(community, first, by=alice.account)
    second = gov.election(community, gov.member())
    gov.propose(community, second, by=alice.account)
    gov.send(alice.account, community.governor.functions.cancel(*second.execute_args()))
    third = gov.election(community, gov.member())
    gov.propose(community, third, by=alice.account)
    await catch_up(database_url, chain_rpc_url, deployment)

    async def page(state: str | None, first: int, after: str | None = None) -> dict[str, Any]:
        variables = {"name": name, "state": state, "first": first, "after": after}
        data = await alice.data(GOVERNANCE, variables)
        return data["community"]["governance"]["proposals"]

    # when alice pages through them two at a time: newest first, none repeated or skipped
    one = await page(None, 2)
    two = await page(None, 2, one["pageInfo"]["endCursor"])
    descriptions = [e["node"]["description"] for e in one["edges"] + two["edges"]]
    assert [e["node"]["viewerVote"] for e in one["edges"] + two["edges"]] == [None] * 3
    assert descriptions == [third.description, second.description, first.description]
    assert one["pageInfo"]["hasNextPage"] and not two["pageInfo"]["hasNextPage"]
    # and filters by state
    canceled = await page("CANCELED", 10)
    assert [e["node"]["description"] for e in canceled["edges"]] == [second.description]
    pending = await page("PENDING", 10)
    assert [e["node"]["description"] for e in pending["edges"]] == [
        third.description,
        first.description,
    ]
    # and the impeachment says so, about alice
    impeachment = (await alice.data(PROPOSAL, {"id": pending["edges"][1]["node"]["id"]}))[
        "proposal"
    ]
    assert impeachment["kind"] == "IMPEACH_MODERATOR"
    assert impeachment["candidate"] == {"address": alice.account.address}


async def test_unknown_and_malformed_proposal_ids(alice: Client) -> None:
    error = await alice.error(PROPOSAL, {"id": "not-an-id"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    # a well-formed id of a proposal nobody made
    unknown = base64.urlsafe_b64encode(f"Proposal:0x{'ab' * 20}:7".encode()).decode().rstrip("=")
    assert (await alice.data(PROPOSAL, {"id": unknown}))["proposal"] is None


PROPOSALS = """
query Proposals($name: String!) {
  community(name: $name) {
    governance {
      %s
    }
  }
}
"""
PROPOSALS_ALIAS = "a%d: proposals(first: 50) { edges { node { proposalId descriptionHtml } } }"
PROPOSALS_8 = PROPOSALS % " ".join(PROPOSALS_ALIAS % i for i in range(8))

PROPOSAL_COUNT = 12
# /healthz must answer within 100 ms 19 times in 20, and never take a second: a render on the
# event loop (0.5 to 5 s each here) held every answer for its whole length. Not "always within
# 100 ms": on the 2-core test machine shared with other jobs (load average 9 to 12), /healthz
# polled for 20 s with nothing else running had its slowest answer at 101 ms, and under this
# attack its slowest at 245-281 ms, its 99th percentile at 50-129 ms, its median at 5-14 ms.
HEALTH_LIMIT_SECONDS = 0.1
HEALTH_WORST_SECONDS = 1.0


def long_description(index: int) -> str:
    """Descriptions the chain took: 100,000 characters of the slow case, or 40,000 of prose
    with bidi and control characters."""
    if index % 2:
        return f"# {index}\n\n" + "![a" * 33_333
    return f"# {index} {SPOOFING}\n\n" + ("Elect them. " + SPOOFING_ENTITIES + "\n") * 800


async def raw(client: Client, query: str, variables: dict[str, Any]) -> bytes:
    """The answer's bytes, decoded by the caller only once /healthz is measured: the test shares
    the server's process, and decoding megabytes of JSON would hold the interpreter's lock that
    the server's thread needs."""
    headers = {"authorization": f"Bearer {client.token}"} if client.token else {}
    response = await client.http.post(
        client.url, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200
    return response.content


async def poll_health(url: str, stop: asyncio.Event) -> list[float]:
    """The time each /healthz took, asked one after the other every 10 ms until `stop`."""
    latencies = []
    async with httpx.AsyncClient(timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            response = await client.get(f"{url}/healthz")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
            await asyncio.sleep(0.01)
    return latencies


@pytest.mark.solo
async def test_pathological_markdown_never_stalls_the_worker(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    forum: LiveServer,
    alice: Client,
    stranger: httpx.AsyncClient,
) -> None:
    """Issue 15's attack on rendering, replayed with /healthz polled throughout."""
    # given a community whose governor holds 12 proposals with descriptions of 40,000 and
    # 100,000 characters
    assert alice.account
    name, community = await proposer_of_a_community(gov, alice, points=100)
    candidate = gov.member()
    descriptions = {}
    for index in range(PROPOSAL_COUNT):
        proposal = dataclasses.replace(
            gov.election(community, candidate), description=long_description(index)
        )
        descriptions[str(gov.propose(community, proposal, by=alice.account))] = proposal.description
    await catch_up(database_url, chain_rpc_url, deployment)
    anonymous = Client(forum.graphql_url, stranger)
    post = {"community": name, "title": "Slow", "body": PATHOLOGICAL}

    # when, while /healthz is polled, an anonymous client asks for 5 aliased previews of the slow
    # case 4 times over, alice posts it twice, and 8 aliased listings of the proposals ask for
    # every description rendered, twice
    stop = asyncio.Event()
    poller = asyncio.create_task(poll_health(forum.url, stop))
    await asyncio.sleep(0.2)  # the poller's first answers: its connection is open
    attack: list[Any] = [
        # (each its own text: the same anonymous read would be answered once for all)
        *(raw(anonymous, previews(5), {"source": f"{n}{PATHOLOGICAL[1:]}"}) for n in range(4)),
        *(raw(alice, CREATE_POST, {"input": post}) for _ in range(2)),
        *(raw(anonymous, PROPOSALS_8, {"name": name}) for _ in range(2)),
    ]
    started = time.perf_counter()
    bodies = await asyncio.gather(*attack)
    attack_seconds = time.perf_counter() - started
    stop.set()
    latencies = await poller

    # then /healthz answered within 100 ms throughout, but for the machine's own hiccups (see
    # HEALTH_LIMIT_SECONDS)
    slowest = sorted(latencies)

    def ms(share: float) -> str:
        return f"{slowest[int((len(slowest) - 1) * share)] * 1000:.1f} ms"

    print(
        f"attack {attack_seconds:.1f} s, {len(slowest)} /healthz polls: slowest {ms(1)}, 99th "
        f"percentile {ms(0.99)}, 95th {ms(0.95)}, median {ms(0.5)}"
    )
    assert len(slowest) > 100
    assert slowest[int((len(slowest) - 1) * 0.95)] < HEALTH_LIMIT_SECONDS, slowest[-10:]
    assert slowest[-1] < HEALTH_WORST_SECONDS, slowest[-10:]

    results = [json.loads(body) for body in bodies]
    # and every preview was rendered, or refused as too slow to render (on a busy machine)
    for answer in results[:4]:
        for error in answer.get("errors", []):
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "source"}
            assert "takes too long to render" in error["message"]
        for html in (answer.get("data") or {}).values():
            assert html is None or html.startswith("<p>")
    # and the posts were created
    for answer in results[4:6]:
        created = answer["data"]["createPost"]
        assert created["body"] == PATHOLOGICAL and created["bodyHtml"]
    # and each description is in `description` as the mirror shows it: cut for display
    whole = PROPOSALS % "a0: proposals(first: 50) { edges { node { proposalId description } } }"
    listing = (await anonymous.data(whole, {"name": name}))["community"]["governance"]["a0"]
    assert {e["node"]["proposalId"]: e["node"]["description"] for e in listing["edges"]} == {
        proposal_id: safe_text(description.encode(), DESCRIPTION_CHARS)
        for proposal_id, description in descriptions.items()
    }
    # and that cut text rendered without bidi or control characters, the same in every alias
    for listing in results[6:]:
        governance = listing["data"]["community"]["governance"]
        for alias in governance.values():
            nodes = [edge["node"] for edge in alias["edges"]]
            assert len(nodes) == PROPOSAL_COUNT
            for node in nodes:
                html = node["descriptionHtml"]
                assert_no_spoofing(html)
                assert ELLIPSIS in html
                assert (
                    html == governance["a0"]["edges"][nodes.index(node)]["node"]["descriptionHtml"]
                )
