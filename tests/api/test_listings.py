"""Listings: the sorts, keyset pagination, and a page's fixed cost in SQL round trips."""

from __future__ import annotations

import asyncio

from api.core import ids
from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client, sign_in

POSTS = """
query Posts($c: String, $sort: PostSort!, $first: Int!, $after: String) {
  posts(community: $c, sort: $sort, first: $first, after: $after) {
    edges { cursor node { id title score } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PAGE_WITH_AUTHORS = """
query Page($c: String, $first: Int!) {
  posts(community: $c, sort: NEW, first: $first) {
    edges { node { id title author { address karma } community { name title } viewerVote } }
  }
}
"""


async def titles(client: Client, community: str, sort: str) -> list[str]:
    data = await client.data(POSTS, {"c": community, "sort": sort, "first": 25})
    return [edge["node"]["title"] for edge in data["posts"]["edges"]]


async def test_each_sort_orders_posts_as_documented(
    alice: Client, bob: Client, live_server, http
) -> None:
    # given three posts: "loved" has 3 up, "split" 3 up 1 down, "fresh" is newest with none
    community = await create_community(alice)
    name = community["name"]
    loved = await create_post(alice, name, title="loved")
    split = await create_post(alice, name, title="split")
    voters = [bob] + list(
        await asyncio.gather(*[sign_in(Client(live_server.graphql_url, http)) for _ in range(3)])
    )
    for voter in voters[:3]:
        await vote(voter, loved["id"], "UP")
    for voter, direction in zip(voters, ["UP", "UP", "UP", "DOWN"], strict=True):
        await vote(voter, split["id"], direction)
    fresh = await create_post(alice, name, title="fresh")
    await create_comment(bob, loved["id"], "bumps the activity of loved")
    # then
    assert await titles(alice, name, "NEW") == ["fresh", "split", "loved"]
    assert await titles(alice, name, "TOP_ALL") == ["loved", "split", "fresh"]
    assert await titles(alice, name, "TOP_DAY") == ["loved", "split", "fresh"]
    assert (await titles(alice, name, "CONTROVERSIAL"))[0] == "split"
    # hot: 3 votes are worth about half a day of recency, so loved leads posts of the same hour
    assert (await titles(alice, name, "HOT"))[0] == "loved"
    assert (await titles(alice, name, "ACTIVE"))[0] == "loved"
    assert fresh["score"] == 0


async def test_the_front_page_lists_every_community(alice: Client, anonymous: Client) -> None:
    a = await create_community(alice)
    b = await create_community(alice)
    post_a = await create_post(alice, a["name"], title="in a")
    post_b = await create_post(alice, b["name"], title="in b")
    data = await anonymous.data(POSTS, {"c": None, "sort": "NEW", "first": 2})
    assert [e["node"]["id"] for e in data["posts"]["edges"]] == [post_b["id"], post_a["id"]]


async def test_a_new_post_shows_at_once_despite_the_shared_cache(
    alice: Client, anonymous: Client
) -> None:
    community = await create_community(alice)
    await create_post(alice, community["name"], title="one")
    assert await titles(anonymous, community["name"], "NEW") == ["one"]
    await create_post(alice, community["name"], title="two")
    assert await titles(anonymous, community["name"], "NEW") == ["two", "one"]


async def test_paging_while_posts_arrive_never_skips_or_repeats(alice: Client, bob: Client) -> None:
    # given 12 posts
    community = await create_community(alice)
    name = community["name"]
    original = [(await create_post(alice, name, title=f"p{i}"))["id"] for i in range(12)]
    for sort in ["NEW", "HOT", "TOP_ALL"]:
        seen: list[str] = []
        after = None
        # when paging 3 at a time while someone keeps posting
        while True:
            page = (await alice.data(POSTS, {"c": name, "sort": sort, "first": 3, "after": after}))[
                "posts"
            ]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            await create_post(bob, name, title=f"interloper {len(seen)}")
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        # then every original post was seen exactly once
        assert len(seen) == len(set(seen)), sort
        assert set(original) <= set(seen), sort


async def test_a_page_costs_the_same_sql_round_trips_whatever_its_size(
    alice: Client, live_server, http
) -> None:
    # given a community with 25 posts by 25 different people
    community = await create_community(alice)
    authors = await asyncio.gather(
        *[sign_in(Client(live_server.graphql_url, http)) for _ in range(25)]
    )
    for author in authors:
        await create_post(author, community["name"])
    counter = live_server.resources.query_counter

    async def cost(first: int) -> int:
        live_server.resources.cache.sessions.clear()  # her session looked up, as once a moment
        before = counter.count
        data = await alice.data(PAGE_WITH_AUTHORS, {"c": community["name"], "first": first})
        assert len(data["posts"]["edges"]) == first
        return counter.count - before

    # (each pooled connection looks up column types once, the first time it meets them)
    for _ in range(live_server.settings.db_pool_size):
        await cost(1)
    # when / then: session + listing + the viewer's votes and standing, for 25 posts as for 2
    # (the community's id is remembered from the first request)
    assert await cost(25) == await cost(2) == 3


async def test_page_sizes_are_bounded(alice: Client) -> None:
    error = await alice.error(POSTS, {"c": None, "sort": "HOT", "first": 500})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    error = await alice.error(POSTS, {"c": None, "sort": "HOT", "first": 5, "after": "garbage"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_a_new_comment_shows_at_once_to_anonymous_readers(
    alice: Client, anonymous: Client
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    query = "query($p: ID!) { comments(postId: $p) { body } }"
    assert (await anonymous.data(query, {"p": post["id"]}))["comments"] == []
    await create_comment(alice, post["id"], "news")
    assert (await anonymous.data(query, {"p": post["id"]}))["comments"] == [{"body": "news"}]


async def test_top_of_the_hour_six_hours_month_and_year_keep_their_windows(
    alice: Client, db
) -> None:
    # given posts written 800 days, 200 days, 10 days and 3 hours ago, and now
    community = await create_community(alice)
    name = community["name"]
    ages = {"800d": "800 days", "200d": "200 days", "10d": "10 days", "3h": "3 hours", "now": None}
    for title, age in ages.items():
        post = await create_post(alice, name, title=title)
        if age is not None:  # (the past cannot be written through the API)
            await db.execute(
                "UPDATE posts SET created_at = now() - $2::text::interval WHERE id = $1",
                ids.decode_one(post["id"], "Post"),
                age,
            )
    # then each window holds the posts of its span, newest first among equal scores
    assert await titles(alice, name, "TOP_HOUR") == ["now"]
    assert await titles(alice, name, "TOP_SIX_HOURS") == ["now", "3h"]
    assert await titles(alice, name, "TOP_MONTH") == ["now", "3h", "10d"]
    assert await titles(alice, name, "TOP_YEAR") == ["now", "3h", "10d", "200d"]
    assert await titles(alice, name, "TOP_ALL") == ["now", "3h", "10d", "200d", "800d"]


async def test_most_comments_and_new_comments(alice: Client, bob: Client) -> None:
    # given "talked" with 2 comments, then "quiet" with none, then "old" commented last
    community = await create_community(alice)
    name = community["name"]
    old = await create_post(alice, name, title="old")
    talked = await create_post(alice, name, title="talked")
    await create_post(alice, name, title="quiet")
    for _ in range(2):
        await create_comment(bob, talked["id"], "one more")
    await create_comment(bob, old["id"], "the newest comment")
    # then
    assert await titles(alice, name, "MOST_COMMENTS") == ["talked", "old", "quiet"]
    assert await titles(alice, name, "NEW_COMMENTS") == ["old", "talked", "quiet"]
    # and both page by their own keys
    first = (await alice.data(POSTS, {"c": name, "sort": "MOST_COMMENTS", "first": 2}))["posts"]
    after = first["pageInfo"]["endCursor"]
    rest = await alice.data(POSTS, {"c": name, "sort": "MOST_COMMENTS", "first": 2, "after": after})
    assert [e["node"]["title"] for e in rest["posts"]["edges"]] == ["quiet"]
