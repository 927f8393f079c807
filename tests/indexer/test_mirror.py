"""What happens on-chain appears in the mirror: communities, moderators, proposals, votes."""

from __future__ import annotations

import json

import asyncpg
import pytest
from web3 import Web3

from governance.deploy import Deployment
from governance.operator import POINT
from governance.proposals import Support
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up

pytestmark = pytest.mark.chain


def _b(address: str) -> bytes:
    return bytes.fromhex(address[2:])


async def test_a_community_created_onchain_appears_with_its_token_governor_and_creator(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given
    community = gov.create_community("indexed-community")

    # when
    await catch_up(database_url, chain_rpc_url, deployment)

    # then
    row = await mirror.fetchrow("SELECT * FROM chain_communities")
    assert row is not None
    assert (bytes(row["community_id"]), row["name"]) == (community.id, "indexed-community")
    assert bytes(row["token"]) == _b(community.token.address)
    assert bytes(row["governor"]) == _b(community.governor.address)
    moderators = await mirror.fetch("SELECT account, via_proposal_id FROM chain_moderators")
    assert [(bytes(m["account"]), m["via_proposal_id"]) for m in moderators] == [
        (_b(community.creator.address), None)
    ]
    settings = await mirror.fetchrow("SELECT * FROM chain_governor_current_settings")
    assert settings is not None
    governor = community.governor.functions
    assert (
        settings["voting_delay"],
        settings["voting_period"],
        settings["proposal_threshold"],
        settings["quorum_numerator"],
    ) == (
        governor.votingDelay().call(),
        governor.votingPeriod().call(),
        governor.proposalThreshold().call(),
        governor.quorumNumerator().call(),
    )
    state = await mirror.fetchrow("SELECT block_number, block_hash FROM chain_indexer_state")
    assert state is not None
    head = gov.w3.eth.get_block("latest")
    assert (state["block_number"], bytes(state["block_hash"])) == (
        head["number"],
        bytes(head["hash"]),
    )


async def test_an_election_is_mirrored_with_its_votes_weights_and_new_moderator(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given: alice holds 60 points, bob 40
    community = gov.create_community()
    alice, bob, candidate = gov.members(3)
    gov.pay(community, {alice: 60, bob: 40})
    proposal = gov.election(community, candidate)
    proposal_id = gov.propose(community, proposal, by=alice)
    await catch_up(database_url, chain_rpc_url, deployment)  # the live part: a few blocks at a time

    # when: alice votes for, bob against with a reason, and the election passes
    gov.open_voting(community)
    gov.vote(community, proposal_id, alice, Support.FOR)
    gov.send(bob, community.governor.functions.castVoteWithReason(proposal_id, 0, "not yet"))
    gov.close_voting(community)
    executed = gov.execute(community, proposal, by=bob)
    await catch_up(database_url, chain_rpc_url, deployment)

    # then
    created = await mirror.fetchrow(
        "SELECT * FROM chain_proposals WHERE proposal_id = $1", proposal_id
    )
    assert created is not None
    assert bytes(created["proposer"]) == _b(alice.address)
    assert created["description"] == proposal.description
    assert json.loads(created["targets"]) == [gov.registry.address]
    assert json.loads(created["values"]) == ["0"]
    assert json.loads(created["calldatas"]) == ["0x" + proposal.calldatas[0].hex()]
    assert created["vote_end"] - created["vote_start"] == community.settings.voting_period
    votes = await mirror.fetch(
        "SELECT voter, support, weight, reason FROM chain_votes WHERE proposal_id = $1"
        " ORDER BY block_number, log_index",
        proposal_id,
    )
    assert [(bytes(v["voter"]), v["support"], v["weight"], v["reason"]) for v in votes] == [
        (_b(alice.address), 1, 60 * POINT, ""),
        (_b(bob.address), 0, 40 * POINT, "not yet"),
    ]
    events = await mirror.fetch("SELECT kind, tx_hash FROM chain_proposal_events")
    assert [(e["kind"], bytes(e["tx_hash"])) for e in events] == [
        ("executed", bytes(executed["transactionHash"]))
    ]
    moderators = await mirror.fetch(
        "SELECT account, via_proposal_id FROM chain_moderators ORDER BY since_block"
    )
    assert [(bytes(m["account"]), m["via_proposal_id"]) for m in moderators] == [
        (_b(community.creator.address), None),
        (_b(candidate.address), proposal_id),
    ]


async def test_mints_transfers_and_delegations_give_the_balances_and_voting_power_onchain(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given
    community = gov.create_community()
    alice, bob, carol = gov.members(3)
    gov.pay(community, {alice: 60, bob: 40})

    # when: alice sends carol 15 points, bob delegates to alice, carol to bob, more is minted
    gov.send(alice, community.token.functions.transfer(carol.address, 15 * POINT))
    gov.send(bob, community.token.functions.delegate(alice.address))
    gov.send(carol, community.token.functions.delegate(bob.address))
    gov.pay(community, {carol: 5, alice: 1})
    await catch_up(database_url, chain_rpc_url, deployment)

    # then: the mirror says what the token's own views say
    token = community.token.functions
    for account in (alice, bob, carol):
        balance = await mirror.fetchval(
            "SELECT balance FROM chain_token_balances WHERE token = $1 AND holder = $2",
            _b(community.token.address),
            _b(account.address),
        )
        assert balance == token.balanceOf(account.address).call()
        votes = await mirror.fetchval(
            "SELECT votes FROM chain_voting_power WHERE token = $1 AND delegate = $2",
            _b(community.token.address),
            _b(account.address),
        )
        assert (votes or 0) == token.getVotes(account.address).call()
        delegatee = await mirror.fetchval(
            "SELECT delegatee FROM chain_delegations WHERE token = $1 AND delegator = $2",
            _b(community.token.address),
            _b(account.address),
        )
        assert Web3.to_checksum_address(bytes(delegatee)) == token.delegates(account.address).call()
    assert (
        await mirror.fetchval(
            "SELECT votes FROM chain_voting_power WHERE delegate = $1", _b(alice.address)
        )
        == (46 + 40) * POINT
    )
