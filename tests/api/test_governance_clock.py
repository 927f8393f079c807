"""What a member needs to follow governance: the chain's clock (`indexer.indexedTime`), each
proposal's timeline against it, their own weight at a proposal's snapshot, and the community's
delegates with their statements (a real anvil, the indexer run to the head, the real API)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from agora.settings import Settings
from governance.deploy import Deployment
from governance.devchain import fund
from governance.operator import POINT
from governance.proposals import Support
from tests.api import test_governance as governance_fixtures
from tests.governance.driver import Community, Governance
from tests.indexer.conftest import catch_up
from tests.support.factories import create_community, unique_name
from tests.support.graphql import Client
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.chain

# test_governance's chain, deployment, emptied mirror, live server and members.
chain_rpc_url = governance_fixtures.chain_rpc_url
operator_key = governance_fixtures.operator_key
deployment_file = governance_fixtures.deployment_file
deployment = governance_fixtures.deployment
w3 = governance_fixtures.w3
gov = governance_fixtures.gov
mirror = governance_fixtures.mirror
database_url = governance_fixtures.database_url
forum = governance_fixtures.forum
alice = governance_fixtures.alice
bob = governance_fixtures.bob
carol = governance_fixtures.carol

PROPOSAL = """
query Proposal($id: ID!) {
  proposal(id: $id) {
    state voteStart voteEnd createdTx executedTx viewerVotingPower viewerCanVote
    timeline { kind at done txHash }
  }
}
"""

FIRST_PROPOSAL = """
query First($name: String!) {
  community(name: $name) { governance { proposals(first: 1) { edges { node { id } } } } }
}
"""

CLOCK = "{ indexer { indexedBlock indexedTime } explorerUrl }"

DELEGATES = """
query Delegates($name: String!, $first: Int!, $after: String) {
  community(name: $name) {
    delegates(first: $first, after: $after) {
      edges { node {
        user { address } votingPower delegators votesCast participation statement statementHtml
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

SET_STATEMENT = """
mutation Set($community: String!, $statement: String!) {
  setDelegateStatement(community: $community, statement: $statement) {
    user { address } votingPower statement statementHtml
  }
}
"""


def _time(value: str) -> int:
    return int(datetime.fromisoformat(value).astimezone(UTC).timestamp())


async def _newest_proposal(client: Client, name: str) -> str:
    data = await client.data(FIRST_PROPOSAL, {"name": name})
    node_id: str = data["community"]["governance"]["proposals"]["edges"][0]["node"]["id"]
    return node_id


async def _community_on_chain(
    gov: Governance, creator: Client, funded: tuple[Client, ...], prefix: str
) -> tuple[str, Community]:
    """A forum community created on-chain too, by `creator`; `funded` can pay for gas."""
    assert creator.account
    name = unique_name(prefix)
    await create_community(creator, name, confirmed=False)
    community = gov.create_community(name, creator=creator.account)
    for client in funded:
        assert client.account
        fund(gov.w3, client.account.address)
    return name, community


async def test_times_follow_the_chains_clock_and_weight_is_the_power_at_the_snapshot(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    forum: LiveServer,
    http: httpx.AsyncClient,
    alice: Client,
    bob: Client,
    carol: Client,
) -> None:
    assert alice.account and bob.account and carol.account
    # given an on-chain community where alice holds 60 points and bob 30, and a proposal open
    name, community = await _community_on_chain(gov, alice, (alice, bob), "clk")
    gov.pay(community, {alice.account: 60, bob.account: 30})
    election = gov.election(community, carol.account)
    proposal_id = gov.propose(community, election, by=alice.account)
    gov.open_voting(community)
    indexed = await catch_up(database_url, chain_rpc_url, deployment)

    # then the chain's clock is the indexed head block's time, not the wall clock's
    clock = (await alice.data(CLOCK))["indexer"]
    assert clock["indexedBlock"] == indexed
    assert _time(clock["indexedTime"]) == gov.w3.eth.get_block(indexed)["timestamp"]
    assert (await alice.data(CLOCK))["explorerUrl"] is None  # unset on anvil

    # and the proposal's timeline: created, voting opened (the clock passed the snapshot),
    # voting closes later
    node_id = await _newest_proposal(alice, name)
    proposal = (await alice.data(PROPOSAL, {"id": node_id}))["proposal"]
    assert [(s["kind"], s["done"]) for s in proposal["timeline"]] == [
        ("CREATED", True),
        ("VOTING_OPENS", True),
        ("VOTING_CLOSES", False),
    ]
    created, opens, closes = proposal["timeline"]
    assert created["txHash"] == proposal["createdTx"]
    assert (opens["at"], closes["at"]) == (proposal["voteStart"], proposal["voteEnd"])
    assert opens["txHash"] is None
    assert _time(created["at"]) <= _time(clock["indexedTime"]) < _time(closes["at"])

    # and each viewer's weight is their votes at the snapshot
    assert (proposal["viewerVotingPower"], proposal["viewerCanVote"]) == (str(60 * POINT), True)
    for_carol = (await carol.data(PROPOSAL, {"id": node_id}))["proposal"]
    assert (for_carol["viewerVotingPower"], for_carol["viewerCanVote"]) == ("0", False)
    anonymous = Client(forum.graphql_url, http)
    for_anyone = (await anonymous.data(PROPOSAL, {"id": node_id}))["proposal"]
    assert (for_anyone["viewerVotingPower"], for_anyone["viewerCanVote"]) == (None, False)

    # when bob delegates every vote to carol after the snapshot, and a second proposal opens
    gov.send(bob.account, community.token.functions.delegate(carol.account.address))
    gov.propose(community, gov.election(community, gov.member()), by=alice.account)
    gov.open_voting(community)
    await catch_up(database_url, chain_rpc_url, deployment)
    # then on the first proposal bob's vote still counts his 30 points (its snapshot's)
    first = (await bob.data(PROPOSAL, {"id": node_id}))["proposal"]
    assert (first["viewerVotingPower"], first["viewerCanVote"]) == (str(30 * POINT), True)
    # and on the second he has none, carol has his 30
    second_id = await _newest_proposal(bob, name)
    second = (await bob.data(PROPOSAL, {"id": second_id}))["proposal"]
    assert (second["viewerVotingPower"], second["viewerCanVote"]) == ("0", False)
    second = (await carol.data(PROPOSAL, {"id": second_id}))["proposal"]
    assert (second["viewerVotingPower"], second["viewerCanVote"]) == (str(30 * POINT), True)

    # when alice votes, then she can no longer vote on it
    gov.vote(community, proposal_id, alice.account, Support.FOR)
    await catch_up(database_url, chain_rpc_url, deployment)
    assert (await alice.data(PROPOSAL, {"id": node_id}))["proposal"]["viewerCanVote"] is False

    # when voting closes and the proposal is executed, the timeline ends with its execution
    gov.close_voting(community)
    receipt = gov.execute(community, election, by=alice.account)
    await catch_up(database_url, chain_rpc_url, deployment)
    proposal = (await alice.data(PROPOSAL, {"id": node_id}))["proposal"]
    assert [(s["kind"], s["done"]) for s in proposal["timeline"]] == [
        ("CREATED", True),
        ("VOTING_OPENS", True),
        ("VOTING_CLOSES", True),
        ("EXECUTED", True),
    ]
    assert proposal["timeline"][-1]["txHash"] == receipt["transactionHash"].to_0x_hex()
    assert proposal["executedTx"] == proposal["timeline"][-1]["txHash"]


async def test_a_canceled_proposal_ends_with_its_cancellation(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    alice: Client,
) -> None:
    assert alice.account
    name, community = await _community_on_chain(gov, alice, (alice,), "clk")
    gov.pay(community, {alice.account: 10})
    proposal = gov.election(community, gov.member())
    gov.propose(community, proposal, by=alice.account)
    receipt = gov.send(alice.account, community.governor.functions.cancel(*proposal.execute_args()))
    await catch_up(database_url, chain_rpc_url, deployment)
    node = (await alice.data(PROPOSAL, {"id": await _newest_proposal(alice, name)}))["proposal"]
    assert [(s["kind"], s["done"]) for s in node["timeline"]] == [
        ("CREATED", True),
        ("CANCELED", True),
    ]
    assert node["timeline"][-1]["txHash"] == receipt["transactionHash"].to_0x_hex()
    assert node["viewerCanVote"] is False


async def test_delegates_by_voting_power_with_participation_and_statements(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    forum: LiveServer,
    http: httpx.AsyncClient,
    alice: Client,
    bob: Client,
    carol: Client,
) -> None:
    assert alice.account and bob.account and carol.account
    # given alice 60 points, bob 30 (delegated to alice), dave 10, and one proposal alice voted on
    name, community = await _community_on_chain(gov, alice, (alice, bob), "dlg")
    dave = gov.member()
    gov.pay(community, {alice.account: 60, bob.account: 30, dave: 10})
    gov.send(bob.account, community.token.functions.delegate(alice.account.address))
    proposal_id = gov.propose(community, gov.election(community, carol.account), by=alice.account)
    gov.open_voting(community)
    gov.vote(community, proposal_id, alice.account, Support.FOR)
    await catch_up(database_url, chain_rpc_url, deployment)

    async def page(first: int, after: str | None = None) -> dict[str, object]:
        data = await carol.data(DELEGATES, {"name": name, "first": first, "after": after})
        delegates: dict[str, object] = data["community"]["delegates"]
        return delegates

    # then the delegates come most voting power first, with who delegates to them and how
    # often they voted
    one = await page(1)
    two = await page(1, one["pageInfo"]["endCursor"])  # type: ignore[index]
    nodes = [e["node"] for e in one["edges"] + two["edges"]]  # type: ignore[operator]
    assert [
        (n["user"]["address"], n["votingPower"], n["delegators"], n["votesCast"]) for n in nodes
    ] == [
        (alice.account.address, str(90 * POINT), 2, 1),
        (dave.address, str(10 * POINT), 1, 0),
    ]
    assert [n["participation"] for n in nodes] == [1.0, 0.0]
    assert [n["statement"] for n in nodes] == [None, None]
    assert one["pageInfo"]["hasNextPage"] and not two["pageInfo"]["hasNextPage"]  # type: ignore[index]

    # when alice writes a statement with markup that could script the page
    written = "I vote on **every** election.<script>alert(1)</script>"
    answer = (await alice.data(SET_STATEMENT, {"community": name, "statement": written}))[
        "setDelegateStatement"
    ]
    # then it is kept as written and shown sanitized
    assert answer["user"]["address"] == alice.account.address
    assert answer["votingPower"] == str(90 * POINT)
    assert answer["statement"] == written
    assert "<strong>every</strong>" in answer["statementHtml"]
    assert "<script" not in answer["statementHtml"]
    assert (await page(1))["edges"][0]["node"]["statement"] == written  # type: ignore[index]

    # and a statement past 2,000 characters, an empty one, an unknown community and an
    # anonymous writer are refused
    too_long = await alice.error(SET_STATEMENT, {"community": name, "statement": "x" * 2001})
    assert too_long["extensions"] == {"code": "BAD_USER_INPUT", "field": "statement"}
    empty = await alice.error(SET_STATEMENT, {"community": name, "statement": "  "})
    assert empty["extensions"] == {"code": "BAD_USER_INPUT", "field": "statement"}
    unknown = await alice.error(SET_STATEMENT, {"community": "no_such_x", "statement": "hi"})
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    anonymous = Client(forum.graphql_url, http)
    refused = await anonymous.error(SET_STATEMENT, {"community": name, "statement": "hi"})
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    # and exactly 2,000 characters is taken
    longest = (await alice.data(SET_STATEMENT, {"community": name, "statement": "y" * 2000}))[
        "setDelegateStatement"
    ]
    assert longest["statement"] == "y" * 2000


async def test_the_explorer_url_is_the_setting_without_a_trailing_slash(
    settings: Settings, mirror_database_url: str, redis_url: str, http: httpx.AsyncClient
) -> None:
    # given a forum whose EXPLORER_URL is set (it is unset on anvil: see the first test)
    server = start_server(
        settings,
        database_url=mirror_database_url,
        redis_url=redis_url,
        explorer_url="https://explorer.example/",
    )
    try:
        # then anyone reads it, to link transactions and addresses to it
        data = await Client(server.graphql_url, http).data("{ explorerUrl }")
        assert data == {"explorerUrl": "https://explorer.example"}
    finally:
        server.stop()
