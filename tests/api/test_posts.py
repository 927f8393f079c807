"""Posts: submitting, editing, deleting, and what readers see."""

from __future__ import annotations

from tests.support.factories import create_community, create_post
from tests.support.graphql import Client

POST = """
query Post($id: ID!) {
  post(id: $id) {
    id title body bodyHtml url isDeleted isRemoved editedAt
    author { address } community { name postCount }
  }
}
"""
EDIT = """
mutation Edit($input: EditPostInput!) { editPost(input: $input) { body bodyHtml editedAt } }
"""
DELETE = (
    "mutation Delete($id: ID!) { deletePost(id: $id) { title body isDeleted author { address } } }"
)


async def test_a_text_post_is_rendered_as_sanitized_markdown(alice: Client) -> None:
    # given
    community = await create_community(alice)
    # when
    post = await create_post(
        alice, community["name"], title="Hello", body="**bold** <script>alert(1)</script>"
    )
    # then
    assert post["title"] == "Hello"
    assert (
        post["bodyHtml"] == "<p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )
    assert post["author"]["address"] == alice.account.address
    read = (await alice.data(POST, {"id": post["id"]}))["post"]
    assert read["community"] == {"name": community["name"], "postCount": 1}


async def test_links_must_be_http(alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"], body=None, url="https://example.org/a")
    assert post["url"] == "https://example.org/a"
    error = await alice.error(
        "mutation($i: CreatePostInput!) { createPost(input: $i) { id } }",
        {"i": {"community": community["name"], "title": "x", "url": "javascript:alert(1)"}},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "url"}


async def test_bad_titles_are_refused_and_nothing_is_written(alice: Client, db) -> None:
    community = await create_community(alice)
    before = await db.fetchval("SELECT count(*) FROM posts")
    for title, fragment in [("", "cannot be empty"), ("x" * 301, "too long")]:
        error = await alice.error(
            "mutation($i: CreatePostInput!) { createPost(input: $i) { id } }",
            {"i": {"community": community["name"], "title": title}},
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "title"}
        assert fragment in error["message"]
    assert await db.fetchval("SELECT count(*) FROM posts") == before


async def test_posting_in_a_missing_community_is_not_found(alice: Client) -> None:
    error = await alice.error(
        'mutation { createPost(input: {community: "nowhere_at_all", title: "x"}) { id } }'
    )
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_the_author_edits_their_post(alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    edited = (await alice.data(EDIT, {"input": {"id": post["id"], "body": "_new_"}}))["editPost"]
    assert edited["body"] == "_new_"
    assert edited["bodyHtml"] == "<p><em>new</em></p>\n"
    assert edited["editedAt"] is not None


async def test_only_the_author_edits_or_deletes(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    error = await bob.error(EDIT, {"input": {"id": post["id"], "body": "mine now"}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await bob.error(DELETE, {"id": post["id"]})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_a_deleted_post_is_hidden_from_everyone(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="Regret")
    deleted = (await alice.data(DELETE, {"id": post["id"]}))["deletePost"]
    assert deleted == {"title": "[deleted]", "body": None, "isDeleted": True, "author": None}
    seen = (await bob.data(POST, {"id": post["id"]}))["post"]
    assert seen["title"] == "[deleted]" and seen["body"] is None


async def test_an_unknown_or_malformed_id(alice: Client) -> None:
    assert (await alice.data(POST, {"id": "UG9zdDo5OTk5OTk5OQ"}))["post"] is None
    error = await alice.error(POST, {"id": "not-an-id"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    # the id of something else is not the id of a post
    error = await alice.error(POST, {"id": alice.user_id})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "post" in error["message"]
