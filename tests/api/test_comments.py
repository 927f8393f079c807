"""Comments: threads of replies, their order, editing and deleting."""

from __future__ import annotations

from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client

COMMENTS = """
query Comments($postId: ID!, $sort: CommentSort!) {
  comments(postId: $postId, sort: $sort) {
    id parentId depth body score replyCount author { address }
  }
}
"""
POST_COUNTS = "query($id: ID!) { post(id: $id) { commentCount } }"


async def _discussion(alice: Client, bob: Client) -> tuple[str, dict[str, str]]:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    first = await create_comment(alice, post["id"], "first")
    second = await create_comment(bob, post["id"], "second")
    reply = await create_comment(bob, post["id"], "reply to first", parent_id=first["id"])
    deeper = await create_comment(alice, post["id"], "reply to reply", parent_id=reply["id"])
    return post["id"], {
        "first": first["id"],
        "second": second["id"],
        "reply": reply["id"],
        "deeper": deeper["id"],
    }


async def test_replies_nest_under_their_parent(alice: Client, bob: Client) -> None:
    # given
    post_id, ids = await _discussion(alice, bob)
    # when
    tree = (await alice.data(COMMENTS, {"postId": post_id, "sort": "OLD"}))["comments"]
    # then: pre-order, each comment after its parent
    assert [c["body"] for c in tree] == ["first", "reply to first", "reply to reply", "second"]
    assert [c["depth"] for c in tree] == [0, 1, 2, 0]
    assert tree[1]["parentId"] == ids["first"] and tree[2]["parentId"] == ids["reply"]
    assert tree[0]["replyCount"] == 1
    assert (await alice.data(POST_COUNTS, {"id": post_id}))["post"]["commentCount"] == 4


async def test_sorting_orders_siblings_and_keeps_subtrees(alice: Client, bob: Client) -> None:
    post_id, ids = await _discussion(alice, bob)
    await vote(alice, ids["second"], "UP")
    await vote(bob, ids["second"], "UP")
    top = (await alice.data(COMMENTS, {"postId": post_id, "sort": "TOP"}))["comments"]
    assert [c["body"] for c in top] == ["second", "first", "reply to first", "reply to reply"]
    best = (await alice.data(COMMENTS, {"postId": post_id, "sort": "BEST"}))["comments"]
    assert best[0]["body"] == "second"
    new = (await alice.data(COMMENTS, {"postId": post_id, "sort": "NEW"}))["comments"]
    assert [c["body"] for c in new] == ["second", "first", "reply to first", "reply to reply"]


async def test_a_reply_must_belong_to_the_same_post(alice: Client) -> None:
    community = await create_community(alice)
    post_a = await create_post(alice, community["name"])
    post_b = await create_post(alice, community["name"])
    comment = await create_comment(alice, post_a["id"])
    error = await alice.error(
        "mutation($i: CreateCommentInput!) { createComment(input: $i) { id } }",
        {"i": {"postId": post_b["id"], "parentId": comment["id"], "body": "lost"}},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "parentId"}


async def test_an_empty_comment_is_refused(alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    error = await alice.error(
        "mutation($i: CreateCommentInput!) { createComment(input: $i) { id } }",
        {"i": {"postId": post["id"], "body": "   "}},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "body"}


async def test_edit_and_delete_are_the_authors(alice: Client, bob: Client) -> None:
    post_id, ids = await _discussion(alice, bob)
    edit = "mutation($i: EditCommentInput!) { editComment(input: $i) { body editedAt } }"
    error = await alice.error(edit, {"i": {"id": ids["second"], "body": "hijacked"}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    edited = (await bob.data(edit, {"i": {"id": ids["second"], "body": "better"}}))["editComment"]
    assert edited["body"] == "better" and edited["editedAt"]
    deleted = await bob.data(
        "mutation($id: ID!) { deleteComment(id: $id) { body isDeleted author { address } } }",
        {"id": ids["reply"]},
    )
    assert deleted["deleteComment"] == {"body": None, "isDeleted": True, "author": None}
    # the thread keeps its shape: the deleted reply stays as a placeholder for its replies
    tree = (await alice.data(COMMENTS, {"postId": post_id, "sort": "OLD"}))["comments"]
    assert [c["body"] for c in tree] == ["first", None, "reply to reply", "better"]


async def test_commenting_needs_a_session(anonymous: Client, alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    error = await anonymous.error(
        "mutation($i: CreateCommentInput!) { createComment(input: $i) { id } }",
        {"i": {"postId": post["id"], "body": "hi"}},
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
