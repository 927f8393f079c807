"""Signed-in readers get the shared cached listing with their own votes and standing laid over
it, and only where nothing else in the answer depends on who asks."""

from __future__ import annotations

import pytest

from api.server.schema import schema
from api.server.viewer_overlay import SHARED_TYPES, VIEWER_FIELDS, is_shareable
from tests.support.factories import create_community, create_post, vote
from tests.support.graphql import Client

LISTING = """
query Listing($c: String) {
  posts(community: $c, sort: NEW, first: 10) {
    edges { node { id title viewerVote community { id name viewerIsModerator viewerIsMember } } }
  }
}
"""
REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { isRemoved } }'
JOIN = "mutation($c: String!) { joinCommunity(name: $c) { name } }"


def votes_and_standing(data: dict) -> list[tuple[str, str, bool, bool]]:
    return [
        (
            e["node"]["title"],
            e["node"]["viewerVote"],
            e["node"]["community"]["viewerIsModerator"],
            e["node"]["community"]["viewerIsMember"],
        )
        for e in data["posts"]["edges"]
    ]


async def test_each_reader_sees_their_own_votes_on_the_shared_listing(
    alice: Client, bob: Client, anonymous: Client, live_server
) -> None:
    # given alice's community with two posts, bob's votes on them, and bob a member
    community = await create_community(alice)
    name = community["name"]
    first = await create_post(alice, name, title="first")
    second = await create_post(alice, name, title="second")
    await vote(bob, first["id"], "UP")
    await vote(bob, second["id"], "DOWN")
    await bob.data(JOIN, {"c": name})
    # and the listing already in the shared cache, fetched by an anonymous reader
    assert votes_and_standing(await anonymous.data(LISTING, {"c": name})) == [
        ("second", "NONE", False, False),
        ("first", "NONE", False, False),
    ]
    counter = live_server.resources.query_counter
    live_server.resources.cache.sessions.clear()  # his session looked up, as once a moment
    before = counter.count
    # when bob and alice read it
    bobs = votes_and_standing(await bob.data(LISTING, {"c": name}))
    # then bob's answer was the shared one plus his session and his state: two round trips
    assert counter.count - before == 2
    assert bobs == [("second", "DOWN", False, True), ("first", "UP", False, True)]
    # and alice, the creator, moderates it (and joined it by creating it)
    assert votes_and_standing(await alice.data(LISTING, {"c": name})) == [
        ("second", "NONE", True, True),
        ("first", "NONE", True, True),
    ]
    # and a changed vote shows at once, though the shared listing is still cached
    await vote(bob, first["id"], "NONE")
    assert votes_and_standing(await bob.data(LISTING, {"c": name}))[1] == (
        "first",
        "NONE",
        False,
        True,
    )


async def test_text_that_looks_like_a_slot_of_the_template_is_just_text(
    alice: Client, anonymous: Client
) -> None:
    community = await create_community(alice)
    for title in ["\\u00000", '"\\u00001"', "\\\\u00002"]:
        await create_post(alice, community["name"], title=title)
    expected = ["\\\\u00002", '"\\u00001"', "\\u00000"]
    for reader in (anonymous, alice):
        listing = await reader.data(LISTING, {"c": community["name"]})
        assert [e["node"]["title"] for e in listing["posts"]["edges"]] == expected
        assert {e["node"]["viewerVote"] for e in listing["posts"]["edges"]} == {"NONE"}


