"""Blocks: a member hides a person (their posts and comments) or a community (from the front
page) from their own listings, cached or not; everyone else still sees them."""

from __future__ import annotations

from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

BLOCK_USER = "mutation($a: String!, $b: Boolean!) { blockUser(address: $a, blocked: $b) }"
BLOCK_COMMUNITY = "mutation($n: String!, $b: Boolean!) { blockCommunity(name: $n, blocked: $b) }"
BLOCKED = "{ viewer { blockedUsers { address } blockedCommunities { name } } }"
LISTING = """
query Listing($c: String) {
  posts(community: $c, sort: NEW, first: 50) { edges { node { id title viewerSaved } } }
}
"""
THREAD = """
query($id: ID!) { comments(postId: $id, sort: OLD) { id body isBlocked author { address } } }
"""


def titles(data: dict) -> list[str]:
    return [e["node"]["title"] for e in data["posts"]["edges"]]


async def test_a_blocked_persons_posts_are_gone_from_the_blockers_listings(
    alice: Client, bob: Client, carol: Client, anonymous: Client
) -> None:
    # given alice's and carol's posts, both listings already in the shared cache
    community = await create_community(carol)
    name = community["name"]
    await create_post(alice, name, title="by alice")
    await create_post(carol, name, title="by carol")
    assert titles(await anonymous.data(LISTING, {"c": name})) == ["by carol", "by alice"]
    front = titles(await anonymous.data(LISTING))
    assert "by alice" in front
    # when bob blocks alice
    assert alice.account
    assert (await bob.data(BLOCK_USER, {"a": alice.account.address, "b": True}))["blockUser"]
    # then her post is gone from his community page and his front page
    assert titles(await bob.data(LISTING, {"c": name})) == ["by carol"]
    front = titles(await bob.data(LISTING))
    assert "by alice" not in front
    assert "by carol" in front
    # and he sees whom he blocks
    assert (await bob.data(BLOCKED))["viewer"]["blockedUsers"] == [
        {"address": alice.account.address}
    ]
    # and everyone else still sees her post, from the same cache
    assert titles(await anonymous.data(LISTING, {"c": name})) == ["by carol", "by alice"]
    assert titles(await carol.data(LISTING, {"c": name})) == ["by carol", "by alice"]
    # and when he unblocks her, it is back
    await bob.data(BLOCK_USER, {"a": alice.account.address.lower(), "b": False})
    assert titles(await bob.data(LISTING, {"c": name})) == ["by carol", "by alice"]
    assert (await bob.data(BLOCKED))["viewer"]["blockedUsers"] == []


async def test_a_blocked_persons_comments_are_gone_and_one_with_replies_collapses(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given a thread: alice's comment with carol's reply, alice's lone comment, carol's comment
    community = await create_community(carol)
    post = await create_post(carol, community["name"])
    parent = await create_comment(alice, post["id"], "alice asks")
    reply = await create_comment(carol, post["id"], "carol answers", parent["id"])
    await create_comment(alice, post["id"], "alice again")
    last = await create_comment(carol, post["id"], "carol says")
    # when bob blocks alice
    assert alice.account
    await bob.data(BLOCK_USER, {"a": alice.account.address, "b": True})
    # then alice's lone comment is gone, the one with a reply is a blocked placeholder
    thread = (await bob.data(THREAD, {"id": post["id"]}))["comments"]
    assert [(c["id"], c["body"], c["isBlocked"]) for c in thread] == [
        (parent["id"], None, True),
        (reply["id"], "carol answers", False),
        (last["id"], "carol says", False),
    ]
    assert thread[0]["author"] is None
    # and carol still sees all four
    assert len((await carol.data(THREAD, {"id": post["id"]}))["comments"]) == 4


async def test_a_blocked_community_is_gone_from_the_front_page_only(
    alice: Client, bob: Client
) -> None:
    # given two communities with a post each
    loud = await create_community(alice)
    quiet = await create_community(alice)
    await create_post(alice, loud["name"], title="loud post")
    await create_post(alice, quiet["name"], title="quiet post")
    # when bob blocks the loud one
    await bob.data(BLOCK_COMMUNITY, {"n": loud["name"], "b": True})
    # then its post is gone from his front page, the other stays
    front = titles(await bob.data(LISTING))
    assert "loud post" not in front
    assert "quiet post" in front
    # and its own page still shows it, should he go there
    assert titles(await bob.data(LISTING, {"c": loud["name"]})) == ["loud post"]
    assert (await bob.data(BLOCKED))["viewer"]["blockedCommunities"] == [{"name": loud["name"]}]
    # and unblocking brings it back
    await bob.data(BLOCK_COMMUNITY, {"n": loud["name"], "b": False})
    assert "loud post" in titles(await bob.data(LISTING))


async def test_nobody_blocks_themselves_or_someone_unknown(
    alice: Client, anonymous: Client
) -> None:
    assert alice.account
    error = await alice.error(BLOCK_USER, {"a": alice.account.address, "b": True})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "address"}
    assert "yourself" in error["message"]
    error = await alice.error(BLOCK_USER, {"a": "0x" + "12" * 20, "b": True})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await alice.error(BLOCK_USER, {"a": "not an address", "b": True})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "address"}
    error = await alice.error(BLOCK_COMMUNITY, {"n": "no_such_place", "b": True})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await anonymous.error(BLOCK_COMMUNITY, {"n": "no_such_place", "b": True})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_blockers_listing_costs_the_same_round_trips_however_many_posts_it_holds(
    alice: Client, bob: Client, carol: Client, live_server
) -> None:
    # given bob, who blocks carol, and a community with two posts of alice's and one of carol's
    assert carol.account
    await bob.data(BLOCK_USER, {"a": carol.account.address, "b": True})
    community = await create_community(alice)
    name = community["name"]
    await create_post(carol, name, title="by carol")
    for n in range(2):
        await create_post(alice, name, title=f"few {n}")
    counter = live_server.resources.query_counter
    await bob.data(LISTING, {"c": name})  # the community's id, remembered for good

    async def round_trips() -> int:
        resources = live_server.resources
        resources.cache.sessions.clear()
        resources.cache.clear()  # the shared answer computed again, as after any new post
        before = counter.count
        seen = titles(await bob.data(LISTING, {"c": name}))
        assert seen and "by carol" not in seen
        return counter.count - before

    few = await round_trips()
    # when the community holds eight more posts
    for n in range(8):
        await create_post(alice, name, title=f"many {n}")
    # then his listing asks the database as often as before, never once per post: his session;
    # the shared answer (its page) and his state on it, which says whom he blocks; then his own
    # answer: the shared page (cached) and his state on it, which holds carol's post, so the
    # page again without her and his state on that
    assert await round_trips() == few == 6
