"""The SUBSCRIBED feed: the front page of the communities the viewer joined."""

from __future__ import annotations

from tests.support.factories import create_community, create_post
from tests.support.graphql import Client

FEED = """
query Feed($feed: Feed!, $sort: PostSort! = NEW, $first: Int! = 25, $after: String) {
  posts(feed: $feed, sort: $sort, first: $first, after: $after) {
    edges { node { id community { name } viewerVote } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# What the web forum sends: the feed written in the document (see api.server.viewer_overlay).
SUBSCRIBED = """
query { posts(feed: SUBSCRIBED, sort: NEW, first: 25) { edges { node { id } } } }
"""
JOIN = "mutation($c: String!) { joinCommunity(name: $c) { viewerIsMember } }"
LEAVE = "mutation($c: String!) { leaveCommunity(name: $c) { viewerIsMember } }"


async def ids(client: Client, feed: str, **more) -> list[str]:
    data = await client.data(FEED, {"feed": feed, **more})
    return [edge["node"]["id"] for edge in data["posts"]["edges"]]


async def test_subscribed_lists_only_the_joined_communities(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given two communities by alice, and bob joins only the first
    joined, other = await create_community(alice), await create_community(alice)
    await bob.data(JOIN, {"c": joined["name"]})
    in_joined = await create_post(alice, joined["name"])
    in_other = await create_post(alice, other["name"])
    # then bob's SUBSCRIBED feed holds the first's post only; ALL holds both
    subscribed = await ids(bob, "SUBSCRIBED")
    assert in_joined["id"] in subscribed
    assert in_other["id"] not in subscribed
    assert {in_joined["id"], in_other["id"]} <= set(await ids(bob, "ALL"))
    # and carol, who joined nothing, has an empty feed
    assert await ids(carol, "SUBSCRIBED") == []
    # once bob leaves, the post is gone from his feed at once
    await bob.data(LEAVE, {"c": joined["name"]})
    assert in_joined["id"] not in await ids(bob, "SUBSCRIBED")


async def test_each_reader_gets_their_own_feed_from_the_same_document(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given bob and carol joined different communities, asking the very same document
    a, b = await create_community(alice), await create_community(alice)
    await bob.data(JOIN, {"c": a["name"]})
    await carol.data(JOIN, {"c": b["name"]})
    post_a = await create_post(alice, a["name"])
    post_b = await create_post(alice, b["name"])
    for _ in range(2):  # twice: the second would come from a shared answer if one were kept
        seen_by_bob = [e["node"]["id"] for e in (await bob.data(SUBSCRIBED))["posts"]["edges"]]
        seen_by_carol = [e["node"]["id"] for e in (await carol.data(SUBSCRIBED))["posts"]["edges"]]
        assert post_a["id"] in seen_by_bob and post_b["id"] not in seen_by_bob
        assert post_b["id"] in seen_by_carol and post_a["id"] not in seen_by_carol


async def test_subscribed_is_for_signed_in_members_only(anonymous: Client) -> None:
    error = await anonymous.error(FEED, {"feed": "SUBSCRIBED"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await anonymous.data(FEED, {"feed": "ALL", "first": 1}))["posts"] is not None


async def test_subscribed_pages_in_every_sort(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    await bob.data(JOIN, {"c": community["name"]})
    posted = {(await create_post(alice, community["name"]))["id"] for _ in range(5)}
    for sort in ["HOT", "NEW", "TOP_DAY", "CONTROVERSIAL", "ACTIVE", "MOST_COMMENTS"]:
        seen: list[str] = []
        after = None
        while True:
            page = (
                await bob.data(
                    FEED, {"feed": "SUBSCRIBED", "sort": sort, "first": 2, "after": after}
                )
            )["posts"]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)), sort
        assert posted <= set(seen), sort


async def test_a_community_page_is_that_community_whatever_the_feed(
    alice: Client, bob: Client
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    query = """
    query($c: String!) { posts(feed: SUBSCRIBED, community: $c) { edges { node { id } } } }
    """
    data = await bob.data(query, {"c": community["name"]})
    assert [e["node"]["id"] for e in data["posts"]["edges"]] == [post["id"]]
