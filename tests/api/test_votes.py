"""Votes: one per person and target, exact scores under concurrency, karma."""

from __future__ import annotations

import asyncio

from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client, sign_in

SCORE = """
query($id: ID!) {
  post(id: $id) { score upvotes downvotes viewerVote author { karma postKarma } }
}
"""


async def test_voting_twice_counts_once(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    await vote(bob, post["id"], "UP")
    result = await vote(bob, post["id"], "UP")
    assert result == {"score": 1, "upvotes": 1, "downvotes": 0, "viewerVote": "UP"}


async def test_changing_and_withdrawing_a_vote_keeps_the_score_exact(
    alice: Client, bob: Client
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    assert (await vote(bob, post["id"], "UP"))["score"] == 1
    assert (await vote(bob, post["id"], "DOWN")) == {
        "score": -1,
        "upvotes": 0,
        "downvotes": 1,
        "viewerVote": "DOWN",
    }
    assert (await vote(bob, post["id"], "NONE"))["score"] == 0
    read = (await bob.data(SCORE, {"id": post["id"]}))["post"]
    assert read["score"] == 0 and read["viewerVote"] == "NONE"


async def test_votes_are_the_authors_karma(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    comment = await create_comment(alice, post["id"])
    await vote(bob, post["id"], "UP")
    await vote(bob, comment["id"], "DOWN")
    read = (await bob.data(SCORE, {"id": post["id"]}))["post"]
    assert read["viewerVote"] == "UP"
    assert read["author"]["postKarma"] == 1
    assert read["author"]["karma"] == 0  # +1 on the post, -1 on the comment


async def test_200_concurrent_voters_give_the_exact_score(
    alice: Client, live_server, http, db
) -> None:
    # given 200 people signed in
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    voters = await asyncio.gather(
        *[sign_in(Client(live_server.graphql_url, http)) for _ in range(200)]
    )
    # when they all vote at once, 150 up and 50 down, and 20 of them vote again the same way
    directions = ["UP"] * 150 + ["DOWN"] * 50
    await asyncio.gather(*[vote(v, post["id"], d) for v, d in zip(voters, directions, strict=True)])
    await asyncio.gather(
        *[vote(v, post["id"], d) for v, d in zip(voters[:20], directions, strict=False)]
    )
    # then
    read = (await alice.data(SCORE, {"id": post["id"]}))["post"]
    assert (read["score"], read["upvotes"], read["downvotes"]) == (100, 150, 50)
    rows = await db.fetchval(
        "SELECT sum(value) FROM post_votes v JOIN posts p ON p.id = v.post_id WHERE p.title = $1",
        post["title"],
    )
    assert rows == 100


async def test_votes_on_missing_targets(bob: Client) -> None:
    error = await bob.error(
        'mutation { vote(targetId: "UG9zdDo5OTk5OTk5OQ", direction: UP) { score } }'
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await bob.error(
        "mutation($id: ID!) { vote(targetId: $id, direction: UP) { score } }", {"id": bob.user_id}
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "targetId"}


async def test_anonymous_people_cannot_vote(anonymous: Client, alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    error = await anonymous.error(
        "mutation($id: ID!) { vote(targetId: $id, direction: UP) { score } }", {"id": post["id"]}
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


COMMENT_SCORES = """
query($id: ID!) { comments(postId: $id, sort: NEW) { score upvotes downvotes } }
"""


async def test_votes_changed_and_withdrawn_all_at_once_keep_scores_and_karma_exact(
    alice: Client, live_server, http
) -> None:
    # given 60 people who voted UP on a post and on a comment of alice's
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    comment = await create_comment(alice, post["id"])
    voters = await asyncio.gather(
        *[sign_in(Client(live_server.graphql_url, http)) for _ in range(60)]
    )
    targets = (post["id"], comment["id"])
    await asyncio.gather(*[vote(v, t, "UP") for v in voters for t in targets])
    # when, all at once, 20 of them keep UP, 20 change to DOWN and 20 withdraw
    changes = ["UP"] * 20 + ["DOWN"] * 20 + ["NONE"] * 20
    answers = await asyncio.gather(
        *[vote(v, t, d) for v, d in zip(voters, changes, strict=True) for t in targets]
    )
    # then each voter is answered with their own vote, and every figure is the sum of the votes
    assert [a["viewerVote"] for a in answers] == [d for d in changes for _ in targets]
    read = (await alice.data(SCORE, {"id": post["id"]}))["post"]
    assert (read["score"], read["upvotes"], read["downvotes"]) == (0, 20, 20)
    [scores] = (await alice.data(COMMENT_SCORES, {"id": post["id"]}))["comments"]
    assert scores == {"score": 0, "upvotes": 20, "downvotes": 20}
    assert (read["author"]["postKarma"], read["author"]["karma"]) == (0, 0)
