"""Read your own writes: right after a vote, its voter sees its result in every read, from the
shared answers or not, while every other reader keeps the cached answers (a score may lag a
vote by the cache's moment for them, never for the voter)."""

from __future__ import annotations

from tests.support.factories import create_community, create_post, vote
from tests.support.graphql import Client

LISTING = """
query Listing($c: String) {
  posts(community: $c, sort: NEW, first: 10) { edges { node { id score viewerVote } } }
}
"""
# Not a shared answer (it asks who the viewer is): executed for the viewer, but its page of
# posts still comes from the listing cache every reader shares.
LISTING_WITH_VIEWER = """
query Mine($c: String) {
  viewer { user { id } }
  posts(community: $c, sort: NEW, first: 10) { edges { node { id score viewerVote } } }
}
"""


def scores(data: dict) -> list[tuple[int, str]]:
    return [(e["node"]["score"], e["node"]["viewerVote"]) for e in data["posts"]["edges"]]


async def test_a_voter_sees_the_score_of_their_vote_at_once_others_keep_the_cache(
    alice: Client, bob: Client, carol: Client, anonymous: Client
) -> None:
    # given a post, and the listing in the shared caches (both kinds) as everyone reads it
    name = (await create_community(alice, confirmed=False))["name"]
    await create_post(alice, name)
    before = scores(await anonymous.data(LISTING, {"c": name}))
    [(score, _)] = before
    assert scores(await carol.data(LISTING, {"c": name})) == [(score, "NONE")]
    assert scores(await carol.data(LISTING_WITH_VIEWER, {"c": name})) == [(score, "NONE")]
    [post_id] = [e["node"]["id"] for e in (await bob.data(LISTING, {"c": name}))["posts"]["edges"]]
    # when bob upvotes it
    await vote(bob, post_id, "UP")
    # then the others are still served the cached answers
    assert scores(await anonymous.data(LISTING, {"c": name})) == before
    assert scores(await carol.data(LISTING, {"c": name})) == [(score, "NONE")]
    assert scores(await carol.data(LISTING_WITH_VIEWER, {"c": name})) == [(score, "NONE")]
    # but bob's next reads, shared or executed, show the new score beside his arrow
    assert scores(await bob.data(LISTING, {"c": name})) == [(score + 1, "UP")]
    assert scores(await bob.data(LISTING_WITH_VIEWER, {"c": name})) == [(score + 1, "UP")]
    # when he takes the vote back, then that shows at once to him too
    await vote(bob, post_id, "NONE")
    assert scores(await bob.data(LISTING, {"c": name})) == [(score, "NONE")]
    assert scores(await bob.data(LISTING_WITH_VIEWER, {"c": name})) == [(score, "NONE")]
