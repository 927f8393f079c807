"""Creating a community in the forum creates its token and governor on-chain, through the
operator's sender (`agora send`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from agora.chain import connect
from agora.settings import Settings
from governance import community_id
from governance.deploy import Deployment, deployed_contract
from tests.support.factories import create_community, unique_name
from tests.support.graphql import Client, sign_in
from tests.support.sender import SenderProcess
from tests.support.server import start_server

CHAIN = """
query($n: String!) {
  community(name: $n) { chain { status communityId tokenAddress governorAddress } }
}
"""

pytestmark = pytest.mark.chain


async def test_a_new_community_gets_its_contracts_once_mined(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    deployment_file: Path,
    tmp_path: Path,
) -> None:
    # given a forum, and the operator's sender connected to the chain
    server = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        listing_cache_seconds=0,
    )
    sender = SenderProcess(
        tmp_path / "send.log",
        database_url=fresh_database_url,
        redis_url=redis_url,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    try:
        async with httpx.AsyncClient() as http:
            alice = await sign_in(Client(server.graphql_url, http))
            name = unique_name("chain")
            # when alice creates a community
            created = await create_community(alice, name)
            # then it is pending at first, and confirmed with addresses once mined
            status = (await alice.data(CHAIN, {"n": name}))["community"]["chain"]
            for _ in range(300):
                if status["status"] != "PENDING":
                    break
                await asyncio.sleep(0.1)
                status = (await alice.data(CHAIN, {"n": name}))["community"]["chain"]
    finally:
        sender.stop()
        server.stop()
    assert created["name"] == name
    assert status["status"] == "CONFIRMED", sender.log()
    assert status["communityId"] == "0x" + community_id(name).hex()
    # and the chain agrees: the registry knows alice as the first moderator, of this governor
    w3 = connect(chain_rpc_url)
    registry = deployed_contract(w3, deployment, "registry")
    assert registry.functions.moderators(community_id(name)).call() == [alice.account.address]
    assert registry.functions.governorOf(community_id(name)).call() == status["governorAddress"]
    assert w3.eth.get_code(status["tokenAddress"]) and w3.eth.get_code(status["governorAddress"])
