"""Saved: a member saves posts and comments, finds them again newest save first, and sees which
they saved wherever the post or comment appears (shared cached listings too)."""

from __future__ import annotations

from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

SAVE = "mutation($id: ID!, $saved: Boolean!) { save(targetId: $id, saved: $saved) }"
SAVED = """
query($first: Int!, $after: String) {
  viewer {
    saved(first: $first, after: $after) {
      edges { node { __typename ... on Post { id title viewerSaved }
                                 ... on Comment { id body viewerSaved } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
POST = "query($id: ID!) { post(id: $id) { id viewerSaved } }"
THREAD = "query($id: ID!) { comments(postId: $id) { id body viewerSaved } }"
LISTING = """
query Listing($c: String) {
  posts(community: $c, sort: NEW, first: 10) { edges { node { id title viewerSaved viewerVote } } }
}
"""
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) { isDeleted } }"


def saved_of(data: dict) -> list[tuple[str, str]]:
    return [(e["node"]["__typename"], e["node"]["id"]) for e in data["viewer"]["saved"]["edges"]]


async def test_a_member_saves_posts_and_comments_and_finds_them_newest_first(
    alice: Client, bob: Client
) -> None:
    # given a post with a comment
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="Worth keeping")
    comment = await create_comment(alice, post["id"], "A fine comment")
    # when bob saves the post, then the comment
    assert (await bob.data(SAVE, {"id": post["id"], "saved": True}))["save"] is True
    assert (await bob.data(SAVE, {"id": comment["id"], "saved": True}))["save"] is True
    # then his saved list holds both, the newest save first, one page at a time
    first = (await bob.data(SAVED, {"first": 1}))["viewer"]["saved"]
    assert [e["node"]["id"] for e in first["edges"]] == [comment["id"]]
    assert first["edges"][0]["node"]["viewerSaved"] is True
    assert first["pageInfo"]["hasNextPage"] is True
    second = await bob.data(SAVED, {"first": 1, "after": first["pageInfo"]["endCursor"]})
    assert saved_of(second) == [("Post", post["id"])]
    assert second["viewer"]["saved"]["pageInfo"]["hasNextPage"] is False
    # and the post and the comment say he saved them, to him only
    assert (await bob.data(POST, {"id": post["id"]}))["post"]["viewerSaved"] is True
    assert (await alice.data(POST, {"id": post["id"]}))["post"]["viewerSaved"] is False
    thread = (await bob.data(THREAD, {"id": post["id"]}))["comments"]
    assert [(c["id"], c["viewerSaved"]) for c in thread] == [(comment["id"], True)]
    # and alice saved nothing
    assert saved_of(await alice.data(SAVED, {"first": 10})) == []


async def test_saving_twice_keeps_one_save_and_unsaving_removes_it(
    alice: Client, bob: Client
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    await bob.data(SAVE, {"id": post["id"], "saved": True})
    await bob.data(SAVE, {"id": post["id"], "saved": True})
    assert saved_of(await bob.data(SAVED, {"first": 10})) == [("Post", post["id"])]
    # when he unsaves it (twice: harmless)
    await bob.data(SAVE, {"id": post["id"], "saved": False})
    await bob.data(SAVE, {"id": post["id"], "saved": False})
    # then it is gone from his list and no longer marked
    assert saved_of(await bob.data(SAVED, {"first": 10})) == []
    assert (await bob.data(POST, {"id": post["id"]}))["post"]["viewerSaved"] is False


async def test_saving_needs_a_signed_in_member_and_content_that_exists(
    alice: Client, anonymous: Client
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    error = await anonymous.error(SAVE, {"id": post["id"], "saved": True})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await alice.error(SAVE, {"id": community["id"], "saved": True})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "targetId"}
    await alice.data(DELETE_POST, {"id": post["id"]})
    error = await alice.error(SAVE, {"id": post["id"], "saved": True})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_a_saved_post_deleted_since_shows_as_deleted(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="Soon gone")
    await bob.data(SAVE, {"id": post["id"], "saved": True})
    await alice.data(DELETE_POST, {"id": post["id"]})
    [edge] = (await bob.data(SAVED, {"first": 10}))["viewer"]["saved"]["edges"]
    assert edge["node"]["id"] == post["id"]
    assert edge["node"]["title"] == "[deleted]"


async def test_the_shared_cached_listing_shows_each_reader_what_they_saved(
    alice: Client, bob: Client, anonymous: Client, live_server
) -> None:
    # given a listing of two posts, cached by an anonymous reader, and bob's save of one
    community = await create_community(alice)
    name = community["name"]
    kept = await create_post(alice, name, title="kept")
    other = await create_post(alice, name, title="other")
    await bob.data(SAVE, {"id": kept["id"], "saved": True})
    await anonymous.data(LISTING, {"c": name})
    counter = live_server.resources.query_counter
    live_server.resources.cache.sessions.clear()
    before = counter.count
    # when bob reads it
    seen = (await bob.data(LISTING, {"c": name}))["posts"]["edges"]
    # then it was the shared answer with his state laid over it: his session, his state
    assert counter.count - before == 2
    assert [(e["node"]["id"], e["node"]["viewerSaved"]) for e in seen] == [
        (other["id"], False),
        (kept["id"], True),
    ]
    # and alice, who saved nothing, sees nothing saved in the same cached answer
    mine = (await alice.data(LISTING, {"c": name}))["posts"]["edges"]
    assert [e["node"]["viewerSaved"] for e in mine] == [False, False]
    # and an unsave shows at once, though the listing is still cached
    await bob.data(SAVE, {"id": kept["id"], "saved": False})
    seen = (await bob.data(LISTING, {"c": name}))["posts"]["edges"]
    assert [e["node"]["viewerSaved"] for e in seen] == [False, False]
