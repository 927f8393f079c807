"""Tips through the forum: a member pays an author on-chain, the mirror records it, the API shows
it on the item and on both people's profiles. Tips are not votes: the item's score keeps still.

All real: anvil with the deployed contracts, the API over HTTP, the indexer run to the head here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from web3 import Web3

from governance.deploy import Deployment, deployed_contract
from governance.operator import POINT
from governance.tips import item_ref, sign_permit, sign_tip
from tests.api import test_governance_actions as actions
from tests.api.test_governance_actions import account, on_chain_community
from tests.governance.driver import Governance
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

pytestmark = pytest.mark.chain

chain_rpc_url = actions.chain_rpc_url
operator_key = actions.operator_key
deployment_file = actions.deployment_file
deployment = actions.deployment
w3 = actions.w3
gov = actions.gov
server = actions.server
member = actions.member
index = actions.index

POST_TIPS = """
query Post($id: ID!) {
  post(id: $id) {
    score
    tips { count total viewerTotal }
    tippers(first: 10) { edges { node { tipper { address } recipient { address } amount
                                        community itemRef } } }
  }
}
"""

COMMENT_TIPS = """
query Comments($postId: ID!) { comments(postId: $postId) { id tips { count total viewerTotal } } }
"""

PROFILE_TIPS = """
query Profile($address: String!, $community: String) {
  user(address: $address) {
    tipsReceived(community: $community, first: 10) { edges { node { amount tipper { address } } } }
    tipsSent(first: 10) { edges { node { amount recipient { address } } } }
  }
}
"""


def tip_with_permit(
    gov: Governance,
    deployment: Deployment,
    token: Any,
    tipper: Any,
    to: str,
    points: int,
    ref: bytes,
) -> None:
    """What the forum's wallet does: one permit signature, one transaction."""
    tips = deployed_contract(gov.w3, deployment, "tips")
    deadline = int(gov.w3.eth.get_block("latest")["timestamp"]) + 3600
    permit = sign_permit(token, tipper.key.to_0x_hex(), tips.address, points * POINT, deadline)
    gov.send(
        tipper,
        tips.functions.tipWithPermit(token.address, to, points * POINT, ref, *permit.args()),
    )


async def test_a_wallet_tip_is_shown_on_the_item_and_both_profiles_and_moves_the_points(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    member: Any,
    index: Any,
    server: Any,
    http: Any,
) -> None:
    # given alice's post and comment in a community on-chain, and bob holding 10 points
    alice, bob = await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    post = await create_post(alice, community.name)
    comment = await create_comment(alice, post["id"])
    gov.pay(community, {account(bob): 10})
    author = account(alice).address

    # when bob tips the post 3 points and the comment 1, from his wallet
    tip_with_permit(gov, deployment, community.token, account(bob), author, 3, item_ref(post["id"]))
    tip_with_permit(
        gov, deployment, community.token, account(bob), author, 1, item_ref(comment["id"])
    )
    await index()

    # then the items show them, bob's own part too
    shown = (await bob.data(POST_TIPS, {"id": post["id"]}))["post"]
    assert shown["tips"] == {"count": 1, "total": str(3 * POINT), "viewerTotal": str(3 * POINT)}
    assert shown["score"] == 0  # tips are not votes
    (tip,) = [edge["node"] for edge in shown["tippers"]["edges"]]
    assert tip == {
        "tipper": {"address": account(bob).address},
        "recipient": {"address": author},
        "amount": str(3 * POINT),
        "community": community.name,
        "itemRef": "0x" + item_ref(post["id"]).hex(),
    }
    (shown_comment,) = (await alice.data(COMMENT_TIPS, {"postId": post["id"]}))["comments"]
    assert shown_comment["tips"] == {"count": 1, "total": str(POINT), "viewerTotal": "0"}

    # and the community's listing, the one shared answer, shows each reader their own part
    page = {"c": community.name, "first": 5}
    readers = {"nobody": Client(server.graphql_url, http), "bob": bob, "alice": alice}
    listed = {
        who: (await reader.data(PAGE_WITH_TIPS, page))["posts"]["edges"][0]["node"]["tips"]
        for who, reader in readers.items()
    }
    assert listed == {
        "nobody": {"count": 1, "total": str(3 * POINT), "viewerTotal": None},
        "bob": {"count": 1, "total": str(3 * POINT), "viewerTotal": str(3 * POINT)},
        "alice": {"count": 1, "total": str(3 * POINT), "viewerTotal": "0"},
    }

    # and the profiles
    profile = (await alice.data(PROFILE_TIPS, {"address": author, "community": community.name}))[
        "user"
    ]
    assert [e["node"]["amount"] for e in profile["tipsReceived"]["edges"]] == [
        str(POINT),
        str(3 * POINT),
    ]
    sent = (await alice.data(PROFILE_TIPS, {"address": account(bob).address}))["user"]
    assert {e["node"]["recipient"]["address"] for e in sent["tipsSent"]["edges"]} == {author}

    # and the points moved
    balance = community.token.functions.balanceOf
    assert (balance(account(bob).address).call(), balance(author).call()) == (6 * POINT, 4 * POINT)


async def test_a_tip_naming_an_item_but_paying_someone_else_is_not_the_items(
    gov: Governance, w3: Web3, deployment: Deployment, member: Any, index: Any
) -> None:
    # given
    alice, bob, carol = await member(w3), await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    post = await create_post(alice, community.name)
    gov.pay(community, {account(bob): 10})

    # when bob pays carol with a reference to alice's post
    tip_with_permit(
        gov,
        deployment,
        community.token,
        account(bob),
        account(carol).address,
        2,
        item_ref(post["id"]),
    )
    await index()

    # then
    shown = (await carol.data(POST_TIPS, {"id": post["id"]}))["post"]
    assert shown["tips"] == {"count": 0, "total": "0", "viewerTotal": "0"}
    assert shown["tippers"]["edges"] == []


