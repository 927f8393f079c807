"""A permalink to one comment: the comment, the thread above it and its post."""

from __future__ import annotations

from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

COMMENT = """
query Comment($id: ID!) {
  comment(id: $id) {
    id body depth isRemoved
    post { id title }
    parents { id body depth author { address } }
  }
}
"""
REMOVE_COMMENT = 'mutation($id: ID!) { removeComment(id: $id, reason: "rude") { isRemoved } }'


async def test_a_comment_comes_with_its_parents_top_down(alice: Client, anonymous: Client) -> None:
    # given a thread: top <- middle <- leaf, and a sibling of the middle
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="The thread")
    top = await create_comment(alice, post["id"], "top")
    middle = await create_comment(alice, post["id"], "middle", parent_id=top["id"])
    await create_comment(alice, post["id"], "sibling", parent_id=top["id"])
    leaf = await create_comment(alice, post["id"], "leaf", parent_id=middle["id"])
    # when anyone opens the leaf's permalink
    found = (await anonymous.data(COMMENT, {"id": leaf["id"]}))["comment"]
    # then it comes with the post and its ancestors, from the top of the thread down
    assert found["body"] == "leaf"
    assert found["depth"] == 2
    assert found["post"] == {"id": post["id"], "title": "The thread"}
    assert [(p["body"], p["depth"]) for p in found["parents"]] == [("top", 0), ("middle", 1)]
    # and a top-level comment has no parents
    assert (await anonymous.data(COMMENT, {"id": top["id"]}))["comment"]["parents"] == []


async def test_a_removed_parent_is_shown_as_removed_but_to_its_moderators(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    parent = await create_comment(bob, post["id"], "rude words")
    reply = await create_comment(alice, post["id"], "a calm answer", parent_id=parent["id"])
    await alice.data(REMOVE_COMMENT, {"id": parent["id"]})
    seen = (await anonymous.data(COMMENT, {"id": reply["id"]}))["comment"]["parents"]
    assert [(p["body"], p["author"]) for p in seen] == [(None, None)]
    moderator = (await alice.data(COMMENT, {"id": reply["id"]}))["comment"]["parents"]
    assert [p["body"] for p in moderator] == ["rude words"]


async def test_an_unknown_comment_is_null_and_a_wrong_id_refused(anonymous: Client) -> None:
    post_id_shape = "UG9zdDox"  # Post:1, not a comment
    assert (await anonymous.data(COMMENT, {"id": "Q29tbWVudDo5OTk5OTk5OTk"}))["comment"] is None
    error = await anonymous.error(COMMENT, {"id": post_id_shape})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
