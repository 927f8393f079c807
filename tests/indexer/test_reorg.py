"""Reorgs: the mirror follows the chain the node holds now, never the branch it abandoned."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from web3.types import RPCEndpoint

from agora.settings import Settings
from governance.deploy import Deployment
from governance.devchain import advance_time, revert_to, snapshot
from governance.operator import POINT
from indexer.follower import DeepReorg
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up, mirror_dump, wait_for
from tests.support.chain_state import read_chain, read_mirror
from tests.support.factories import CREATE_COMMUNITY, unique_name
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.chain

MODERATORS = """
query Moderators($name: String!) { community(name: $name) { moderators { address } } }
"""


INBOX = "{ notifications { edges { node { kind community { name } } } } }"


async def _told(client: Client) -> list[str]:
    return [e["node"]["kind"] for e in (await client.data(INBOX))["notifications"]["edges"]]


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


@pytest.fixture
def forum(
    settings: Settings, database_url: str, redis_url: str, chain_rpc_url: str, deployment_file: Path
) -> Iterator[LiveServer]:
    """The API on the mirror these tests index: the forum's view of the chain they reorganize."""
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
        write_rate_limit=1_000_000,  # other sessions on this machine write from 127.0.0.1 too
    )
    yield server
    server.stop()


async def _forum_shows(client: Client, name: str, moderators: set[str]) -> None:
    """Waits until c/`name` lists exactly `moderators` (the API shares a read's answer for up to
    LISTING_CACHE_SECONDS)."""

    async def shown() -> bool:
        community = (await client.data(MODERATORS, {"name": name}))["community"]
        return {moderator["address"] for moderator in community["moderators"]} == moderators

    await wait_for(shown, seconds=10, what=f"c/{name} to list the moderators {moderators}")


async def test_a_reverted_branch_is_rolled_back_and_the_new_one_applied(
    caplog: pytest.LogCaptureFixture,
    gov: Governance,
    mirror: asyncpg.Connection,
    forum: LiveServer,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given: a forum community, on-chain, whose members hold points, indexed
    alice, carol, candidate, creator = gov.members(4)
    name = unique_name("reorg")
    async with httpx.AsyncClient(timeout=30) as http:
        reader = await sign_in(Client(forum.graphql_url, http), creator)
        known = await sign_in(Client(forum.graphql_url, http), candidate)  # known to the forum
        await reader.data(CREATE_COMMUNITY, {"input": {"name": name, "title": "Forked"}})
        community = gov.create_community(name, creator=creator)
        gov.pay(community, {alice: 100})
        await catch_up(database_url, chain_rpc_url, deployment)
        fork, fork_block = snapshot(gov.w3), gov.w3.eth.block_number
        creator_only = {creator.address}
        await _forum_shows(reader, name, creator_only)

        # and a branch with an election (its vote) and a new community, indexed
        gov.create_community("orphaned-community")
        elected = gov.pass_proposal(community, gov.election(community, candidate), voter=alice)
        await catch_up(database_url, chain_rpc_url, deployment)
        assert await _names(mirror) == {name, "orphaned-community"}
        assert _b(candidate.address) in await _moderators(mirror)
        assert await mirror.fetchval("SELECT count(*) FROM chain_votes") == 1
        await _forum_shows(reader, name, creator_only | {candidate.address})
        # (and its notifications: the election opened, to the creator, a member; won, to him)
        assert await _told(reader) == ["PROPOSAL_OPENED"]
        assert await _told(known) == ["ELECTED"]
        orphaned_head = gov.w3.eth.block_number

        # when: the chain returns to the fork and grows another, longer branch
        revert_to(gov.w3, fork)
        advance_time(gov.w3, 7)  # another timestamp: another block even where no tx differs
        new_community = gov.create_community("new-branch-community")
        gov.send(alice, community.token.functions.transfer(carol.address, 30 * POINT))
        gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(12)])
        assert gov.w3.eth.block_number > orphaned_head
        with caplog.at_level(logging.WARNING, logger="agora.indexer"):
            await catch_up(database_url, chain_rpc_url, deployment)

        # then: the orphaned community, election and vote are gone, from the forum too
        (rollback,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("reorg")]
        assert f"rolled back to block {fork_block}" in rollback
        await _forum_shows(reader, name, creator_only)
        # and so are the notifications of what the chain no longer says
        assert await _told(reader) == []
        assert await _told(known) == []
    assert await _names(mirror) == {name, "new-branch-community"}
    assert await _moderators(mirror) == {_b(creator.address), _b(new_community.creator.address)}
    assert await mirror.fetchval("SELECT count(*) FROM chain_votes") == 0
    assert await mirror.fetchval("SELECT count(*) FROM chain_proposals") == 0
    state = await mirror.fetchrow("SELECT block_number, block_hash FROM chain_indexer_state")
    head = gov.w3.eth.get_block("latest")
    assert state is not None
    assert (state["block_number"], bytes(state["block_hash"])) == (head["number"], head["hash"])

    # and the mirror's views equal the new chain's state, read from the contracts
    on_chain = read_chain(
        gov.w3,
        gov.registry,
        communities=[community.id, new_community.id],
        accounts=[alice.address, carol.address, candidate.address, creator.address],
        proposals=[elected],
        block=head["number"],
    )
    assert on_chain.balances == {
        (community.token.address.lower(), alice.address.lower()): 70 * POINT,
        (community.token.address.lower(), carol.address.lower()): 30 * POINT,
    }
    assert on_chain.proposals == {}
    assert await read_mirror(mirror) == on_chain
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