sender = actions.sender

RELAY_TIP = """
mutation Relay($community: String!, $itemId: ID!, $amount: BigInt!, $tipper: String!,
               $deadline: BigInt!, $permit: String!, $signature: String!) {
  relayTip(community: $community, itemId: $itemId, amount: $amount, tipper: $tipper,
           deadline: $deadline, permit: $permit, signature: $signature) {
    tipper recipient amount status txHash error
  }
}
"""


def gasless_tip(
    gov: Governance,
    deployment: Deployment,
    on_chain: Any,
    tipper: Any,
    to: str,
    points: int,
    item_id: str,
    **changes: Any,
) -> dict[str, Any]:
    """The variables of relayTip as the forum's page builds them: two signatures, no gas."""
    tips = deployed_contract(gov.w3, deployment, "tips")
    deadline = int(gov.w3.eth.get_block("latest")["timestamp"]) + 3600
    signed = sign_tip(
        tips,
        on_chain.token,
        tipper.key.to_0x_hex(),
        to,
        points * POINT,
        item_ref(item_id),
        deadline,
    )
    permit = signed.permit
    return {
        "community": on_chain.name,
        "itemId": item_id,
        "amount": str(points * POINT),
        "tipper": tipper.address,
        "deadline": str(deadline),
        "permit": "0x" + (permit.r + permit.s + bytes([permit.v])).hex(),
        "signature": "0x" + signed.signature.hex(),
        **changes,
    }


async def test_a_gasless_tip_is_relayed_mirrored_and_shown(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    member: Any,
    index: Any,
    sender: Any,
) -> None:
    # given alice's post, and bob holding 10 points and no ether
    alice, bob = await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    post = await create_post(alice, community.name)
    gov.pay(community, {account(bob): 10})
    await index()
    author = account(alice).address

    # when bob signs a tip of 4 points and the operator relays it
    variables = gasless_tip(gov, deployment, community, account(bob), author, 4, post["id"])
    relayed = (await bob.data(RELAY_TIP, variables))["relayTip"]

    # then
    assert relayed["status"] in ("SENT", "MINED"), relayed
    assert (relayed["tipper"], relayed["recipient"]) == (account(bob).address, author)
    balance = community.token.functions.balanceOf
    for _ in range(300):
        if balance(author).call() == 4 * POINT:
            break
        await asyncio.sleep(0.1)
    assert balance(account(bob).address).call() == 6 * POINT
    await index()
    shown = (await alice.data(POST_TIPS, {"id": post["id"]}))["post"]
    assert shown["tips"]["total"] == str(4 * POINT)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("to oneself", "SELF_TIP"),
        ("more points than held", "NO_POINTS"),
        ("signed for another amount", "BAD_SIGNATURE"),
        ("expired", "BAD_SIGNATURE"),
        ("not the item's community", "NOT_FOUND"),
    ],
)
async def test_a_refused_relay_sends_nothing(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    member: Any,
    index: Any,
    fresh_database_url: str,
    case: str,
    code: str,
) -> None:
    # given
    alice, bob = await member(w3), await member(w3)
    community = await on_chain_community(gov, alice)
    post = await create_post(alice, community.name)
    gov.pay(community, {account(bob): 10, account(alice): 10})
    await index()
    author = account(alice).address
    operator_before = actions.operator_funds(w3, deployment)
    tipper, to, points, changes = {
        "to oneself": (account(alice), author, 1, {}),
        "more points than held": (account(bob), author, 11, {}),
        "signed for another amount": (account(bob), author, 1, {"amount": str(2 * POINT)}),
        "expired": (account(bob), author, 1, {"deadline": "1000"}),
        "not the item's community": (account(bob), author, 1, {"community": "elsewhere"}),
    }[case]
    client = alice if tipper is account(alice) else bob

    # when
    body = await client.execute(
        RELAY_TIP,
        gasless_tip(gov, deployment, community, tipper, to, points, post["id"], **changes),
    )
    errors = body.get("errors") or []

    # then
    assert [error["extensions"]["code"] for error in errors] == [code]
    conn = await asyncpg.connect(fresh_database_url)
    try:
        queued = await conn.fetchval(
            "SELECT count(*) FROM operator_transactions WHERE kind = 'tip_by_sig'"
        )
    finally:
        await conn.close()
    assert queued == 0
    assert actions.operator_funds(w3, deployment) == operator_before


PAGE_WITH_TIPS = """
query Page($c: String, $first: Int!) {
  posts(community: $c, sort: NEW, first: $first) {
    edges { node { id viewerVote tips { count total viewerTotal } } }
  }
}
"""


async def test_a_pages_tips_cost_one_sql_round_trip_whatever_its_size(
    alice: Client, live_server: Any
) -> None:
    # given a community with 25 posts
    community = await create_community(alice)
    for _ in range(25):
        await create_post(alice, community["name"])
    counter = live_server.resources.query_counter

    async def cost(first: int) -> int:
        live_server.resources.cache.sessions.clear()
        before = counter.count
        data = await alice.data(PAGE_WITH_TIPS, {"c": community["name"], "first": first})
        assert len(data["posts"]["edges"]) == first
        return counter.count - before

    for _ in range(live_server.settings.db_pool_size):
        await cost(1)
    # when / then: session + listing + the viewer's votes and standing + the tips
    assert await cost(25) == await cost(2) == 4
