"""Members govern from the forum: the API drafts their proposals for the wallet to submit, relays
their signed ballots with the operator's gas, and tells subscribers as tallies change.

All real: anvil with the deployed contracts, the API over HTTP and WebSocket on a database of the
test's own, `agora send` as a process, the indexer run to the head in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from agora.services import free_port
from agora.settings import Settings
from governance.deploy import Deployment
from governance.devchain import advance_time, fund
from governance.operator import POINT
from governance.proposals import Proposal, Support, sign_ballot
from tests.api.test_subscriptions import Subscription
from tests.governance.driver import Community, Governance
from tests.indexer import conftest as indexer_fixtures
from tests.indexer.conftest import catch_up
from tests.support.factories import unique_name
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.sender import SenderProcess
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.chain

chain_rpc_url = indexer_fixtures.chain_rpc_url
operator_key = indexer_fixtures.operator_key
deployment_file = indexer_fixtures.deployment_file
deployment = indexer_fixtures.deployment
w3 = indexer_fixtures.w3
gov = indexer_fixtures.gov

# Created here rather than by the shared factory: this test's server runs no indexer of its own,
# the test indexes when it chooses.
CREATE_COMMUNITY = """
mutation Create($name: String!) { createCommunity(input: {name: $name, title: "Ours"}) { name } }
"""

DRAFT_FIELDS = "governorAddress targets values calldatas description proposalId id"

PROPOSE_ELECTION = f"""
mutation Elect($community: String!, $candidate: String!, $description: String) {{
  proposeModeratorElection(community: $community, candidate: $candidate,
                           description: $description) {{ {DRAFT_FIELDS} }}
}}
"""

PROPOSE_IMPEACHMENT = f"""
mutation Impeach($community: String!, $moderator: String!, $description: String) {{
  proposeImpeachment(community: $community, moderator: $moderator,
                     description: $description) {{ {DRAFT_FIELDS} }}
}}
"""

RELAY_VOTE = """
mutation Relay($proposalId: String!, $support: VoteSupport!, $voter: String!,
               $signature: String!, $reason: String) {
  relayVote(proposalId: $proposalId, support: $support, voter: $voter,
            signature: $signature, reason: $reason) {
    proposalId voter support status txHash error
  }
}
"""

PROPOSAL = """
query Proposal($id: ID!) {
  proposal(id: $id) {
    state kind candidate { address } forVotes againstVotes abstainVotes
    votes(first: 10) { edges { node { voter { address } support reason txHash } } }
  }
}
"""

PROPOSAL_UPDATED = """
subscription Updated($community: String!) {
  proposalUpdated(community: $community) { id state forVotes againstVotes abstainVotes }
}
"""


# --- the arrangement ----------------------------------------------------------------------------


@pytest.fixture
def server(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    deployment: Deployment,
) -> Iterator[LiveServer]:
    """The API on a database of this test's own (the sender sends every intent it holds),
    connected to the test chain."""
    started = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    yield started
    started.stop()


@pytest.fixture
def sender(
    tmp_path: Path,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    w3: Web3,  # the chain goes back to its snapshot once the sender is gone
) -> Iterator[SenderProcess]:
    started = SenderProcess(
        tmp_path / "send.log",
        database_url=fresh_database_url,
        redis_url=redis_url,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    started.wait_for_log("sending the transactions of the operator")
    yield started
    started.kill()


@pytest.fixture
async def member(server: LiveServer, http: httpx.AsyncClient) -> Any:
    """Signs in a new member of the test's forum (with ether for gas, as a wallet has)."""

    async def signed_in(w3: Web3) -> Client:
        client = await sign_in(Client(server.graphql_url, http))
        assert client.account
        fund(w3, client.account.address)
        return client

    return signed_in


@pytest.fixture
async def index(fresh_database_url: str, chain_rpc_url: str, deployment: Deployment) -> Any:
    async def run() -> int:
        return await catch_up(fresh_database_url, chain_rpc_url, deployment)

    return run


def account(client: Client) -> LocalAccount:
    assert client.account
    return client.account


