"""Rewards through GraphQL: people vote, the operator closes the epoch (the ledger's own
function, as `agora ledger close --now` runs it), and the books read back as a member and a
community see them, through payment."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from agora.settings import Settings
from ledger import epochs, settlement
from tests.support.factories import (
    create_comment,
    create_community_without_sender,
    create_post,
    vote,
)
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer


# These tests play the operator's sender by hand (intents marked sent and mined): their forum is
# one no sender runs on, not the live server with its chain.
@pytest.fixture(scope="session")
def database_url(no_sender_database_url: str) -> str:
    return no_sender_database_url


@pytest.fixture(scope="session")
def live_server(no_sender_server: LiveServer) -> LiveServer:
    return no_sender_server


TOKEN = 10**18

# 1000 tokens an epoch, shared in proportion to score without caps (the caps are the ledger's
# tests' business); votes of accounts younger than an hour do not count; an epoch is closed a
# second after its end (the operator's lever waits for it).
ECONOMY = {
    "reward_close_grace_seconds": 1.0,
    "reward_emission": 1000 * TOKEN,
    "reward_decay_epochs": 0,
    "reward_max_item_share": Decimal(1),
    "reward_max_author_share": Decimal(1),
    "reward_min_account_age_seconds": 3600,
    "reward_epoch_seconds": 86400,
    "reward_review_seconds": 0,
}

REWARDS = """
query($address: String!, $community: String) {
  user(address: $address) {
    rewards(community: $community, first: 10) {
      edges { node {
        community { name }
        epoch { number status }
        amount status txHash
        items { votes score amount post { title isRemoved } comment { body } }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

# A page of one (a literal `first`: the cost limit counts a variable one as the largest page).
PAGE = """
query($address: String!, $after: String) {
  user(address: $address) {
    rewards(first: 1, after: $after) {
      edges { node { community { name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

TOTALS = """
query($address: String!, $community: String!) {
  user(address: $address) { rewardTotals(community: $community) { earned paid } }
}"""

EPOCHS = """
query($name: String!) {
  community(name: $name) {
    rewardEpochs(first: 10) {
      edges { node {
        number startsAt endsAt emission distributed undistributed voided recipients status
        payouts { chainEpochId recipients amount status txHash }
      } }
    }
  }
}"""

LINES = """
query($name: String!) {
  community(name: $name) {
    rewardEpochs(first: 2) {
      edges { node { lines { amount lowStandingShare coVotingShare } } }
    }
  }
}"""

REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { isRemoved } }'


async def people(live_server: LiveServer, http: httpx.AsyncClient, count: int) -> list[Client]:
    return [await sign_in(Client(live_server.graphql_url, http)) for _ in range(count)]


async def close_epoch_now(db: asyncpg.Connection, settings: Settings, community_id: int) -> None:
    """The operator's lever, in-process: what `agora ledger close --now` does for a community."""
    at: datetime = await db.fetchval("SELECT clock_timestamp()")
    closed = await epochs.close_due_epochs(
        db, replace(settings, **ECONOMY), until=at, community_id=community_id
    )
    assert [c.number for c in closed] == [1]


async def rewards_of(client: Client, who: Client, **variables: Any) -> list[dict[str, Any]]:
    data = await client.data(REWARDS, {"address": who.account.address, **variables})
    return [e["node"] for e in data["user"]["rewards"]["edges"]]


async def epochs_of(client: Client, name: str) -> list[dict[str, Any]]:
    data = await client.data(EPOCHS, {"name": name})
    return [e["node"] for e in data["community"]["rewardEpochs"]["edges"]]


async def test_a_member_sees_their_reward_explained_and_then_paid(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    settings: Settings,
    anonymous: Client,
) -> None:
    # given four people with accounts two days old, in a community whose token is deployed
    alice, bob, carol, dave = await people(live_server, http, 4)
    await db.execute(
        "UPDATE users SET created_at = now() - interval '2 days' WHERE address = ANY($1)",
        [c.account.address.lower() for c in (alice, bob, carol, dave)],
    )
    community = await create_community_without_sender(alice, live_server.settings)
    name = community["name"]
    community_id = await db.fetchval("SELECT id FROM communities WHERE name = $1", name)
    # and alice's post A with three ups, alice's comment C with two ups and a down (score 1),
    # bob's post B with one up
    post_a = await create_post(alice, name, title="A")
    post_b = await create_post(bob, name, title="B")
    comment_c = await create_comment(alice, post_b["id"], body="C")
    for voter in (bob, carol, dave):
        await vote(voter, post_a["id"], "UP")
    for voter, direction in ((bob, "UP"), (carol, "UP"), (dave, "DOWN")):
        await vote(voter, comment_c["id"], direction)
    await vote(carol, post_b["id"], "UP")

    # when the operator closes the epoch
    await close_epoch_now(db, settings, community_id)

    # then alice sees her reward. Nobody holds points yet (the community's bootstrap): each
    # voter weighs 1, split over the authors they voted on, then over that author's items: bob
    # gives A and C a half each, carol a quarter each and B a half, dave A a half and C minus a
    # half. The weights 1.25 (A), 0.25 (C) and 0.5 (B) share the 1000 tokens, so she has
    # 625 + 125, not yet paid; each item says how many eligible votes earned it
    [reward] = await rewards_of(alice, alice)
    assert reward == {
        "community": {"name": name},
        "epoch": {"number": 1, "status": "CLOSED"},
        "amount": str(750 * TOKEN),
        "status": "PENDING",
        "txHash": None,
        "items": [
            {
                "votes": 3,
                "score": 3.0,
                "amount": str(625 * TOKEN),
                "post": {"title": "A", "isRemoved": False},
                "comment": None,
            },
            {
                "votes": 3,
                "score": 1.0,
                "amount": str(125 * TOKEN),
                "post": None,
                "comment": {"body": "C"},
            },
        ],
    }
    assert sum(int(i["amount"]) for i in reward["items"]) == int(reward["amount"])
    totals = await alice.data(TOTALS, {"address": alice.account.address, "community": name})
    assert totals["user"]["rewardTotals"] == {"earned": str(750 * TOKEN), "paid": "0"}
    # and the community's epochs: the next one open, the first closed with its one mint queued
    opened, closed = await epochs_of(anonymous, name)
    assert (opened["number"], opened["status"], opened["payouts"]) == (2, "OPEN", [])
    assert opened["startsAt"] == closed["endsAt"]
    assert {
        k: closed[k]
        for k in ("number", "emission", "distributed", "undistributed", "voided")
        + ("recipients", "status")
    } == {
        "number": 1,
        "emission": str(1000 * TOKEN),
        "distributed": str(1000 * TOKEN),
        "undistributed": "0",
        "voided": "0",
        "recipients": 2,
        "status": "CLOSED",
    }
    assert closed["payouts"] == [
        {
            "chainEpochId": "1000",
            "recipients": 2,
            "amount": str(1000 * TOKEN),
            "status": "PENDING",
            "txHash": None,
        }
    ]
    # and its lines carry the farming signals for its moderator, alice: every vote of a
    # bootstrap comes from voters with little standing, none from co-voters; bob sees nulls
    signals = await alice.data(LINES, {"name": name})
    assert [
        (line["amount"], line["lowStandingShare"], line["coVotingShare"])
        for line in signals["community"]["rewardEpochs"]["edges"][1]["node"]["lines"]
    ] == [(str(625 * TOKEN), 1.0, 0.0), (str(250 * TOKEN), 1.0, 0.0), (str(125 * TOKEN), 1.0, 0.0)]
    hidden = await bob.data(LINES, {"name": name})
    assert [
        (line["lowStandingShare"], line["coVotingShare"])
        for line in hidden["community"]["rewardEpochs"]["edges"][1]["node"]["lines"]
    ] == [(None, None)] * 3

    # when a moderator removes bob's rewarded post afterwards
    await alice.data(REMOVE_POST, {"id": post_b["id"]})
    # then his reward still lists it, as each viewer may see it: blanked for others, his to him
    [bobs] = await rewards_of(anonymous, bob)
    assert bobs["amount"] == str(250 * TOKEN)
    assert [i["post"] for i in bobs["items"]] == [{"title": "[removed]", "isRemoved": True}]
    [own] = await rewards_of(bob, bob)
    assert [i["post"] for i in own["items"]] == [{"title": "B", "isRemoved": True}]

    # when the operator's sender has broadcast the mint
    tx = bytes.fromhex("ab" * 32)
    intent = await db.fetchval(
        """UPDATE operator_transactions SET status = 'sent', tx_hash = $2, nonce = 0
            WHERE dedupe_key = $1 RETURNING id""",
        f"mint_epoch:{community_id}:1000",
        tx,
    )
    assert intent is not None
    # then it is on its way
    [reward] = await rewards_of(alice, alice)
    assert (reward["status"], reward["txHash"]) == ("SUBMITTED", "0x" + "ab" * 32)
    # (asked signed in: anonymous reads are shared answers, kept a moment, see graphql_view)
    assert (await epochs_of(dave, name))[1]["status"] == "PAYING"

    # when it is mined and the ledger books it (the ledger's settle step)
    await db.execute(
        "UPDATE operator_transactions SET status = 'mined', block_number = 7 WHERE id = $1", intent
    )
    assert await settlement.settle_payouts(db) >= 1

    # then the reward is paid, with its transaction, and the totals say so
    [reward] = await rewards_of(alice, alice, community=name)
    assert (reward["status"], reward["txHash"]) == ("PAID", "0x" + "ab" * 32)
    assert reward["epoch"] == {"number": 1, "status": "PAID"}
    totals = await dave.data(TOTALS, {"address": alice.account.address, "community": name})
    assert totals["user"]["rewardTotals"] == {"earned": str(750 * TOKEN), "paid": str(750 * TOKEN)}
    closed = (await epochs_of(dave, name))[1]
    assert closed["status"] == "PAID"
    assert [(p["status"], p["txHash"]) for p in closed["payouts"]] == [("PAID", "0x" + "ab" * 32)]


async def test_rewards_page_newest_first_and_unknown_communities_are_not_found(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    settings: Settings,
    anonymous: Client,
) -> None:
    # given a person with rewards in two communities' epochs
    author, voter = await people(live_server, http, 2)
    await db.execute(
        "UPDATE users SET created_at = now() - interval '2 days' WHERE address = ANY($1)",
        [c.account.address.lower() for c in (author, voter)],
    )
    names = []
    for _ in range(2):
        community = await create_community_without_sender(author, live_server.settings)
        names.append(community["name"])
        community_id = await db.fetchval(
            "SELECT id FROM communities WHERE name = $1", community["name"]
        )
        post = await create_post(author, community["name"])
        await vote(voter, post["id"], "UP")
        await close_epoch_now(db, settings, community_id)

    # when they are read a page of one at a time
    first = await anonymous.data(PAGE, {"address": author.account.address})
    page = first["user"]["rewards"]
    after = page["pageInfo"]["endCursor"]
    second = await anonymous.data(PAGE, {"address": author.account.address, "after": after})

    # then the later epoch comes first, then the earlier, and nothing after
    seen = [e["node"]["community"]["name"] for e in page["edges"]]
    seen += [e["node"]["community"]["name"] for e in second["user"]["rewards"]["edges"]]
    assert seen == names[::-1]
    assert page["pageInfo"]["hasNextPage"] is True
    assert second["user"]["rewards"]["pageInfo"]["hasNextPage"] is False
    # and the voter, who wrote nothing, has earned nothing
    assert await rewards_of(anonymous, voter) == []
    # and a community that does not exist is not found, not an empty answer
    body = await anonymous.execute(
        TOTALS, {"address": author.account.address, "community": "nosuchplace"}
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
