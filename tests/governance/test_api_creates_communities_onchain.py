"""Creating a community in the forum creates its token and governor on-chain, through the
operator's sender (`agora send`); the forum's moderators are the chain's, as the indexer
(`agora index`) mirrors them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web3 import Web3

from agora.settings import Settings
from governance import community_id
from governance.deploy import Deployment, contract_at, deployed_contract
from governance.devchain import fund
from governance.operator import DEFAULT_SETTINGS
from tests.governance.driver import Community, Governance
from tests.support.chain import ChainServices
from tests.support.factories import create_community, create_post, unique_name, until_moderator
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

CHAIN = """
query($n: String!) {
  community(name: $n) {
    chain { status communityId tokenAddress governorAddress }
    moderators { address }
  }
}
"""
VIEWER_IS_MODERATOR = "query($n: String!) { community(name: $n) { viewerIsModerator } }"
REMOVE_POST = """
mutation($id: ID!) { removePost(id: $id, reason: "off-topic") { isRemoved } }
"""
MODLOG = """
query($c: String!) {
  modlog(community: $c) { edges { node { action moderator { address } proposalId txHash } } }
}
"""

pytestmark = pytest.mark.chain


@contextlib.contextmanager
def forum_on_chain(
    settings: Settings,
    database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    logs: Path,
) -> Iterator[LiveServer]:
    """A server on `database_url` with the operator's sender and the indexer on the governance
    tests' anvil (the live server has a chain of its own)."""
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        listing_cache_seconds=0,
    )
    services = ChainServices(
        rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
        database_url=database_url,
        redis_url=redis_url,
        logs=logs,
    )
    try:
        yield server
    finally:
        services.stop()
        server.stop()


async def test_a_new_community_gets_its_contracts_once_mined(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    w3: Web3,
    deployment: Deployment,
    deployment_file: Path,
    tmp_path: Path,
) -> None:
    # given a forum, with the operator's sender and the indexer connected to the chain
    with forum_on_chain(
        settings, fresh_database_url, redis_url, chain_rpc_url, deployment_file, tmp_path
    ) as server:
        async with httpx.AsyncClient() as http:
            alice = await sign_in(Client(server.graphql_url, http))
            name = unique_name("chain")
            # when alice creates a community
            created = await create_community(alice, name, confirmed=False)
            # then it is pending at first, and is not moderated by anyone yet
            status = (await alice.data(CHAIN, {"n": name}))["community"]
            assert status["chain"]["status"] == "PENDING"
            assert status["moderators"] == [] and not created["viewerIsModerator"]
            # and confirmed with addresses once mined and indexed, alice its moderator
            assert await until_moderator(alice, name)
            status = (await alice.data(CHAIN, {"n": name}))["community"]
    assert status["chain"]["communityId"] == "0x" + community_id(name).hex()
    assert status["moderators"] == [{"address": alice.account.address}]
    # and the chain agrees: the registry knows alice as the first moderator, of this governor
    registry = deployed_contract(w3, deployment, "registry")
    assert registry.functions.moderators(community_id(name)).call() == [alice.account.address]
    governor = status["chain"]["governorAddress"]
    assert registry.functions.governorOf(community_id(name)).call() == governor
    assert w3.eth.get_code(status["chain"]["tokenAddress"]) and w3.eth.get_code(governor)


async def test_an_elected_moderator_acts_until_impeached(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    w3: Web3,
    gov: Governance,
    deployment_file: Path,
    tmp_path: Path,
) -> None:
    with forum_on_chain(
        settings, fresh_database_url, redis_url, chain_rpc_url, deployment_file, tmp_path
    ) as server:
        async with httpx.AsyncClient() as http:
            alice, bob, carol = [await sign_in(Client(server.graphql_url, http)) for _ in "abc"]
            assert alice.account and carol.account
            # given alice's community on-chain, alice holding its points, and bob's posts
            name = unique_name("elect")
            await create_community(alice, name)
            chain = (await alice.data(CHAIN, {"n": name}))["community"]["chain"]
            community = Community(
                name=name,
                id=community_id(name),
                token=contract_at(w3, "CommunityToken", chain["tokenAddress"]),
                governor=contract_at(w3, "CommunityGovernor", chain["governorAddress"]),
                creator=alice.account,
                settings=DEFAULT_SETTINGS,
            )
            fund(w3, alice.account.address)
            gov.pay(community, {alice.account: 10})
            first, second = [await create_post(bob, name) for _ in range(2)]
            # and carol, not a moderator, cannot remove them
            error = await carol.error(REMOVE_POST, {"id": first["id"]})
            assert error["extensions"]["code"] == "FORBIDDEN"

            # when the community elects carol by proposal, and the indexer mirrors it
            election = gov.election(community, carol.account)
            elected_by = gov.pass_proposal(community, election, voter=alice.account)
            assert await until_moderator(carol, name)
            # then carol removes bob's post
            removed = (await carol.data(REMOVE_POST, {"id": first["id"]}))["removePost"]
            assert removed["isRemoved"] is True

            # when the community impeaches her, and the indexer mirrors it
            impeachment = gov.impeachment(community, carol.account)
            impeached_by = gov.pass_proposal(community, impeachment, voter=alice.account)
            await until_not_moderator(carol, name)
            # then she can no longer act
            error = await carol.error(REMOVE_POST, {"id": second["id"]})
            assert error["extensions"]["code"] == "FORBIDDEN"
            # and the public log shows both decisions, with the proposal and transaction
            log = [e["node"] for e in (await bob.data(MODLOG, {"c": name}))["modlog"]["edges"]]
    executed = {
        e["args"]["proposalId"]: e["transactionHash"].to_0x_hex()
        for e in community.governor.events.ProposalExecuted().get_logs(from_block=0)
    }
    # (the proposals moved the chain's clock days ahead: by time, its entries come first)
    assert [e for e in log if e["action"] != "REMOVE_POST"] == [
        {
            "action": "IMPEACH_MODERATOR",
            "moderator": {"address": carol.account.address},
            "proposalId": str(impeached_by),
            "txHash": executed[impeached_by],
        },
        {
            "action": "ELECT_MODERATOR",
            "moderator": {"address": carol.account.address},
            "proposalId": str(elected_by),
            "txHash": executed[elected_by],
        },
        {
            "action": "ELECT_MODERATOR",
            "moderator": {"address": alice.account.address},
            "proposalId": None,  # elected with the community
            "txHash": log[-1]["txHash"],
        },
    ]
    assert {
        "action": "REMOVE_POST",
        "moderator": {"address": carol.account.address},
        "proposalId": None,
        "txHash": None,
    } in log


async def until_not_moderator(client: Client, name: str, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while (await client.data(VIEWER_IS_MODERATOR, {"n": name}))["community"]["viewerIsModerator"]:
        assert time.monotonic() < deadline, f"still a moderator of c/{name} after {seconds}s"
        await asyncio.sleep(0.05)