async def on_chain_community(gov: Governance, creator: Client) -> Community:
    """A community of the forum created on-chain too, `creator` its first moderator. Created
    on-chain first: the sender then finds the forum's intent done and sends nothing."""
    name = unique_name("govact")
    created = gov.create_community(name, creator=account(creator))
    await creator.data(CREATE_COMMUNITY, {"name": name})
    return created


def drafted(draft: dict[str, Any]) -> Proposal:
    return Proposal(
        tuple(draft["targets"]),
        tuple(int(value) for value in draft["values"]),
        tuple(bytes.fromhex(data[2:]) for data in draft["calldatas"]),
        draft["description"],
    )


def submit(gov: Governance, community: Community, draft: dict[str, Any], by: Client) -> None:
    """The member's wallet sends the draft to the governor's `propose`."""
    # The threshold counts votes of one second ago: points paid this very second would not.
    advance_time(gov.w3, 1)
    governor = gov.w3.eth.contract(address=draft["governorAddress"], abi=community.governor.abi)
    gov.send(account(by), governor.functions.propose(*drafted(draft).propose_args()))


def ballot(
    community: Community,
    draft: dict[str, Any],
    voter: LocalAccount,
    support: Support,
    reason: str | None = None,
) -> str:
    signature = sign_ballot(
        community.governor, int(draft["proposalId"]), support, voter.key.to_0x_hex(), reason=reason
    )
    return "0x" + signature.hex()


def operator_funds(w3: Web3, deployment: Deployment) -> tuple[int, int]:
    """The operator's nonce and balance: what a relayed transaction would spend."""
    operator = deployment["operator"]
    return w3.eth.get_transaction_count(operator), w3.eth.get_balance(operator)


