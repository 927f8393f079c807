"""Search: each kind, ranking, the community filter, what is never found, pages and limits."""

from __future__ import annotations

import base64
import json
import secrets

from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client

SEARCH = """
query Search($q: String!, $kind: SearchKind!, $c: String, $first: Int! = 25, $after: String) {
  search(query: $q, kind: $kind, community: $c, first: $first, after: $after) {
    edges {
      node {
        __typename
        ... on Post { id title community { name } viewerVote }
        ... on Comment { id body post { id } }
        ... on Community { name title }
        ... on User { address displayName }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) { isDeleted } }"
REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { isRemoved } }'
DELETE_COMMENT = "mutation($id: ID!) { deleteComment(id: $id) { isDeleted } }"
REMOVE_COMMENT = 'mutation($id: ID!) { removeComment(id: $id, reason: "rude") { isRemoved } }'
PROFILE = "mutation($name: String) { updateProfile(input: {displayName: $name}) { displayName } }"
EDIT_POST = "mutation($i: EditPostInput!) { editPost(input: $i) { body } }"
EDIT_COMMENT = "mutation($i: EditCommentInput!) { editComment(input: $i) { body } }"


def cursor(*key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def word() -> str:
    """A word no other test writes (the test database is shared by the session)."""
    return "zq" + "".join(secrets.choice("bcdfghjklmnprstvwxz") for _ in range(10))


async def found(client: Client, query: str, kind: str = "POSTS", **more) -> list[dict]:
    data = await client.data(SEARCH, {"q": query, "kind": kind, **more})
    return [edge["node"] for edge in data["search"]["edges"]]


async def test_posts_are_found_by_title_and_body_title_matches_first(
    alice: Client, anonymous: Client
) -> None:
    # given one post with the word in its body, then one with it in its title
    community = await create_community(alice)
    name, w = community["name"], word()
    in_body = await create_post(alice, name, title="About gardens", body=f"Some {w} here")
    in_title = await create_post(alice, name, title=f"The {w} story", body="Nothing")
    await create_post(alice, name, title="Unrelated", body="Nothing at all")
    # when anyone searches for it
    results = await found(anonymous, w)
    # then both are found, the title match (weighted higher) first
    assert [r["id"] for r in results] == [in_title["id"], in_body["id"]]
    assert results[0]["__typename"] == "Post"
    assert results[0]["community"]["name"] == name


async def test_words_are_stemmed_and_phrases_and_exclusions_work(
    alice: Client, anonymous: Client
) -> None:
    community = await create_community(alice)
    w = word()
    running = await create_post(alice, community["name"], title=f"{w} running shoes")
    await create_post(alice, community["name"], title=f"{w} shoes for walking")
    # "run" finds "running"; "-walking" excludes; a quoted phrase keeps its order
    assert [r["id"] for r in await found(anonymous, f"{w} run")] == [running["id"]]
    assert [r["id"] for r in await found(anonymous, f"{w} -walking")] == [running["id"]]
    assert [r["id"] for r in await found(anonymous, f'"{w} running"')] == [running["id"]]
    assert await found(anonymous, f'"running {w}"') == []


async def test_the_community_filter_limits_posts_and_comments(
    alice: Client, anonymous: Client
) -> None:
    a, b = await create_community(alice), await create_community(alice)
    w = word()
    in_a = await create_post(alice, a["name"], title=f"{w} in a")
    in_b = await create_post(alice, b["name"], title=f"{w} in b")
    comment_a = await create_comment(alice, in_a["id"], f"{w} said in a")
    await create_comment(alice, in_b["id"], f"{w} said in b")
    assert {r["id"] for r in await found(anonymous, w)} == {in_a["id"], in_b["id"]}
    assert [r["id"] for r in await found(anonymous, w, c=a["name"])] == [in_a["id"]]
    comments = await found(anonymous, w, "COMMENTS", c=a["name"])
    assert [(r["__typename"], r["id"]) for r in comments] == [("Comment", comment_a["id"])]
    assert comments[0]["post"]["id"] == in_a["id"]
    error = await anonymous.error(SEARCH, {"q": w, "kind": "POSTS", "c": "no_such_place"})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_communities_and_people_are_found(alice: Client, anonymous: Client) -> None:
    w = word()
    community = await create_community(alice, title=f"The {w} club")
    await alice.data(PROFILE, {"name": f"Alice {w}"})
    communities = await found(anonymous, w, "COMMUNITIES")
    assert [(r["__typename"], r["name"]) for r in communities] == [("Community", community["name"])]
    people = await found(anonymous, w, "USERS")
    assert [(r["__typename"], r["displayName"]) for r in people] == [("User", f"Alice {w}")]


async def test_deleted_and_removed_content_is_never_found(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    # given bob's posts and comments in alice's community, then deleted or removed
    community = await create_community(alice)
    name, w = community["name"], word()
    kept = await create_post(bob, name, title=f"{w} kept")
    deleted = await create_post(bob, name, title=f"{w} deleted")
    removed = await create_post(bob, name, title=f"{w} removed")
    kept_comment = await create_comment(bob, kept["id"], f"{w} kept comment")
    deleted_comment = await create_comment(bob, kept["id"], f"{w} deleted comment")
    removed_comment = await create_comment(bob, kept["id"], f"{w} removed comment")
    under_removed_post = await create_comment(bob, removed["id"], f"{w} under a removed post")
    await bob.data(DELETE_POST, {"id": deleted["id"]})
    await alice.data(REMOVE_POST, {"id": removed["id"]})
    await bob.data(DELETE_COMMENT, {"id": deleted_comment["id"]})
    await alice.data(REMOVE_COMMENT, {"id": removed_comment["id"]})
    # then nobody finds them, not even their author or the moderator
    for client in (anonymous, bob, alice):
        assert [r["id"] for r in await found(client, w)] == [kept["id"]]
        comments = await found(client, w, "COMMENTS")
        assert [r["id"] for r in comments] == [kept_comment["id"]]
        assert under_removed_post["id"] not in {r["id"] for r in comments}


async def test_edited_text_is_found_by_its_new_words_and_no_longer_by_the_old(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    # given a post and a comment of bob's, found by their words, then voted on
    community = await create_community(alice)
    title, old, new = word(), word(), word()
    post = await create_post(bob, community["name"], title=f"{title} post", body=f"{old} body")
    comment = await create_comment(bob, post["id"], f"{old} comment")
    assert [r["id"] for r in await found(anonymous, old)] == [post["id"]]
    await vote(alice, post["id"], "UP")
    await vote(alice, comment["id"], "UP")
    # when bob edits both
    await bob.data(EDIT_POST, {"i": {"id": post["id"], "body": f"{new} body"}})
    await bob.data(EDIT_COMMENT, {"i": {"id": comment["id"], "body": f"{new} comment"}})
    # then the new words find them, the old ones nothing, and the title still finds the post
    assert [r["id"] for r in await found(anonymous, new)] == [post["id"]]
    assert [r["id"] for r in await found(anonymous, new, "COMMENTS")] == [comment["id"]]
    assert await found(anonymous, old) == []
    assert await found(anonymous, old, "COMMENTS") == []
    assert [r["id"] for r in await found(anonymous, title)] == [post["id"]]


async def test_what_the_viewer_blocks_is_gone_from_their_searches(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given alice's post and comment, and carol's post in a community bob will block
    a, b = await create_community(carol), await create_community(carol)
    w = word()
    by_alice = await create_post(alice, a["name"], title=f"{w} by alice")
    comment = await create_comment(alice, by_alice["id"], f"{w} said alice")
    in_b = await create_post(carol, b["name"], title=f"{w} in b")
    kept = await create_post(carol, a["name"], title=f"{w} kept")
    assert address_of(alice)
    # when bob blocks alice and community b
    await bob.data(
        "mutation($a: String!) { blockUser(address: $a, blocked: true) }", {"a": address_of(alice)}
    )
    await bob.data(
        "mutation($c: String!) { blockCommunity(name: $c, blocked: true) }", {"c": b["name"]}
    )
    # then bob finds neither; carol finds all
    assert [r["id"] for r in await found(bob, w)] == [kept["id"]]
    assert await found(bob, w, "COMMENTS") == []
    assert [r["id"] for r in await found(bob, w, c=b["name"])] == [in_b["id"]]
    assert {r["id"] for r in await found(carol, w)} == {by_alice["id"], in_b["id"], kept["id"]}
    assert [r["id"] for r in await found(carol, w, "COMMENTS")] == [comment["id"]]


def address_of(client: Client) -> str:
    assert client.account is not None
    return client.account.address


async def test_pages_follow_the_rank_without_skipping_or_repeating(
    alice: Client, anonymous: Client
) -> None:
    # given 7 posts that mention the word 1 to 7 times (more mentions rank higher)
    community = await create_community(alice)
    w = word()
    posts = [
        await create_post(alice, community["name"], title=f"Post {n}", body=f"{w} " * n)
        for n in range(1, 8)
    ]
    seen: list[str] = []
    after = None
    while True:
        page = (
            await anonymous.data(SEARCH, {"q": w, "kind": "POSTS", "first": 3, "after": after})
        )["search"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [p["id"] for p in reversed(posts)]


async def test_the_viewer_sees_their_own_vote_on_found_posts(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    w = word()
    post = await create_post(alice, community["name"], title=f"{w} vote on me")
    await bob.data(
        "mutation($id: ID!) { vote(targetId: $id, direction: UP) { score } }", {"id": post["id"]}
    )
    assert [r["viewerVote"] for r in await found(bob, w)] == ["UP"]
    assert [r["viewerVote"] for r in await found(alice, w)] == ["NONE"]


SEARCH_POSTS = """
query($q: String!) {
  search(query: $q) {
    edges { node { ... on Post { id viewerVote community { id viewerIsMember } } } }
  }
}
"""


async def test_readers_share_a_search_of_posts_each_with_their_own_votes(
    alice: Client, bob: Client, carol: Client, anonymous: Client
) -> None:
    # given bob upvoted a post of alice's community, and carol downvoted it
    community = await create_community(alice)
    w = word()
    post = await create_post(alice, community["name"], title=f"{w} shared")
    vote = "mutation($id: ID!, $d: VoteDirection!) { vote(targetId: $id, direction: $d) { score } }"
    await bob.data(vote, {"id": post["id"], "d": "UP"})
    await carol.data(vote, {"id": post["id"], "d": "DOWN"})

    async def seen_by(reader: Client) -> tuple[str, bool]:
        [node] = [e["node"] for e in (await reader.data(SEARCH_POSTS, {"q": w}))["search"]["edges"]]
        return node["viewerVote"], node["community"]["viewerIsMember"]

    # then the same search (a shared answer) shows each reader their own vote and standing
    for _ in range(2):
        assert await seen_by(anonymous) == ("NONE", False)
        assert await seen_by(bob) == ("UP", False)
        assert await seen_by(carol) == ("DOWN", False)
        assert await seen_by(alice) == ("NONE", True)


async def test_limits_are_refused_with_a_reason(anonymous: Client) -> None:
    cases = [
        ({"q": "x" * 201, "kind": "POSTS"}, "query"),
        ({"q": "   ", "kind": "POSTS"}, "query"),
        ({"q": "word", "kind": "POSTS", "first": 101}, "first"),
        ({"q": "word", "kind": "POSTS", "first": 0}, "first"),
        ({"q": "word", "kind": "POSTS", "after": "bm90IGEgY3Vyc29y"}, "after"),
        # a cursor of the right shape whose rank no search can write
        ({"q": "word", "kind": "POSTS", "after": cursor("search:POSTS", 1e300, 5)}, "after"),
        ({"q": "word", "kind": "POSTS", "after": cursor("search:POSTS", -1, 5)}, "after"),
    ]
    for variables, field in cases:
        error = await anonymous.error(SEARCH, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", variables
        assert error["extensions"]["field"] == field, variables


async def test_a_cursor_of_one_kind_is_refused_by_another(alice: Client, anonymous: Client) -> None:
    community = await create_community(alice)
    w = word()
    for n in range(2):
        await create_post(alice, community["name"], title=f"{w} {n}")
    page = (await anonymous.data(SEARCH, {"q": w, "kind": "POSTS", "first": 1}))["search"]
    error = await anonymous.error(
        SEARCH, {"q": w, "kind": "COMMENTS", "after": page["pageInfo"]["endCursor"]}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_words_only_search_engines_skip_find_nothing_without_failing(
    anonymous: Client,
) -> None:
    # stop words only, and the query syntax's own characters, are no error: just nothing
    assert await found(anonymous, "the and of") == []
    assert await found(anonymous, '"" - or ( ) & | ! :*') == []
