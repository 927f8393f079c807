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
from typing import Any

import asyncpg
import httpx
import pytest
from web3 import Web3
from web3.logs import DISCARD

from agora.settings import PROJECT_ROOT
from api.core.ids import decode_one
from governance import NODE_MODULES
from governance.deploy import Deployment
from ledger.celery_app import RELEASE_REVIEWED_EPOCHS
from tests.ledger.conftest import (
    QUEUE,
    ForumOnChain,
    Worker,
    kill_while_waiting_on,
    ledger_command,
)
from tests.ledger.test_check import ledger_check
from tests.ledger.test_epochs import (
    TOKEN,
    age,
    clock,
    earned,
    mint_intents,
    people,
    scored_community,
    token_deployed,
)
from tests.ledger.test_sender import token_of
from tests.support.factories import (
    create_comment,
    create_community,
    create_community_without_sender,
    create_post,
    unique_name,
    vote,
)
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer

pytestmark = pytest.mark.chain

# Long enough for the test to look at the epoch in review and remove a post in it.
REVIEW_SECONDS = 25

EPOCHS = """
query($name: String!) {
  community(name: $name) {
    rewardEpochs(first: 10) {
      edges { node {
        number status endsAt reviewEndsAt merkleRoot distributed undistributed voided
        recipients payouts { chainEpochId status txHash }
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
    forum_on_chain: Callable[..., ForumOnChain],
    chain_rpc_url: str,
    deployment: Deployment,
    w3: Web3,
    send: Callable[..., str],
) -> None:
    # given a forum with its sender, its indexer, and the ledger's worker and beat, whose epochs
    # are reviewed for REVIEW_SECONDS between their close and their mint
    forum = forum_on_chain()
    sender, server, fresh_database_url = forum.sender, forum.server, forum.database_url
    queue = f"{QUEUE}-review"
    economy = {"REWARD_REVIEW_SECONDS": str(REVIEW_SECONDS), "LEDGER_BEAT_SECONDS": "0.5"}
    worker = forum.ledger(queue, **economy)
    forum.ledger(queue, "beat", **economy)
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
            await forum.on_chain(alice, name)
            post_a = await create_post(alice, name)
            post_b = await create_post(bob, name)
            comment_c = await create_comment(carol, post_a["id"])
            # (each voter votes for one author only, so each vote weighs a whole budget)
            for voter, target in ((carol, post_a), (dave, post_a), (alice, post_b)):
                await vote(voter, target["id"], "UP")
            await vote(bob, comment_c["id"], "UP")
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
                "SELECT removed_at FROM posts WHERE id = $1", decode_one(post_b["id"], "Post")
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

    # then bob's line was never minted: his post's share went back to the community's pool
    token = token_of(w3, deployment, name)
    assert token.functions.balanceOf(bob.account.address).call() == 0
    assert token.functions.balanceOf(alice.account.address).call() == 500 * TOKEN
    assert token.functions.balanceOf(carol.account.address).call() == 250 * TOKEN
    assert [(v["id"], int(v["amount"])) for v in voids] == [
        (f"epoch:{community_id}:1:void:post:{decode_one(post_b['id'], 'Post')}", 250 * TOKEN)
    ]
    assert int(pool) == 250 * TOKEN
    assert onchain == {
        alice.account.address.lower(): 500 * TOKEN,
        carol.account.address.lower(): 250 * TOKEN,
    }
    assert set(owed.values()) == {0}
    assert (int(final["distributed"]), final["recipients"]) == (750 * TOKEN, 2)
    # and the Rewards tab can say why 250 stayed in the pool: all of it voided in review
    assert (int(final["undistributed"]), int(final["voided"])) == (250 * TOKEN, 250 * TOKEN)
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


BAN = "mutation($i: BanUserInput!) { banUser(input: $i) { reason } }"
DELETE_COMMENT = "mutation($id: ID!) { deleteComment(id: $id) { isDeleted } }"


async def test_a_ban_or_the_authors_delete_in_review_voids_the_line_once_with_two_workers(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    start: Callable[..., Worker],
    send: Callable[..., str],
) -> None:
    # given two workers whose epochs are reviewed for an hour
    queues = [f"{QUEUE}-release-{n}" for n in range(2)]
    workers = [start(q, REWARD_REVIEW_SECONDS="3600") for q in queues]
    # and a community alice moderates: her post, bob's post and carol's comment each with one
    # eligible upvote (333.33 tokens each, the unit left over to the oldest item, alice's post)
    alice, bob, carol, dave = await people(live_server, http, 4)
    await age(db, alice, bob, carol, dave)
    community = await create_community_without_sender(alice, live_server.settings)
    name = community["name"]
    community_id = await token_deployed(db, community)
    post_a = await create_post(alice, name)
    post_b = await create_post(bob, name)
    comment_c = await create_comment(carol, post_a["id"])
    for target in (post_a, post_b, comment_c):
        await vote(dave, target["id"], "UP")
    # and the epoch closed into its review
    assert workers[0].results(send(queues[0], until=await clock(db), community_id=community_id))
    review = await db.fetchrow(
        "SELECT status, distributed FROM reward_epochs WHERE community_id = $1 AND number = 1",
        community_id,
    )
    assert (review["status"], int(review["distributed"])) == ("review", 1000 * TOKEN)

    # when, in the window, alice bans bob in the community and carol deletes her comment
    await alice.data(BAN, {"i": {"community": name, "address": bob.account.address}})
    await carol.data(DELETE_COMMENT, {"id": comment_c["id"]})
    # and the operator ends the review now, through both workers at once
    now = await clock(db)
    tasks = [
        send(q, task=RELEASE_REVIEWED_EPOCHS, until=now, community_id=community_id) for q in queues
    ]
    released = [w.results(t) for w, t in zip(workers, tasks, strict=True)]

    # then the epoch was released once: bob's and carol's lines voided back to the pool, only
    # alice's minted, in one intent carrying the root of the one row
    assert sorted(released) == ["0", "1"]
    lines = await db.fetch(
        """SELECT author_id, void_reason FROM reward_lines
            WHERE community_id = $1 AND epoch_number = 1 ORDER BY author_id""",
        community_id,
    )
    assert [r["void_reason"] for r in lines] == [None, "banned", "deleted"]
    assert await earned(db, community_id) == {
        alice.account.address.lower(): ALICE,
        bob.account.address.lower(): 0,
        carol.account.address.lower(): 0,
    }
    [payload] = await mint_intents(db, community_id)
    assert payload["recipients"] == [alice.account.address]
    assert payload["amounts"] == [str(ALICE)]
    assert payload["root"] == openzeppelin_root([(alice.account.address, ALICE)])
    epoch = await db.fetchrow(
        """SELECT status, distributed, undistributed, recipients, merkle_root FROM reward_epochs
            WHERE community_id = $1 AND number = 1""",
        community_id,
    )
    assert (epoch["status"], int(epoch["distributed"]), epoch["recipients"]) == (
        "closed",
        ALICE,
        1,
    )
    assert int(epoch["undistributed"]) == 1000 * TOKEN - ALICE
    assert "0x" + bytes(epoch["merkle_root"]).hex() == payload["root"]
    # and the books still prove themselves (nothing minted yet, nothing on-chain)
    chain_rpc_url = live_server.settings.chain_rpc_url
    assert chain_rpc_url
    code, output = ledger_check(database_url, chain_rpc_url, community_id)
    assert code == 0, output
    # and a root that is not that of the epoch's lines does not pass them
    forged = "UPDATE reward_epochs SET merkle_root = $2 WHERE community_id = $1 AND number = 1"
    await db.execute(forged, community_id, bytes(32))
    try:
        code, output = ledger_check(database_url, chain_rpc_url, community_id)
    finally:
        await db.execute(forged, community_id, epoch["merkle_root"])
    assert code == 1
    assert f"community {community_id} epoch 1: its merkle root is not that of its lines" in output
    assert "does not carry the epoch's merkle root" in output


# Alice's share of three equal scores: a third of 1000 tokens and the unit left over.
ALICE = 1000 * TOKEN // 3 + 1


async def test_a_worker_killed_mid_release_mints_once_after_restart(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    start: Callable[..., Worker],
    send: Callable[..., str],
) -> None:
    # given a scored community, and a worker (alone on its queue, its broker redelivering an
    # unacknowledged task after 5 s) with no review window: it releases as it closes
    community_id, author = await scored_community(live_server, http, db)
    queue = f"{QUEUE}-killed-release"
    first = start(queue, LEDGER_VISIBILITY_TIMEOUT_SECONDS="5")
    # when the close is delivered and the worker is SIGKILLed while it waits for the outbox,
    # held locked: after the close committed, in the release, before the mint is queued
    until = await clock(db)
    task = await kill_while_waiting_on(
        "operator_transactions",
        first,
        db,
        database_url,
        lambda: send(queue, until=until, community_id=community_id),
    )
    # then the close stands (booked, in review) and nothing of the half-done release remains
    held = await db.fetchrow(
        "SELECT status, merkle_root FROM reward_epochs WHERE community_id = $1 AND number = 1",
        community_id,
    )
    assert (held["status"], held["merkle_root"]) == ("review", None)
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}
    assert await mint_intents(db, community_id) == []
    # when a new worker starts (the broker redelivers the unacknowledged task)
    second = start(queue, LEDGER_VISIBILITY_TIMEOUT_SECONDS="5")
    # then it closes nothing twice and releases the epoch once: one mint queued
    assert second.results(task, timeout=40) == "0"
    released = await db.fetchval(
        "SELECT status FROM reward_epochs WHERE community_id = $1 AND number = 1", community_id
    )
    assert released == "closed"
    assert len(await mint_intents(db, community_id)) == 1
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}


async def test_the_operator_ends_a_review_now_from_the_command_line(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    start: Callable[..., Worker],
    send: Callable[..., str],
) -> None:
    # given an epoch closed into a review of a day
    community_id, author = await scored_community(live_server, http, db)
    queue = f"{QUEUE}-cli-release"
    worker = start(queue, REWARD_REVIEW_SECONDS="86400")
    assert worker.results(send(queue, until=await clock(db), community_id=community_id)) == "1"
    assert await mint_intents(db, community_id) == []

    # when the operator runs `agora ledger release --now --community ID`, twice
    runs = [release_now(database_url, community_id) for _ in range(2)]

    # then the first released it (its root said) and the second found nothing left to release
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    [intent] = await mint_intents(db, community_id)
    assert f"released epoch 1 of community {community_id}" in runs[0].stderr
    assert intent["root"] in runs[0].stderr
    assert "released epoch" not in runs[1].stderr
    assert intent["recipients"] == [author.account.address]


async def test_closing_from_the_command_line_with_the_beat_stopped_books_what_the_sender_mined(
    forum_on_chain: Callable[..., ForumOnChain], deployment: Deployment, w3: Web3
) -> None:
    # given a forum on the chain whose ledger has no beat nor worker running
    forum = forum_on_chain()
    db = await asyncpg.connect(forum.database_url)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            author, voter = [
                await sign_in(Client(forum.server.graphql_url, http)) for _ in range(2)
            ]
            await age(db, author, voter)
            # and a community on-chain where the author's post has one eligible upvote
            name = unique_name("closecli")
            await create_community(author, name, confirmed=False)
            await forum.on_chain(author, name)
            await vote(voter, (await create_post(author, name))["id"], "UP")
            community = await db.fetchval("SELECT id FROM communities WHERE name = $1", name)

            # when the operator closes the epoch now while the sender is stopped: it mints as it
            # closes (no review), its mint waiting in the outbox
            forum.sender.stop()
            closing = ledger_command(
                forum.database_url, "close", "--now", "--community", str(community)
            )
            assert closing.returncode == 0, closing.stderr
            assert f"closed epoch 1 of community {community}" in closing.stderr
            assert "booked" not in closing.stderr
            # and then the operator's sender, started again, mines the mint
            forum.restart_sender()

            async def mined() -> bool:
                status = await db.fetchval(
                    "SELECT status FROM operator_transactions WHERE kind = 'mint_epoch'"
                )
                return bool(status == "mined")

            await until(mined, f"the mint mined:\n{forum.sender.log()}")
            # then nothing has booked it: the epoch is still being paid
            assert await statuses(author, name) == {1: "PAYING", 2: "OPEN"}

            # when the operator runs `agora ledger close` again
            again = ledger_command(forum.database_url, "close", "--community", str(community))

            # then it books what the sender mined: the epoch is paid, the points on-chain
            assert again.returncode == 0, again.stderr
            assert "booked 1 mined mint batches" in again.stderr
            assert await statuses(author, name) == {1: "PAID", 2: "OPEN"}
            address = author.account.address
            assert await earned(db, community, "onchain") == {address.lower(): 500 * TOKEN}
            assert token_of(w3, deployment, name).functions.balanceOf(address).call() == (
                500 * TOKEN
            )
    finally:
        await db.close()


def release_now(database_url: str, community_id: int) -> subprocess.CompletedProcess[str]:
    return ledger_command(database_url, "release", "--now", "--community", str(community_id))


async def epochs_of(client: Client, name: str) -> list[dict[str, Any]]:
    data = await client.data(EPOCHS, {"name": name})
    return [e["node"] for e in data["community"]["rewardEpochs"]["edges"]]


async def statuses(client: Client, name: str) -> dict[int, str]:
    return {e["number"]: e["status"] for e in await epochs_of(client, name)}


async def mints(db: asyncpg.Connection) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM operator_transactions WHERE kind = 'mint_epoch'"
    )
    return count
