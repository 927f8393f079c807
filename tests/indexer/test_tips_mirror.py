"""A tip on the chain appears in the mirror, and leaves it with the branch that held it."""

from __future__ import annotations

import asyncpg
import pytest
from web3.types import RPCEndpoint

from governance.deploy import Deployment, deployed_contract
from governance.devchain import advance_time, revert_to, snapshot
from governance.operator import POINT
from governance.tips import item_ref
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up

pytestmark = pytest.mark.chain


def _b(address: str) -> bytes:
    return bytes.fromhex(address[2:])


async def test_a_tip_is_mirrored_and_rolled_back_with_its_branch(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10})
    tips = deployed_contract(gov.w3, deployment, "tips")
    gov.send(tipper, community.token.functions.approve(tips.address, 10 * POINT))
    fork = snapshot(gov.w3)
    gov.send(
        tipper,
        tips.functions.tip(community.token.address, author.address, 3 * POINT, item_ref("Post:5")),
    )

    # when
    await catch_up(database_url, chain_rpc_url, deployment)

    # then
    rows = await mirror.fetch("SELECT token, tipper, recipient, amount, item_ref FROM chain_tips")
    assert [tuple(bytes(v) if isinstance(v, bytes) else v for v in r.values()) for r in rows] == [
        (
            _b(community.token.address),
            _b(tipper.address),
            _b(author.address),
            3 * POINT,
            item_ref("Post:5"),
        )
    ]

    # when the chain drops the tip's block for a longer branch without it
    revert_to(gov.w3, fork)
    advance_time(gov.w3, 7)
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(5)])
    await catch_up(database_url, chain_rpc_url, deployment)

    # then
    assert await mirror.fetchval("SELECT count(*) FROM chain_tips") == 0
