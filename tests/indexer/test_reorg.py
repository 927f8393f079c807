"""Reorgs: the mirror follows the chain the node holds now, never the branch it abandoned."""

from __future__ import annotations

import logging

import asyncpg
import pytest
from web3.types import RPCEndpoint

from governance.deploy import Deployment
from governance.devchain import advance_time, revert_to, snapshot
from governance.operator import POINT
from indexer.follower import DeepReorg
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up, mirror_dump

pytestmark = pytest.mark.chain


def _b(address: str) -> bytes:
    return bytes.fromhex(address[2:])


async def _names(mirror: asyncpg.Connection) -> set[str]:
    return {r["name"] for r in await mirror.fetch("SELECT name FROM chain_communities")}


async def _moderators(mirror: asyncpg.Connection) -> set[bytes]:
    return {bytes(r["account"]) for r in await mirror.fetch("SELECT account FROM chain_moderators")}


async def _matches_a_clean_index(
    mirror: asyncpg.Connection, database_url: str, chain_rpc_url: str, deployment: Deployment
) -> None:
    after_reorg = await mirror_dump(mirror)
    await mirror.execute("DELETE FROM chain_indexer_state")  # the next run indexes anew
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await mirror_dump(mirror) == after_reorg


async def test_a_reverted_branch_is_rolled_back_and_the_new_one_applied(
    caplog: pytest.LogCaptureFixture,
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given: a community whose members hold points, indexed
    community = gov.create_community("before-the-fork")
    alice, carol, candidate = gov.members(3)
    gov.pay(community, {alice: 100})
    await catch_up(database_url, chain_rpc_url, deployment)
    fork, fork_block = snapshot(gov.w3), gov.w3.eth.block_number

    # and a branch with an election (its votes) and a new community, indexed
    gov.create_community("orphaned-community")
    gov.pass_proposal(community, gov.election(community, candidate), voter=alice)
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await _names(mirror) == {"before-the-fork", "orphaned-community"}
    assert _b(candidate.address) in await _moderators(mirror)
    assert await mirror.fetchval("SELECT count(*) FROM chain_votes") == 1
    orphaned_head = gov.w3.eth.block_number

    # when: the chain returns to the fork and grows another, longer branch
    revert_to(gov.w3, fork)
    advance_time(gov.w3, 7)  # another timestamp: another block even where no transaction differs
    new_community = gov.create_community("new-branch-community")
    gov.send(alice, community.token.functions.transfer(carol.address, 30 * POINT))
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(12)])
    assert gov.w3.eth.block_number > orphaned_head
    with caplog.at_level(logging.WARNING, logger="agora.indexer"):
        await catch_up(database_url, chain_rpc_url, deployment)

    # then: the orphaned community, election and vote are gone; the new branch is there
    (rollback,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("reorg")]
    assert f"rolled back to block {fork_block}" in rollback
    assert await _names(mirror) == {"before-the-fork", "new-branch-community"}
    assert await _moderators(mirror) == {
        _b(community.creator.address),
        _b(new_community.creator.address),
    }
    assert await mirror.fetchval("SELECT count(*) FROM chain_votes") == 0
    assert await mirror.fetchval("SELECT count(*) FROM chain_proposals") == 0
    for holder, points in ((alice, 70), (carol, 30)):
        assert (
            await mirror.fetchval(
                "SELECT balance FROM chain_token_balances WHERE holder = $1", _b(holder.address)
            )
            == points * POINT
            == community.token.functions.balanceOf(holder.address).call()
        )
    state = await mirror.fetchrow("SELECT block_number, block_hash FROM chain_indexer_state")
    head = gov.w3.eth.get_block("latest")
    assert state is not None
    assert (state["block_number"], bytes(state["block_hash"])) == (head["number"], head["hash"])
    await _matches_a_clean_index(mirror, database_url, chain_rpc_url, deployment)


async def test_a_reorg_deeper_than_finality_is_an_error_that_names_it(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given: 10 blocks indexed with a finality of 3
    gov.create_community()
    fork = snapshot(gov.w3)
    gov.create_community()
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(10)])
    await catch_up(database_url, chain_rpc_url, deployment, finality=3)
    before = await mirror_dump(mirror)

    # when: the chain forks 11 blocks back
    revert_to(gov.w3, fork)
    advance_time(gov.w3, 5)
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(12)])

    # then
    with pytest.raises(DeepReorg, match="deeper than INDEXER_FINALITY_BLOCKS=3"):
        await catch_up(database_url, chain_rpc_url, deployment, finality=3)
    assert await mirror_dump(mirror) == before  # left as it was, never silently diverged