async def relays(database_url: str) -> list[str]:
    """The keys of the ballots the operator was asked to relay."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT dedupe_key FROM operator_transactions WHERE kind = 'cast_vote_by_sig'"
            " ORDER BY id"
        )
    finally:
        await conn.close()
    return [row["dedupe_key"] for row in rows]


def draft_key(draft: dict[str, Any], voter: Client) -> str:
    return (
        f"{draft['governorAddress'].lower()}:{draft['proposalId']}:{account(voter).address.lower()}"
    )


async def updates_until(subscription: Subscription, done: Any) -> dict[str, Any]:
    """The proposalUpdated payloads until `done(proposal)` holds; the last one."""
    while True:
        proposal = (await subscription.next())["proposalUpdated"]
        if done(proposal):
            return proposal


# --- the tests ----------------------------------------------------------------------------------


async def test_an_election_drafted_proposed_voted_by_relay_and_executed(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    server: LiveServer,
    sender: SenderProcess,
    member: Any,
    index: Any,
    http: httpx.AsyncClient,
) -> None:
    # given a community on-chain where alice holds 60 points and bob 30
    alice, bob, carol = await member(w3), await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    gov.pay(community, {account(alice): 60, account(bob): 30})
    await index()

    # when alice asks for the draft of carol's election, naming her by her address
    draft = (
        await alice.data(
            PROPOSE_ELECTION, {"community": community.name, "candidate": account(carol).address}
        )
    )["proposeModeratorElection"]
    # then it is the governor's propose of the registry's electModerator, with a default text
    assert draft["governorAddress"] == community.governor.address
    assert draft["targets"] == [gov.registry.address]
    assert draft["values"] == ["0"]
    assert draft["calldatas"] == [
        gov.registry.encode_abi("electModerator", args=[community.id, account(carol).address])
    ]
    assert account(carol).address in draft["description"]
    assert f"c/{community.name}" in draft["description"]
    # and its id is the one the governor computes
    proposal_id = int(draft["proposalId"])
    assert proposal_id == drafted(draft).id(community.governor)

    # when alice's wallet proposes it and voting opens
    submit(gov, community, draft, alice)
    gov.open_voting(community)
    await index()
    # and someone listens to the community's proposals
    anonymous = Client(server.graphql_url, http)
    async with Subscription(
        server.graphql_url, PROPOSAL_UPDATED, {"community": community.name}
    ) as updates:
        # and bob votes for it by signing a ballot that the forum relays
        relayed = (
            await anonymous.data(
                RELAY_VOTE,
                {
                    "proposalId": draft["id"],
                    "support": "FOR",
                    "voter": account(bob).address,
                    "signature": ballot(community, draft, account(bob), Support.FOR),
                },
            )
        )["relayVote"]
        # then the operator sent it: its transaction is known at once
        assert relayed["status"] in ("SENT", "MINED"), (relayed, sender.log())
        assert relayed["voter"] == account(bob).address
        assert relayed["txHash"].startswith("0x") and len(relayed["txHash"]) == 66
        receipt = w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)
        assert receipt["status"] == 1
        assert community.governor.functions.hasVoted(proposal_id, account(bob).address).call()
        # and once indexed, the subscriber hears of the new tally
        await index()
        update = await updates_until(updates, lambda p: p["forVotes"] != "0")
        assert update == {
            "id": draft["id"],
            "state": "ACTIVE",
            "forVotes": str(30 * POINT),
            "againstVotes": "0",
            "abstainVotes": "0",
        }

    # when alice votes against with a reason, by its number alone, through the relay too
    relayed = (
        await alice.data(
            RELAY_VOTE,
            {
                "proposalId": draft["proposalId"],
                "support": "AGAINST",
                "voter": account(alice).address.lower(),
                "signature": ballot(community, draft, account(alice), Support.AGAINST, "Too soon"),
                "reason": "Too soon",
            },
        )
    )["relayVote"]
    w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)
    await index()
    # then the proposal shows both votes, each with its relayed transaction
    proposal = (await alice.data(PROPOSAL, {"id": draft["id"]}))["proposal"]
    assert (proposal["forVotes"], proposal["againstVotes"]) == (str(30 * POINT), str(60 * POINT))
    votes = [edge["node"] for edge in proposal["votes"]["edges"]]
    assert [(v["voter"]["address"], v["support"], v["reason"], v["txHash"]) for v in votes] == [
        (account(alice).address, "AGAINST", "Too soon", relayed["txHash"]),
        (account(bob).address, "FOR", None, receipt["transactionHash"].to_0x_hex()),
    ]

    # when the vote closes, 30 for and 60 against: no event, only the chain's clock
    async with Subscription(
        server.graphql_url, PROPOSAL_UPDATED, {"community": community.name}
    ) as updates:
        gov.close_voting(community)
        await index()
        # then the subscriber hears that the election is defeated
        update = await updates_until(updates, lambda p: p["state"] != "ACTIVE")
        assert (update["id"], update["state"]) == (draft["id"], "DEFEATED")
    assert (await alice.data(PROPOSAL, {"id": draft["id"]}))["proposal"]["state"] == "DEFEATED"

    # when dave is paid 100 points, alice drafts the election again, described anew, and dave
    # votes for it by relay
    dave = gov.member()
    gov.pay(community, {dave: 100})
    await index()
    again = (
        await alice.data(
            PROPOSE_ELECTION,
            {
                "community": community.name,
                "candidate": account(carol).address,
                "description": "Carol, second try",
            },
        )
    )["proposeModeratorElection"]
    assert again["description"] == "Carol, second try"
    submit(gov, community, again, alice)
    gov.open_voting(community)
    await index()
    relayed = (
        await anonymous.data(
            RELAY_VOTE,
            {
                "proposalId": again["id"],
                "support": "FOR",
                "voter": dave.address,
                "signature": ballot(community, again, dave, Support.FOR),
            },
        )
    )["relayVote"]
    w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)
    gov.close_voting(community)
    await index()
    assert (await alice.data(PROPOSAL, {"id": again["id"]}))["proposal"]["state"] == "SUCCEEDED"
    # and anyone executes it
    gov.execute(community, drafted(again), by=account(alice))
    await index()
    # then it is executed and carol is a moderator: electing her again is refused
    assert (await alice.data(PROPOSAL, {"id": again["id"]}))["proposal"]["state"] == "EXECUTED"
    assert account(carol).address in gov.moderators(community)
    error = await alice.error(
        PROPOSE_ELECTION, {"community": community.name, "candidate": account(carol).address}
    )
    assert error["extensions"]["code"] == "ALREADY_MODERATOR"
    # while impeaching her is a draft
    impeachment = (
        await alice.data(
            PROPOSE_IMPEACHMENT, {"community": community.name, "moderator": account(carol).address}
        )
    )["proposeImpeachment"]
    assert impeachment["calldatas"] == [
        gov.registry.encode_abi("impeachModerator", args=[community.id, account(carol).address])
    ]


async def test_relays_the_chain_would_refuse_cost_the_operator_nothing(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    server: LiveServer,
    sender: SenderProcess,
    member: Any,
    index: Any,
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    deployment_file: Path,
    http: httpx.AsyncClient,
) -> None:
    # given an open election in which bob has voted by relay
    alice, bob = await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    dave = gov.member()
    gov.pay(community, {account(alice): 60, account(bob): 30, dave: 10})
    await index()
    draft = (
        await alice.data(
            PROPOSE_ELECTION, {"community": community.name, "candidate": gov.member().address}
        )
    )["proposeModeratorElection"]
    submit(gov, community, draft, alice)
    gov.open_voting(community)
    await index()
    vote = {
        "proposalId": draft["id"],
        "support": "FOR",
        "voter": account(bob).address,
        "signature": ballot(community, draft, account(bob), Support.FOR),
    }
    relayed = (await bob.data(RELAY_VOTE, vote))["relayVote"]
    w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)
    before = operator_funds(w3, deployment)

    async def refused(variables: dict[str, Any]) -> str:
        error = await bob.error(RELAY_VOTE, variables)
        return str(error["extensions"]["code"])

    # when bob's ballot is relayed a second time, before and after the indexer saw it
    assert await refused(vote) == "ALREADY_VOTED"
    await index()
    assert await refused(vote) == "ALREADY_VOTED"
    # and when dave's vote comes with a ballot someone else signed, or for another choice
    assert (
        await refused(
            vote
            | {
                "voter": dave.address,
                "signature": ballot(community, draft, Account.create(), Support.FOR),
            }
        )
        == "BAD_SIGNATURE"
    )
    assert (
        await refused(
            vote
            | {
                "voter": dave.address,
                "support": "AGAINST",
                "signature": ballot(community, draft, dave, Support.FOR),
            }
        )
        == "BAD_SIGNATURE"
    )
    # and with a reason it did not sign
    signed = ballot(community, draft, dave, Support.FOR, "yes")
    assert (
        await refused(vote | {"voter": dave.address, "signature": signed, "reason": "no"})
        == "BAD_SIGNATURE"
    )
    # and when someone with no points at the snapshot votes
    nobody = Account.create()
    assert (
        await refused(
            vote
            | {"voter": nobody.address, "signature": ballot(community, draft, nobody, Support.FOR)}
        )
        == "NO_VOTING_POWER"
    )
    # and once the vote has closed
    gov.close_voting(community)
    await index()
    late = vote | {"voter": dave.address, "signature": ballot(community, draft, dave, Support.FOR)}
    error = await bob.error(RELAY_VOTE, late)
    assert error["extensions"] == {"code": "PROPOSAL_NOT_ACTIVE", "state": "SUCCEEDED"}
    # and for a proposal nobody made, or with a signature that is not one
    assert await refused(late | {"proposalId": "12345"}) == "NOT_FOUND"
    assert await refused(late | {"signature": "0x1234"}) == "BAD_USER_INPUT"
    # and when the API cannot reach the chain to check a ballot
    offline = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        chain_rpc_url=f"http://127.0.0.1:{free_port()}",
        deployment_file=deployment_file,
    )
    try:
        error = await Client(offline.graphql_url, http).error(RELAY_VOTE, late)
        assert error["extensions"]["code"] == "CHAIN_UNAVAILABLE"
    finally:
        offline.stop()
    # then each was refused before anything was sent: the operator spent nothing
    assert operator_funds(w3, deployment) == before
    # and the sender was asked to send bob's ballot alone, and the outbox holds it alone
    assert sender.log().count("sending 0x") == 1
    [only] = await relays(fresh_database_url)
    assert only.startswith(f"cast_vote_by_sig:{draft_key(draft, bob)}:0#"), only


async def test_drafts_are_refused_to_whom_the_governor_would_refuse(
    gov: Governance, w3: Web3, server: LiveServer, member: Any, index: Any, http: httpx.AsyncClient
) -> None:
    # given a community on-chain where alice holds 10 points and bob none, and one only in
    # the forum
    alice, bob = await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    gov.pay(community, {account(alice): 10})
    forum_only = unique_name("offchain")
    await alice.data(CREATE_COMMUNITY, {"name": forum_only})
    await index()
    candidate = gov.member().address

    async def code(client: Client, query: str, variables: dict[str, Any]) -> str:
        error = await client.error(query, variables)
        return str(error["extensions"]["code"])

    elect = {"community": community.name, "candidate": candidate}
    # then someone not signed in is asked to
    anonymous = Client(server.graphql_url, http)
    assert await code(anonymous, PROPOSE_ELECTION, elect) == "UNAUTHENTICATED"
    # and bob, under the threshold of 1 point, is told what it takes
    error = await bob.error(PROPOSE_ELECTION, elect)
    assert error["extensions"] == {
        "code": "BELOW_PROPOSAL_THRESHOLD",
        "threshold": str(POINT),
        "votingPower": "0",
    }
    assert "takes 1 point of voting power; you have 0 points" in error["message"]
    # and a community the chain does not have yet, or at all
    assert await code(alice, PROPOSE_ELECTION, elect | {"community": forum_only}) == (
        "NOT_ON_CHAIN"
    )
    assert await code(alice, PROPOSE_ELECTION, elect | {"community": "nowhere_at_all"}) == (
        "NOT_FOUND"
    )
    # and alice, a moderator since she created it, cannot be elected, nor a stranger impeached
    assert await code(alice, PROPOSE_ELECTION, elect | {"candidate": account(alice).address}) == (
        "ALREADY_MODERATOR"
    )
    assert (
        await code(
            alice, PROPOSE_IMPEACHMENT, {"community": community.name, "moderator": candidate}
        )
        == "NOT_MODERATOR"
    )
    # and a candidate is a wallet address, and a description has words and an end
    for bad in (
        {"candidate": "alice"},
        {"candidate": candidate.lower()[:-1]},
        {"description": "   "},
        {"description": "x" * 10_001},
        {"description": f"Mine #proposer={candidate}"},
    ):
        assert await code(alice, PROPOSE_ELECTION, elect | bad) == "BAD_USER_INPUT", bad
    # while alice's own impeachment, described by her, is a draft she may propose
    draft = (
        await alice.data(
            PROPOSE_IMPEACHMENT,
            {
                "community": community.name,
                "moderator": account(alice).address.lower(),
                "description": f"  I step down #proposer={account(alice).address}  ",
            },
        )
    )["proposeImpeachment"]
    assert draft["description"] == f"I step down #proposer={account(alice).address}"
    submit(gov, community, draft, alice)
    assert drafted(draft).id(community.governor) == int(draft["proposalId"])
    assert community.governor.functions.proposalProposer(int(draft["proposalId"])).call() == (
        account(alice).address
    )
    # and the same draft once proposed is a conflict, not a transaction the governor refuses
    await index()
    same = {
        "community": community.name,
        "moderator": account(alice).address,
        "description": draft["description"],
    }
    assert await code(alice, PROPOSE_IMPEACHMENT, same) == "CONFLICT"


async def test_relays_are_rate_limited_before_the_chain_is_asked(
    settings: Settings, database_url: str, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    # given a server allowing 2 writes an hour (on a Redis of its own, counting only these; an
    # hour, so that the window, fixed on the clock, cannot end between the three)
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis.url,
        write_rate_limit=2,
        write_rate_window_seconds=3600,
    )
    try:
        # when a ballot is relayed three times
        voter = Account.create()
        relay = {
            "proposalId": "1",
            "support": "FOR",
            "voter": voter.address,
            "signature": "0x" + "11" * 64 + "1b",
        }
        client = Client(server.graphql_url, http)
        codes = [(await client.error(RELAY_VOTE, relay))["extensions"]["code"] for _ in range(3)]
    finally:
        server.stop()
        redis.stop()
    # then the third is refused before anything else is looked at
    assert codes == ["NOT_FOUND", "NOT_FOUND", "RATE_LIMITED"]
