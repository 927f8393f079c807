"""Votes weighted by standing (docs/rewards.md): a voter weighs the square root of the
points they held at the epoch's start, split as a budget over the authors they voted on; a
community nobody holds points in yet bootstraps with every voter weighing one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from web3 import Web3

from agora.chain import connect
from agora.settings import ANVIL_OPERATOR_KEY
from governance.operator import mint_epoch_onchain
from ledger import genesis
from tests.ledger.conftest import Worker, eventually
from tests.ledger.test_epochs import TOKEN, age, clock, earned, people, token_deployed
from tests.support.factories import create_community_without_sender, create_post, vote
from tests.support.graphql import Client
from tests.support.server import LiveServer


async def line_weights(db: asyncpg.Connection, community_id: int, number: int) -> dict[str, int]:
    """Each paid line's weighted score (millionths of a vote), by the item's title."""
    rows = await db.fetch(
        """SELECT p.title, l.weight FROM reward_lines l JOIN posts p ON p.id = l.post_id
            WHERE l.community_id = $1 AND l.epoch_number = $2""",
        community_id,
        number,
    )
    return {r["title"]: r["weight"] for r in rows}


async def bootstrap_community(
    live_server: LiveServer, http: httpx.AsyncClient, db: asyncpg.Connection, count: int
) -> tuple[list[Client], str, int]:
    """`count` people past the age gate, and a community with its token created by the first,
    nobody holding points in it: its name and id."""
    clients = await people(live_server, http, count)
    await age(db, *clients)
    community = await create_community_without_sender(clients[0], live_server.settings)
    return clients, str(community["name"]), await token_deployed(db, community)


async def test_a_bootstrap_community_pays_and_a_voters_budget_is_split_over_what_they_vote_on(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a community nobody holds points in, ten authors with a post each, and an eleventh
    clients = await people(live_server, http, 13)
    authors, (single, busy) = clients[:11], clients[11:]
    await age(db, *clients)
    community = await create_community_without_sender(authors[0], live_server.settings)
    community_id = await token_deployed(db, community)
    posts = [
        await create_post(author, community["name"], title=f"P{i}")
        for i, author in enumerate(authors)
    ]
    # when one voter upvotes the ten first posts, and another only the eleventh
    for post in posts[:10]:
        await vote(busy, post["id"], "UP")
    await vote(single, posts[10]["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then the epoch pays (every voter weighs one while nobody holds points), and the busy
    # voter's one vote of weight is split: each of the ten posts gets a tenth, the single
    # vote counts whole
    weights = await line_weights(db, community_id, 1)
    assert weights == {**{f"P{i}": 100_000 for i in range(10)}, "P10": 1_000_000}
    paid = await earned(db, community_id)
    assert paid[authors[10].account.address.lower()] == 500 * TOKEN
    assert paid[authors[0].account.address.lower()] == 50 * TOKEN


async def test_one_voters_weight_on_one_author_is_one_share_of_their_budget(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given an author with four posts and another with one
    (prolific, other, voter), name, community_id = await bootstrap_community(
        live_server, http, db, 3
    )
    many = [await create_post(prolific, name, title=f"M{i}") for i in range(4)]
    one = await create_post(other, name, title="O")
    # when one voter upvotes all five
    for post in [*many, one]:
        await vote(voter, post["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then each author gets half of the voter's weight, however many posts they have: the
    # four posts an eighth each, the single post a half
    assert await line_weights(db, community_id, 1) == {
        "M0": 125_000,
        "M1": 125_000,
        "M2": 125_000,
        "M3": 125_000,
        "O": 500_000,
    }


async def test_a_vote_returned_in_the_same_epoch_carries_half_its_weight(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given Ann and Ben with a post each, and Cy, in a community nobody holds points in
    (ann, ben, cy), name, community_id = await bootstrap_community(live_server, http, db, 3)
    a = await create_post(ann, name, title="A")
    b = await create_post(ben, name, title="B")
    # when Ann and Ben upvote each other, and Cy upvotes Ann
    await vote(ann, b["id"], "UP")
    await vote(ben, a["id"], "UP")
    await vote(cy, a["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then the traded votes carry half a weight each (the other half is lost, not moved), and
    # Cy's vote, not returned, a whole one
    assert await line_weights(db, community_id, 1) == {"A": 1_500_000, "B": 500_000}


async def test_epochs_closed_together_are_scored_each_as_alone_on_the_workers_two_connections(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given two communities nobody holds points in: in the first Ann and Ben upvote each
    # other's post and Cy upvotes both; in the second Dee's post is upvoted by Eve, Fay and Ann
    (ann, ben, cy, dee, eve, fay), first, first_id = await bootstrap_community(
        live_server, http, db, 6
    )
    second = await create_community_without_sender(dee, live_server.settings)
    second_id = await token_deployed(db, second)
    a = await create_post(ann, first, title="A")
    b = await create_post(ben, first, title="B")
    d = await create_post(dee, str(second["name"]), title="D")
    await vote(ann, b["id"], "UP")
    await vote(ben, a["id"], "UP")
    for post in (a, b):
        await vote(cy, post["id"], "UP")
    for voter in (eve, fay, ann):
        await vote(voter, d["id"], "UP")
    # when the worker closes every due epoch in one run (the scoring shared by its two
    # connections, each community scored whole on one of them)
    closed = worker.results(send(until=await clock(db)))
    # then both closed, and each scored as it would alone: the traded votes half a weight, Cy's
    # split over two authors, and Ann's budget in the second community her own there
    assert int(closed) >= 2
    assert await line_weights(db, first_id, 1) == {"A": 1_000_000, "B": 1_000_000}
    assert await line_weights(db, second_id, 1) == {"D": 3_000_000}


async def test_voters_who_upvote_the_same_authors_together_show_as_co_voters(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given three authors with a post each
    clients, name, community_id = await bootstrap_community(live_server, http, db, 8)
    authors, ring, (loner,) = clients[:3], clients[3:7], clients[7:]
    posts = [await create_post(a, name, title=f"P{i}") for i, a in enumerate(authors)]
    # when four voters each upvote all three posts, and a fifth only the first
    for voter in ring:
        for post in posts:
            await vote(voter, post["id"], "UP")
    await vote(loner, posts[0]["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then the moderators' co-voting share of each line is the part of its upvotes cast by the
    # four (each upvoted the same three authors as three others), not by the fifth (one author)
    rows = await db.fetch(
        """SELECT p.title, l.co_voting_share FROM reward_lines l JOIN posts p ON p.id = l.post_id
            WHERE l.community_id = $1 AND l.epoch_number = 1""",
        community_id,
    )
    assert {r["title"]: float(r["co_voting_share"]) for r in rows} == {
        "P0": 0.8,
        "P1": 1.0,
        "P2": 1.0,
    }


async def granted(
    db: asyncpg.Connection,
    live_server: LiveServer,
    community: dict[str, object],
    community_id: int,
    members: list[Client],
    points: int,
) -> int:
    """A genesis grant of `points` to each of `members`, minted on the chain as the operator's
    sender would and mirrored by the indexer; the mint's block time (unix seconds)."""
    users = {
        r["address"]: r["id"]
        for r in await db.fetch(
            "SELECT id, address FROM users WHERE address = ANY($1)",
            [c.account.address.lower() for c in members],
        )
    }
    amounts = {users[c.account.address.lower()]: points * TOKEN for c in members}
    assert await genesis.grant(db, community_id, amounts)
    token = await db.fetchval(
        "SELECT token FROM chain_communities WHERE name = $1", community["name"]
    )
    rpc = live_server.settings.chain_rpc_url
    assert rpc
    mint_epoch_onchain(
        connect(rpc),
        ANVIL_OPERATOR_KEY,
        Web3.to_checksum_address(token),
        genesis.GENESIS_CHAIN_EPOCH,
        [(c.account.address, points * TOKEN) for c in members],
    )

    async def mirrored() -> int | None:
        stamp: int | None = await db.fetchval(
            "SELECT max(block_timestamp) FROM chain_transfers WHERE token = $1", token
        )
        return stamp

    stamp = await eventually(mirrored, within=60)
    assert stamp, "the indexer did not mirror the genesis mint"
    return int(stamp)


