"""Mutation.deleteAccount: the content shows as deleted, the profile is emptied, every session
ends, and the address can sign in again as a new account; the books stay."""

from __future__ import annotations

import asyncpg
import httpx

from ledger.check import check as ledger_check
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer

DELETE_ACCOUNT = "mutation($confirm: String!) { deleteAccount(confirm: $confirm) }"
JOIN = "mutation($name: String!) { joinCommunity(name: $name) { memberCount } }"
UPDATE = "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }"
POST = """
query($id: ID!) {
  post(id: $id) { title isDeleted author { address } }
  comments(postId: $id) { isDeleted author { address } }
}
"""
COMMUNITY = "query($name: String!) { community(name: $name) { memberCount } }"
USER = """
query($a: String!) {
  user(address: $a) { id displayName bio posts(first: 5) { edges { node { title } } } }
}
"""
VIEWER = "{ viewer { user { id address displayName } } }"
SAVE = "mutation($id: ID!) { save(targetId: $id, saved: true) }"
BLOCK_USER = "mutation($address: String!) { blockUser(address: $address, blocked: true) }"
PRIVATE_LISTS = """
{ viewer { saved(first: 5) { edges { node { __typename } } } blockedUsers { address } } }
"""


async def test_a_deleted_account_leaves_deleted_content_and_no_way_in(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client, bob: Client
) -> None:
    # given alice, signed in twice, who wrote in bob's community and named herself
    community = await create_community(bob)
    joined = await alice.data(JOIN, {"name": community["name"]})
    assert joined["joinCommunity"]["memberCount"] == 2
    await alice.data(UPDATE, {"i": {"displayName": "Alice", "bio": "I garden."}})
    post = await create_post(alice, community["name"], title="Tomatoes")
    await create_comment(alice, post["id"], "Water daily.")
    second_device = await sign_in(Client(live_server.graphql_url, http), alice.account)
    assert alice.account is not None
    address = alice.account.address
    # when she confirms with her address in another letter case
    deleted = await alice.data(DELETE_ACCOUNT, {"confirm": address.lower()})
    # then
    assert deleted == {"deleteAccount": True}
    shown = await bob.data(POST, {"id": post["id"]})
    assert shown["post"]["isDeleted"] is True and shown["post"]["author"] is None
    assert shown["comments"] == [{"isDeleted": True, "author": None}]
    assert (await bob.data(COMMUNITY, {"name": community["name"]}))["community"] == {
        "memberCount": 1
    }
    assert (await bob.data(USER, {"a": address})) == {"user": None}
    for session in (alice, second_device):
        assert (await session.data(VIEWER)) == {"viewer": None}
        error = await session.error(UPDATE, {"i": {"bio": "still here?"}})
        assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_address_signs_in_again_as_a_new_account(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client, db: asyncpg.Connection
) -> None:
    # given
    assert alice.account is not None
    old_id = alice.user_id
    await alice.data(UPDATE, {"i": {"displayName": "Alice"}})
    await alice.data(DELETE_ACCOUNT, {"confirm": alice.account.address.upper()})
    # when
    again = await sign_in(Client(live_server.graphql_url, http), alice.account)
    # then
    viewer = (await again.data(VIEWER))["viewer"]["user"]
    assert viewer["id"] != old_id
    assert viewer["address"] == alice.account.address
    assert viewer["displayName"] is None
    profile = (await again.data(USER, {"a": alice.account.address}))["user"]
    assert profile["id"] == viewer["id"] and profile["posts"]["edges"] == []
    # and the books still balance
    assert await ledger_check(db, None) == []


async def test_deleting_needs_the_accounts_own_address(alice: Client, bob: Client) -> None:
    assert bob.account is not None
    error = await alice.error(DELETE_ACCOUNT, {"confirm": bob.account.address})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "confirm"}
    assert (await alice.data(VIEWER))["viewer"] is not None


async def test_anonymous_readers_cannot_delete_anything(anonymous: Client) -> None:
    error = await anonymous.error(DELETE_ACCOUNT, {"confirm": "0x" + "ab" * 20})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


BAN = "mutation($input: BanUserInput!) { banUser(input: $input) { reason } }"
VIEWER_IS_BANNED = "query($c: String!) { community(name: $c) { viewerIsBanned } }"


async def test_a_ban_outlives_the_deleted_account(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client, bob: Client
) -> None:
    # given alice banned from bob's community
    assert alice.account is not None
    community = await create_community(bob)
    ban = {"community": community["name"], "address": alice.account.address, "reason": "spam"}
    await bob.data(BAN, {"input": ban})
    # when she deletes her account and signs in again
    await alice.data(DELETE_ACCOUNT, {"confirm": alice.account.address})
    again = await sign_in(Client(live_server.graphql_url, http), alice.account)
    # then the new account is banned there too
    shown = await again.data(VIEWER_IS_BANNED, {"c": community["name"]})
    assert shown == {"community": {"viewerIsBanned": True}}


async def test_a_deleted_account_takes_its_saves_and_blocks_with_it(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    alice: Client,
    bob: Client,
    db: asyncpg.Connection,
) -> None:
    # given alice, who saved bob's post and blocked bob
    assert alice.account is not None and bob.account is not None
    community = await create_community(bob)
    post = await create_post(bob, community["name"], title="Kept by alice")
    await alice.data(SAVE, {"id": post["id"]})
    await alice.data(BLOCK_USER, {"address": bob.account.address})
    old_id = int(
        await db.fetchval("SELECT id FROM users WHERE address = $1", alice.account.address.lower())
        or 0
    )
    # when she deletes her account and signs in again
    await alice.data(DELETE_ACCOUNT, {"confirm": alice.account.address})
    again = await sign_in(Client(live_server.graphql_url, http), alice.account)
    # then the new account starts with neither, and no row of the old one's is left
    lists = (await again.data(PRIVATE_LISTS))["viewer"]
    assert lists == {"saved": {"edges": []}, "blockedUsers": []}
    left = await db.fetchval(
        "SELECT (SELECT count(*) FROM saved_items WHERE user_id = $1)"
        " + (SELECT count(*) FROM user_blocks WHERE blocker_id = $1)",
        old_id,
    )
    assert old_id and left == 0
