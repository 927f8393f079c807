"""The chain goes away during a payout and comes back: the mint waits in the outbox, lands once
when the node answers again, and the books match the token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest
from web3 import Web3

from agora.services import free_port
from governance.deploy import Deployment
from ledger.celery_app import SETTLE_PAYOUTS
from tests.ledger.conftest import QUEUE, ForumOnChain
from tests.ledger.test_check import ledger_check
from tests.ledger.test_epochs import TOKEN, age, clock, earned
from tests.ledger.test_sender import mint_events, operator_nonce, outbox, token_of
from tests.support.factories import create_community, create_post, unique_name, vote
from tests.support.forwarder import Forwarder
from tests.support.graphql import Client, sign_in

pytestmark = pytest.mark.chain


async def _until(check: Callable[[], Awaitable[bool]], what: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_an_epoch_closed_while_the_chain_is_down_is_minted_once_when_it_is_back(
    forum_on_chain: Callable[..., ForumOnChain],
    chain_rpc_url: str,
    deployment: Deployment,
    w3: Web3,
    send: Callable[..., str],
) -> None:
    # given a forum with its sender (which reaches the chain through a port the test opens and
    # closes), its indexer, and a worker of the ledger, all on a database of this test
    node = Forwarder(free_port(), int(chain_rpc_url.rsplit(":", 1)[1]))
    node.open()
    forum = forum_on_chain(f"http://127.0.0.1:{node.port}")
    sender, server, fresh_database_url = forum.sender, forum.server, forum.database_url
    queue = f"{QUEUE}-chain-down"
    worker = forum.ledger(queue)
    db = await asyncpg.connect(fresh_database_url)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            author = await sign_in(Client(server.graphql_url, http))
            voter = await sign_in(Client(server.graphql_url, http))
            await age(db, author, voter)
            # and a community on-chain with a post that earned one eligible upvote
            name = unique_name("chaindown")
            await create_community(author, name, confirmed=False)
            await forum.on_chain(author, name)
            post = await create_post(author, name)
            await vote(voter, post["id"], "UP")
        community_id = await db.fetchval("SELECT id FROM communities WHERE name = $1", name)
        token = token_of(w3, deployment, name)
        nonce = operator_nonce(w3, deployment)

        # when the chain goes away, and the operator closes the epoch meanwhile
        node.close()
        closed = send(queue, until=await clock(db), community_id=community_id)
        assert worker.results(closed) == "1"

        # then the mint waits in the outbox, the sender saying once that the chain is away
        sender.wait_for_log("is unreachable")
        await asyncio.sleep(2)  # several tries
        mint = await db.fetchrow(
            "SELECT status FROM operator_transactions WHERE kind = 'mint_epoch'"
        )
        assert mint is not None and mint["status"] in ("pending", "sent"), sender.log()
        assert token.functions.totalSupply().call() == 0
        assert sender.log().count("is unreachable") == 1

        # when the chain is back
        node.open()

        async def settled() -> bool:
            return not await db.fetchval(
                "SELECT count(*) FROM operator_transactions WHERE status IN ('pending', 'sent')"
            )

        await _until(settled, f"the mint to be mined:\n{sender.log()}")
        assert worker.results(send(queue, task=SETTLE_PAYOUTS)) == "1"
    finally:
        await db.close()
        node.close()

    # then the mint landed once: one transaction, one EpochMinted, the author's 500 tokens
    rows = await _outbox(fresh_database_url)
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("create_community", "mined"),
        ("mint_epoch", "mined"),
    ]
    assert operator_nonce(w3, deployment) == nonce + 1
    assert len(mint_events(w3, token, deployment)) == 1
    assert token.functions.balanceOf(author.account.address).call() == 500 * TOKEN
    assert sender.log().count("answers again") == 1
    # and the ledger books it on-chain, and its check against the token passes
    db = await asyncpg.connect(fresh_database_url)
    try:
        assert await earned(db, community_id, "onchain") == {
            author.account.address.lower(): 500 * TOKEN
        }
    finally:
        await db.close()
    code, output = ledger_check(fresh_database_url, chain_rpc_url, community_id)
    assert code == 0, output
    assert "the on-chain totals match the tokens" in output


async def _outbox(database_url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await outbox(conn)
    finally:
        await conn.close()
