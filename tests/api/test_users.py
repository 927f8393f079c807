"""People: profiles, karma, and what they wrote."""

from __future__ import annotations

from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client

USER = """
query($a: String!) {
  user(address: $a) {
    address displayName bio karma
    posts(first: 10) { edges { node { title } } }
    comments(first: 10) { edges { node { body } } }
  }
}
"""
UPDATE = "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName bio } }"


async def test_a_profile_shows_karma_posts_and_comments(alice: Client, bob: Client) -> None:
    # given
    community = await create_community(alice)
    post = await create_post(alice, community["name"], title="mine")
    await create_comment(alice, post["id"], "also mine")
    await vote(bob, post["id"], "UP")
    # when
    profile = (await bob.data(USER, {"a": alice.account.address.lower()}))["user"]
    # then
    assert profile["address"] == alice.account.address  # shown checksummed
    assert profile["karma"] == 1
    assert [e["node"]["title"] for e in profile["posts"]["edges"]] == ["mine"]
    assert [e["node"]["body"] for e in profile["comments"]["edges"]] == ["also mine"]


async def test_someone_who_never_signed_in_is_null(anonymous: Client) -> None:
    assert (await anonymous.data(USER, {"a": "0x" + "ab" * 20})) == {"user": None}
    error = await anonymous.error(USER, {"a": "bob"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "address"}


async def test_people_set_and_clear_their_name_and_bio(alice: Client) -> None:
    set_both = await alice.data(UPDATE, {"i": {"displayName": "Alice", "bio": "I garden."}})
    assert set_both == {"updateProfile": {"displayName": "Alice", "bio": "I garden."}}
    # a missing field keeps its value; an empty one clears it
    only_bio = await alice.data(UPDATE, {"i": {"bio": ""}})
    assert only_bio == {"updateProfile": {"displayName": "Alice", "bio": None}}


async def test_a_too_long_name_is_refused(alice: Client) -> None:
    error = await alice.error(UPDATE, {"i": {"displayName": "x" * 51}})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "displayName"}