@pytest.mark.chain
async def test_a_ring_of_fresh_wallets_gets_nothing_while_every_honest_member_earns(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given four honest members holding 100 points each from a genesis grant, two accomplice
    # authors and eight wallets past the age gate that hold nothing
    clients = await people(live_server, http, 14)
    honest, accomplices, wallets = clients[:4], clients[4:6], clients[6:]
    await age(db, *clients)
    community = await create_community_without_sender(honest[0], live_server.settings)
    community_id = await token_deployed(db, community)
    minted_at = await granted(db, live_server, community, community_id, honest, 100)
    # and epoch 1 closed after the grant was minted: epoch 2 starts with the members holding it
    until = max(datetime.fromisoformat(await clock(db)), datetime.fromtimestamp(minted_at + 1, UTC))
    await asyncio.sleep(max(0.0, until.timestamp() - time.time()))
    assert worker.results(send(until=until.isoformat(), community_id=community_id)) == "1"
    # when, in epoch 2, each honest member posts and upvotes the next member's post (around the
    # circle: no vote is returned)
    posts = [await create_post(m, community["name"], title=f"H{i}") for i, m in enumerate(honest)]
    for i, member in enumerate(honest):
        await vote(member, posts[(i + 1) % 4]["id"], "UP")
    # and the ring's eight wallets upvote both accomplices' posts (16 votes against the honest 4)
    ring = [
        await create_post(a, community["name"], title=f"R{i}") for i, a in enumerate(accomplices)
    ]
    for wallet in wallets:
        for post in ring:
            await vote(wallet, post["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then every honest member earns, equally (each got one vote of weight 10), the ring's
    # authors nothing: their voters hold no points, so their votes weigh nothing
    weights = await line_weights(db, community_id, 2)
    assert weights == {f"H{i}": 10_000_000 for i in range(4)}
    paid = await earned(db, community_id)
    for member in honest:
        assert paid[member.account.address.lower()] == 100 * TOKEN + 250 * TOKEN
    for accomplice in accomplices:
        assert accomplice.account.address.lower() not in paid
    # and nothing of the honest lines came from voters with little standing
    shares = await db.fetch(
        "SELECT low_standing_share FROM reward_lines WHERE community_id = $1 AND epoch_number = 2",
        community_id,
    )
    assert [r["low_standing_share"] for r in shares] == [0] * 4
