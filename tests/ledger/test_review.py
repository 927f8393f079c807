"""The review window and the published distribution, end to end with real processes (a worker
and a beat of the ledger, the operator's sender, the indexer, anvil): an epoch closes into its
review, a removal during it keeps that line from being minted, and what is minted is published
as a CSV whose OpenZeppelin merkle root every mint carries on-chain."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from web3 import Web3
from web3.logs import DISCARD

from agora.settings import PROJECT_ROOT, Settings
from governance import NODE_MODULES
from governance.deploy import Deployment
from tests.ledger.conftest import QUEUE, start_worker
from tests.ledger.test_check import ledger_check
from tests.ledger.test_epochs import TOKEN, age, clock, earned
from tests.ledger.test_sender import CHAIN, token_of
from tests.support.chain import ChainServices
from tests.support.factories import (
    create_comment,
    create_community,
    create_post,
    unique_name,
    vote,
)
from tests.support.graphql import Client, sign_in
from tests.support.sender import SenderProcess
from tests.support.server import start_server

pytestmark = pytest.mark.chain

# Long enough for the test to look at the epoch in review and remove a post in it.
REVIEW_SECONDS = 25

EPOCHS = """
query($name: String!) {
  community(name: $name) {
    rewardEpochs(first: 10) {
      edges { node {
        number status endsAt reviewEndsAt merkleRoot distributed recipients
        payouts { chainEpochId status txHash }
      } }
    }
  }
}"""

REWARDS = """
query($address: String!, $community: String!) {
  user(address: $address) {
    rewards(community: $community, first: 10) {
      edges { node { amount epoch { number status } items { amount voided } } }
    }
  }
}"""

REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { isRemoved } }'


async def until(check: Callable[[], Awaitable[Any]], what: str, within: float = 60) -> Any:
    deadline = time.monotonic() + within
    while not (found := await check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)
    return found


def openzeppelin_root(rows: list[tuple[str, int]]) -> str:
    """The root OpenZeppelin's own library computes for these rows (node, the pinned package)."""
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(PROJECT_ROOT / "tests/support/merkle_root.cjs"), str(NODE_MODULES)],
        input=json.dumps([[address, str(amount)] for address, amount in rows]),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def parse_csv(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, [(address, int(amount)) for address, amount in rows]


async def test_a_removal_in_review_is_not_minted_and_the_minted_root_is_published_on_chain(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    deployment: Deployment,
    w3: Web3,  # the chain goes back to its snapshot after the processes are gone
    send: Callable[..., str],
    tmp_path: Path,
) -> None:
    # given a forum with its sender, its indexer, and the ledger's worker and beat, whose epochs
    # are reviewed for REVIEW_SECONDS between their close and their mint
    sender = SenderProcess(
        tmp_path / "send.log",
        database_url=fresh_database_url,
        redis_url=redis_url,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    indexer = ChainServices(
        rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
        database_url=fresh_database_url,
        redis_url=redis_url,
        logs=tmp_path,
        commands=("index",),
    )
    queue = f"{QUEUE}-review"
    economy = {"REWARD_REVIEW_SECONDS": str(REVIEW_SECONDS), "LEDGER_BEAT_SECONDS": "0.5"}
    worker = start_worker(fresh_database_url, redis_url, tmp_path / "w.log", queue, **economy)
    beat = start_worker(fresh_database_url, redis_url, tmp_path / "b.log", queue, "beat", **economy)
    server = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=redis_url,
        listing_cache_seconds=0,
        write_rate_limit=1_000_000,
    )
    db = await asyncpg.connect(fresh_database_url)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            alice, bob, carol, dave = [
                await sign_in(Client(server.graphql_url, http)) for _ in range(4)
            ]
            await age(db, alice, bob, carol, dave)
            # and a community on-chain that alice moderates, where alice's post has 2 eligible
            # upvotes, bob's post 1 and carol's comment 1: 500, 250 and 250 of 1000 tokens
            name = unique_name("review")
            await create_community(alice, name, confirmed=False)

            async def confirmed() -> bool:
                chain = (await alice.data(CHAIN, {"n": name}))["community"]["chain"]
                return bool(chain["status"] == "CONFIRMED")

            await until(confirmed, f"c/{name} on-chain:\n{sender.log()}")
            post_a = await create_post(alice, name)
            post_b = await create_post(bob, name)
            comment_c = await create_comment(carol, post_a["id"])
            for voter, target in ((carol, post_a), (dave, post_a), (dave, post_b)):
                await vote(voter, target["id"], "UP")
            await vote(dave, comment_c["id"], "UP")
            community_id = await db.fetchval("SELECT id FROM communities WHERE name = $1", name)

            # when the operator closes the epoch
            send(queue, until=await clock(db), community_id=community_id)

            # then the epoch is in review: its lines public, the time left shown, no root yet,
            # nothing queued to mint
            async def in_review() -> dict[str, Any] | None:
                epochs = await epochs_of(alice, name)
                return next((e for e in epochs if e["status"] == "IN_REVIEW"), None)

            review = await until(in_review, f"the epoch in review:\n{worker.text()[-3000:]}")
            ends = datetime.fromisoformat(review["reviewEndsAt"])
            assert review["merkleRoot"] is None and review["payouts"] == []
            assert int(review["distributed"]) == 1000 * TOKEN
            assert 0 < (ends - datetime.fromisoformat(review["endsAt"])).total_seconds()
            assert await mints(db) == 0
            provisional = await http.get(f"{server.url}/rewards/{name}/1.csv")
            assert provisional.status_code == 200
            assert len(parse_csv(provisional.text)[1]) == 3

            # when a moderator removes bob's post before the window ends
            await alice.data(REMOVE_POST, {"id": post_b["id"]})
            removed_at = await db.fetchval(
                "SELECT removed_at FROM posts WHERE id = $1", int(post_b["id"])
            )
            assert removed_at < ends, "the test was too slow to remove within the window"

            # then once the window ends the epoch is minted, and paid, with its root published
            async def paid() -> dict[str, Any] | None:
                epochs = await epochs_of(alice, name)
                return next((e for e in epochs if e["status"] == "PAID"), None)

            final = await until(
                paid,
                f"the epoch paid:\n{sender.log()}\n{worker.text()[-3000:]}",
                within=REVIEW_SECONDS + 90,
            )
            published = await http.get(f"{server.url}/rewards/{name}/1.csv")
            open_epoch = await http.get(f"{server.url}/rewards/{name}/2.csv")
            unknown_epoch = await http.get(f"{server.url}/rewards/{name}/99.csv")
            unknown_community = await http.get(f"{server.url}/rewards/{name}x/1.csv")
            bobs = (await alice.data(REWARDS, {"address": bob.account.address, "community": name}))[
                "user"
            ]["rewards"]["edges"]
        pool = await db.fetchval(
            """SELECT balance FROM ledger_balances WHERE community_id = $1 AND kind = 'pool'""",
            community_id,
        )
        voids = await db.fetch(
            "SELECT id, amount FROM ledger_transfers WHERE community_id = $1 AND kind = 'void'",
            community_id,
        )
        onchain = await earned(db, community_id, "onchain")
        owed = await earned(db, community_id)
        mint_count = await mints(db)
    finally:
        await db.close()
        sender.stop()
        worker.stop()
        beat.stop()
        indexer.stop()
        server.stop()

    # then bob's line was never minted: his post's share went back to the community's pool
    token = token_of(w3, deployment, name)
    assert token.functions.balanceOf(bob.account.address).call() == 0
    assert token.functions.balanceOf(alice.account.address).call() == 500 * TOKEN
    assert token.functions.balanceOf(carol.account.address).call() == 250 * TOKEN
    assert [(v["id"], int(v["amount"])) for v in voids] == [
        (f"epoch:{community_id}:1:void:post:{post_b['id']}", 250 * TOKEN)
    ]
    assert int(pool) == 250 * TOKEN
    assert onchain == {
        alice.account.address.lower(): 500 * TOKEN,
        carol.account.address.lower(): 250 * TOKEN,
    }
    assert set(owed.values()) == {0}
    assert (int(final["distributed"]), final["recipients"]) == (750 * TOKEN, 2)
    # and bob sees his reward voided, at nothing
    [reward] = [e["node"] for e in bobs]
    assert reward["amount"] == "0"
    assert reward["items"] == [{"amount": str(250 * TOKEN), "voided": True}]

    # and the CSV is what was minted, summing to the epoch's distributed
    assert published.status_code == 200
    assert published.headers["content-type"].startswith("text/csv")
    header, rows = parse_csv(published.text)
    assert header == ["address", "amount"]
    assert sorted(rows) == sorted(
        [(alice.account.address, 500 * TOKEN), (carol.account.address, 250 * TOKEN)]
    )
    assert sum(amount for _, amount in rows) == int(final["distributed"])
    # and OpenZeppelin's library finds the epoch's root from the CSV's rows
    root = final["merkleRoot"]
    assert root == openzeppelin_root(rows)
    # and every mint of the epoch carries that root in its EpochMinted event
    assert mint_count == 1 and len(final["payouts"]) == 1
    for payout in final["payouts"]:
        receipt = w3.eth.get_transaction_receipt(payout["txHash"])
        (event,) = token.events.EpochMinted().process_receipt(receipt, errors=DISCARD)
        assert "0x" + bytes(event["args"]["root"]).hex() == root
        assert str(event["args"]["epochId"]) == payout["chainEpochId"]
    # and an open or unknown epoch has no CSV
    assert [r.status_code for r in (open_epoch, unknown_epoch, unknown_community)] == [404] * 3
    # and the books prove themselves, minted equal to the ledger
    code, output = ledger_check(fresh_database_url, chain_rpc_url, community_id)
    assert code == 0, output
    assert "the on-chain totals match the tokens" in output


async def epochs_of(client: Client, name: str) -> list[dict[str, Any]]:
    data = await client.data(EPOCHS, {"name": name})
    return [e["node"] for e in data["community"]["rewardEpochs"]["edges"]]


async def mints(db: asyncpg.Connection) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM operator_transactions WHERE kind = 'mint_epoch'"
    )
    return count