async def test_the_viewers_own_things_are_never_taken_from_the_shared_answer(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    # given bob's post, removed by alice, the moderator
    community = await create_community(alice)
    post = await create_post(bob, community["name"], title="Buy my stuff")
    await alice.data(REMOVE_POST, {"id": post["id"]})
    query = """
    query($id: ID!) {
      viewer { user { id } }
      post(id: $id) { title }
      posts(first: 1) { edges { node { id } } }
    }
    """
    # when an anonymous reader asks first, then bob the same
    seen_by_anonymous = await anonymous.data(query, {"id": post["id"]})
    seen_by_bob = await bob.data(query, {"id": post["id"]})
    # then each got their own answer: bob is himself and still sees his removed post
    assert seen_by_anonymous["viewer"] is None
    assert seen_by_anonymous["post"]["title"] == "[removed]"
    assert seen_by_bob["viewer"] == {"user": {"id": bob.user_id}}
    assert seen_by_bob["post"]["title"] == "Buy my stuff"


async def test_a_renamed_viewer_field_is_answered_for_the_viewer(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    # given alice's post in her community, and her vote on it
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    await vote(alice, post["id"], "UP")
    query = """
    query($c: String) {
      posts(community: $c) {
        edges { node { id mine: viewerVote community { mod: viewerIsModerator viewerIsMember } } }
      }
    }
    """

    async def seen_by(reader: Client) -> tuple[str, bool, bool]:
        node = (await reader.data(query, {"c": community["name"]}))["posts"]["edges"][0]["node"]
        return node["mine"], node["community"]["mod"], node["community"]["viewerIsMember"]

    # then the query, which cannot be shared, is executed for each reader
    assert await seen_by(anonymous) == ("NONE", False, False)
    assert await seen_by(alice) == ("UP", True, True)
    assert await seen_by(bob) == ("NONE", False, False)


@pytest.mark.parametrize(
    ("query", "shareable"),
    [
        (LISTING, True),
        ("{ communities { edges { node { name viewerIsMember id } } } }", True),
        ('{ community(name: "x") { title moderators { address } chain { status } } }', True),
        ("{ posts { edges { node { id author { posts { edges { node { id } } } } } } } }", True),
        ("{ posts(feed: ALL) { edges { node { id } } } }", True),
        ('{ search(query: "x") { edges { node { __typename ... on Post { id } } } } }', True),
        ("{ posts { edges { node { id tips { count total viewerTotal } } } } }", True),
        # the viewer's own things, single posts and comment threads are not shared
        ("{ posts(feed: SUBSCRIBED) { edges { node { id } } } }", False),
        ("query($f: Feed!) { posts(feed: $f) { edges { node { id } } } }", False),
        ('{ search(query: "x") { edges { node { ... on Comment { body } } } } }', False),
        ("{ viewer { csrfToken } }", False),
        ('{ post(id: "x") { title } }', False),
        ('{ comments(postId: "x") { body } }', False),
        ("{ posts { edges { node { author { comments { edges { node { id } } } } } } } }", False),
        # nor writes, renamed viewer fields or ids, or what is not valid at all
        ('mutation { joinCommunity(name: "x") { name } }', False),
        ("{ posts { edges { node { id vote: viewerVote } } } }", False),
        ("{ posts { edges { node { id: title viewerVote } } } }", False),
        ("{ posts { edges { node { id tips { mine: viewerTotal } } } } }", False),
        ("{ posts { edges { node { id given: tips { viewerTotal } } } } }", False),
        ("{ posts { edges { node { nonsense } } } }", False),
        ("{ posts {", False),
    ],
)
def test_which_queries_are_shared(query: str, shareable: bool) -> None:
    assert is_shareable(schema._schema, query) is shareable


def test_every_viewer_field_of_a_shared_type_is_filled_in() -> None:
    # A field of a shared type that depends on the viewer (by convention: named viewer...)
    # would otherwise be served as the anonymous reader sees it.
    for name in SHARED_TYPES:
        fields = getattr(schema._schema.get_type(name), "fields", {})  # (a union has none)
        viewer_fields = {f for f in fields if f.startswith("viewer")}
        assert viewer_fields == VIEWER_FIELDS.get(name, frozenset()), name


async def test_unknown_credentials_read_as_an_anonymous_reader(
    alice: Client, live_server, http
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    await vote(alice, post["id"], "UP")
    stranger = Client(live_server.graphql_url, http, token="not-a-session")
    listing = await stranger.data(LISTING, {"c": community["name"]})
    assert listing["posts"]["edges"][0]["node"]["viewerVote"] == "NONE"
    assert (await stranger.data("{ viewer { csrfToken } }"))["viewer"] is None
