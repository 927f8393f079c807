"""`agora ledger check` proves the books against the chain: the ledger's on-chain total of a
community equals what its token minted."""

from __future__ import annotations

import json
from collections.abc import Callable

import asyncpg
import httpx
import pytest
from web3 import Web3

from agora.chain import connect
from agora.settings import ANVIL_OPERATOR_KEY
from governance.operator import mint_epoch_onchain
from ledger.celery_app import SETTLE_PAYOUTS
from tests.ledger.conftest import Worker, ledger_command, mint_mined
from tests.ledger.test_epochs import TOKEN, age, clock, people, token_deployed
from tests.support.factories import create_community_without_sender, create_post, vote
from tests.support.server import LiveServer

pytestmark = pytest.mark.chain


def ledger_check(database_url: str, chain: str, community_id: int) -> tuple[int, str]:
    done = ledger_command(
        database_url, "check", "--community", str(community_id), CHAIN_RPC_URL=chain
    )
    return done.returncode, done.stdout + done.stderr


async def test_check_fails_until_a_mined_mint_is_booked_then_passes(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a forum community whose token is on the chain, and one eligible upvote
    author, voter = await people(live_server, http, 2)
    await age(db, author, voter)
    community = await create_community_without_sender(author, live_server.settings)
    community_id = await token_deployed(db, community)
    token = await db.fetchval(
        "SELECT '0x' || encode(token, 'hex') FROM chain_communities WHERE name = $1",
        community["name"],
    )
    chain_rpc_url = live_server.settings.chain_rpc_url
    assert chain_rpc_url
    post = await create_post(author, community["name"])
    await vote(voter, post["id"], "UP")
    # and its epoch closed, and its mint sent and mined by the operator's sender
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    payload = json.loads(
        await db.fetchval(
            "SELECT payload::text FROM operator_transactions WHERE dedupe_key = $1",
            f"mint_epoch:{community_id}:1000",
        )
    )
    mint_epoch_onchain(
        connect(chain_rpc_url),
        ANVIL_OPERATOR_KEY,
        Web3.to_checksum_address(token),
        payload["epoch"],
        list(zip(payload["recipients"], map(int, payload["amounts"]), strict=True)),
    )
    # when the ledger has not booked it yet, then the check fails and says why
    code, output = ledger_check(database_url, chain_rpc_url, community_id)
    assert code == 1, output
    assert f"the ledger paid 0 on-chain, its token minted {500 * TOKEN}" in output
    # when the sender records it mined and the ledger settles it
    await mint_mined(db, community_id)
    worker.results(send(task=SETTLE_PAYOUTS))
    # then the check passes: the books balance and match the token
    code, output = ledger_check(database_url, chain_rpc_url, community_id)
    assert code == 0, output
    assert "the on-chain totals match the tokens" in output
