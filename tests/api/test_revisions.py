"""Edit history (Peepeth): every edit keeps what it replaced, shown oldest first; deleted content
shows none, removed content only to its author and the community's moderators."""

from __future__ import annotations

from api.core import ids
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

EDIT_POST = "mutation($i: EditPostInput!) { editPost(input: $i) { body editedAt } }"
EDIT_COMMENT = "mutation($i: EditCommentInput!) { editComment(input: $i) { body editedAt } }"
POST = """
query($id: ID!) { post(id: $id) { body editedAt revisions { title body editedAt } } }
"""
THREAD = "query($id: ID!) { comments(postId: $id) { id body editedAt } }"
COMMENT = "query($id: ID!) { comment(id: $id) { body editedAt revisions { body editedAt } } }"
LISTING = """
query($c: String!) {
  posts(community: $c, sort: NEW, first: 10) { edges { node { editedAt revisions { body } } } }
}
"""
REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { isRemoved } }'
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) { isDeleted } }"


async def test_every_edit_of_a_post_keeps_what_it_replaced(alice: Client, bob: Client) -> None:
    # given a post never edited
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="Plans", body="first draft")
    never = (await bob.data(POST, {"id": post["id"]}))["post"]
    assert never["editedAt"] is None
    assert never["revisions"] == []
    # when its author edits it twice
    one = (await alice.data(EDIT_POST, {"i": {"id": post["id"], "body": "second"}}))["editPost"]
    two = (await alice.data(EDIT_POST, {"i": {"id": post["id"], "body": "third"}}))["editPost"]
    # then every reader sees both replaced versions, oldest first, with when each was replaced
    seen = (await bob.data(POST, {"id": post["id"]}))["post"]
    assert seen["body"] == "third"
    assert seen["editedAt"] == two["editedAt"]
    assert seen["revisions"] == [
        {"title": "Plans", "body": "first draft", "editedAt": one["editedAt"]},
        {"title": "Plans", "body": "second", "editedAt": two["editedAt"]},
    ]
    # and listings show the history too
    [edge] = (await bob.data(LISTING, {"c": community["name"]}))["posts"]["edges"]
    assert edge["node"]["revisions"] == [{"body": "first draft"}, {"body": "second"}]


async def test_every_edit_of_a_comment_keeps_what_it_replaced(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    comment = await create_comment(bob, post["id"], "teh answer")
    edit = {"i": {"id": comment["id"], "body": "the answer"}}
    edited = (await bob.data(EDIT_COMMENT, edit))["editComment"]
    # then the thread says it was edited, and the comment's history is one query away
    [listed] = (await alice.data(THREAD, {"id": post["id"]}))["comments"]
    assert listed["editedAt"] == edited["editedAt"]
    seen = (await alice.data(COMMENT, {"id": listed["id"]}))["comment"]
    assert seen["body"] == "the answer"
    assert seen["revisions"] == [{"body": "teh answer", "editedAt": edited["editedAt"]}]


async def test_deleted_content_shows_no_history(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(bob, community["name"], body="oops")
    await bob.data(EDIT_POST, {"i": {"id": post["id"], "body": "still oops"}})
    await bob.data(DELETE_POST, {"id": post["id"]})
    for reader in (alice, bob):
        seen = (await reader.data(POST, {"id": post["id"]}))["post"]
        assert seen["revisions"] == []


async def test_removed_content_shows_its_history_to_its_author_and_moderators_only(
    alice: Client, bob: Client, carol: Client, anonymous: Client
) -> None:
    # given bob's edited post, removed by alice, the community's moderator
    community = await create_community(alice)
    post = await create_post(bob, community["name"], body="buy my stuff")
    await bob.data(EDIT_POST, {"i": {"id": post["id"], "body": "BUY MY STUFF"}})
    await alice.data(REMOVE_POST, {"id": post["id"]})
    # then bob and alice see the history; carol and anonymous readers do not
    for reader in (alice, bob):
        seen = (await reader.data(POST, {"id": post["id"]}))["post"]
        assert seen["revisions"] == [
            {"title": post["title"], "body": "buy my stuff", "editedAt": seen["editedAt"]}
        ]
    for reader in (carol, anonymous):
        assert (await reader.data(POST, {"id": post["id"]}))["post"]["revisions"] == []


async def test_history_is_kept_by_the_database_for_any_edit(alice: Client, db) -> None:
    # given a post, edited outside the API (an operator's fix in psql)
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="Tpyo", body="body")
    row_id = ids.decode_one(post["id"], "Post")
    await db.execute("UPDATE posts SET title = 'Typo', edited_at = now() WHERE id = $1", row_id)
    # then the replaced title is kept all the same
    seen = (await alice.data(POST, {"id": post["id"]}))["post"]
    assert [(r["title"], r["body"]) for r in seen["revisions"]] == [("Tpyo", "body")]
