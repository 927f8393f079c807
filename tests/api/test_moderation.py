"""Moderation: removing content, banning, reports, and the public log."""

from __future__ import annotations

import asyncio
import base64

import asyncpg

from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { title isRemoved } }'
REMOVE_COMMENT = 'mutation($id: ID!) { removeComment(id: $id, reason: "rude") { body isRemoved } }'
BAN = """
mutation($input: BanUserInput!) { banUser(input: $input) { user { address } reason expiresAt } }
"""
UNBAN = "mutation($c: String!, $a: String!) { unbanUser(community: $c, address: $a) }"
POST = "query($id: ID!) { post(id: $id) { title body isRemoved author { address } } }"
MODLOG = """
query($c: String!) {
  modlog(community: $c) {
    edges { node { action reason moderator { address } targetUser { address } targetPostId } }
  }
}
"""
POSTS = "query($c: String!) { posts(community: $c, sort: NEW) { edges { node { id } } } }"
REPORT = "mutation($id: ID!, $r: String!) { report(targetId: $id, reason: $r) }"
REPORTS = """
query($c: String!, $open: Boolean! = true, $first: Int! = 25, $after: String) {
  reports(community: $c, unresolvedOnly: $open, first: $first, after: $after) {
    edges { node { id reason targetId resolvedAt resolvedBy { address } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
RESOLVE = "mutation($id: ID!) { resolveReport(id: $id) { id resolvedAt resolvedBy { address } } }"
REOPEN = "mutation($id: ID!) { reopenReport(id: $id) { id resolvedAt resolvedBy { address } } }"
BANS = """
query($c: String!, $first: Int! = 25, $after: String) {
  bans(community: $c, first: $first, after: $after) {
    edges { node { user { address } reason expiresAt community { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_a_moderator_removes_a_post_and_the_log_says_so(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    # given bob's post in alice's community
    community = await create_community(alice)
    post = await create_post(bob, community["name"], title="Buy my stuff")
    # when alice, a moderator, removes it
    removed = (await alice.data(REMOVE_POST, {"id": post["id"]}))["removePost"]
    # then the moderator and the author still see it, others see a placeholder
    assert removed == {"title": "Buy my stuff", "isRemoved": True}
    assert (await bob.data(POST, {"id": post["id"]}))["post"]["title"] == "Buy my stuff"
    assert (await anonymous.data(POST, {"id": post["id"]}))["post"] == {
        "title": "[removed]",
        "body": None,
        "isRemoved": True,
        "author": None,
    }
    # and it is gone from the listing
    listing = (await anonymous.data(POSTS, {"c": community["name"]}))["posts"]["edges"]
    assert post["id"] not in [edge["node"]["id"] for edge in listing]
    # and the public log records it
    log = (await anonymous.data(MODLOG, {"c": community["name"]}))["modlog"]["edges"]
    assert log[0]["node"] == {
        "action": "REMOVE_POST",
        "reason": "spam",
        "moderator": {"address": alice.account.address},
        "targetUser": {"address": bob.account.address},
        "targetPostId": post["id"],
    }


async def test_a_moderator_removes_a_comment(alice: Client, bob: Client, anonymous: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    comment = await create_comment(bob, post["id"], "rude words")
    assert (await alice.data(REMOVE_COMMENT, {"id": comment["id"]}))["removeComment"] == {
        "body": "rude words",
        "isRemoved": True,
    }
    tree = (
        await anonymous.data(
            "query($p: ID!) { comments(postId: $p) { body isRemoved } }", {"p": post["id"]}
        )
    )["comments"]
    assert tree == [{"body": None, "isRemoved": True}]


async def test_moderator_actions_are_refused_to_others(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    comment = await create_comment(alice, post["id"])
    for query, variables in [
        (REMOVE_POST, {"id": post["id"]}),
        (REMOVE_COMMENT, {"id": comment["id"]}),
        (BAN, {"input": {"community": community["name"], "address": alice.account.address}}),
        (UNBAN, {"c": community["name"], "a": alice.account.address}),
    ]:
        error = await bob.error(query, variables)
        assert error["extensions"]["code"] == "FORBIDDEN", query
        assert f"moderators of c/{community['name']}" in error["message"]


async def test_a_banned_user_cannot_post_or_comment_until_unbanned(
    alice: Client, bob: Client
) -> None:
    # given
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    # when
    ban = (
        await alice.data(
            BAN,
            {
                "input": {
                    "community": community["name"],
                    "address": bob.account.address,
                    "reason": "trolling",
                }
            },
        )
    )["banUser"]
    # then
    assert ban == {
        "user": {"address": bob.account.address},
        "reason": "trolling",
        "expiresAt": None,
    }
    error = await bob.error(
        "mutation($i: CreatePostInput!) { createPost(input: $i) { id } }",
        {"i": {"community": community["name"], "title": "let me back"}},
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "banned" in error["message"]
    error = await bob.error(
        "mutation($i: CreateCommentInput!) { createComment(input: $i) { id } }",
        {"i": {"postId": post["id"], "body": "hello?"}},
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    viewer_is_banned = "query($c: String!) { community(name: $c) { viewerIsBanned } }"
    assert (await bob.data(viewer_is_banned, {"c": community["name"]}))["community"][
        "viewerIsBanned"
    ]
    # and after the unban
    assert (await alice.data(UNBAN, {"c": community["name"], "a": bob.account.address})) == {
        "unbanUser": True
    }
    await create_post(bob, community["name"], title="I am back")
    actions = [
        edge["node"]["action"]
        for edge in (await bob.data(MODLOG, {"c": community["name"]}))["modlog"]["edges"]
    ]
    assert actions == ["UNBAN_USER", "BAN_USER", "ELECT_MODERATOR"]  # alice, with the community


async def test_bans_are_checked(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    name = community["name"]
    error = await alice.error(BAN, {"input": {"community": name, "address": alice.account.address}})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "address"}
    error = await alice.error(BAN, {"input": {"community": name, "address": "0x" + "12" * 20}})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await alice.error(
        BAN,
        {
            "input": {
                "community": name,
                "address": bob.account.address,
                "expiresAt": "2001-01-01T00:00:00Z",
            }
        },
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "expiresAt"}
    error = await alice.error(UNBAN, {"c": name, "a": bob.account.address})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_reports_reach_the_moderators_only(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    report = "mutation($id: ID!, $r: String!) { report(targetId: $id, reason: $r) }"
    assert await bob.data(report, {"id": post["id"], "r": "off-topic"}) == {"report": True}
    # reporting again does not pile up
    assert await bob.data(report, {"id": post["id"], "r": "off-topic"}) == {"report": True}
    reports = """
    query($c: String!) {
      reports(community: $c) { edges { node { reason targetId reporter { address } } } }
    }
    """
    edges = (await alice.data(reports, {"c": community["name"]}))["reports"]["edges"]
    assert [edge["node"] for edge in edges] == [
        {
            "reason": "off-topic",
            "targetId": post["id"],
            "reporter": {"address": bob.account.address},
        }
    ]
    error = await bob.error(reports, {"c": community["name"]})
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await bob.error(report, {"id": post["id"], "r": ""})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}


async def _open_reports(client: Client, community: str) -> list[dict]:
    edges = (await client.data(REPORTS, {"c": community}))["reports"]["edges"]
    return [edge["node"] for edge in edges]


async def _all_reports(client: Client, community: str) -> list[dict]:
    edges = (await client.data(REPORTS, {"c": community, "open": False}))["reports"]["edges"]
    return [edge["node"] for edge in edges]


async def _reported_post(moderator: Client, reporter: Client) -> tuple[str, dict]:
    """A community of `moderator` with a post `reporter` reported; the report as listed."""
    community = await create_community(moderator)
    post = await create_post(moderator, community["name"])
    await reporter.data(REPORT, {"id": post["id"], "r": "off-topic"})
    [report] = await _open_reports(moderator, community["name"])
    return community["name"], report


async def test_a_resolved_report_leaves_the_queue_but_is_kept(alice: Client, bob: Client) -> None:
    # given bob's report in alice's community
    community, report = await _reported_post(alice, bob)
    assert report["resolvedAt"] is None
    assert report["resolvedBy"] is None
    # when alice resolves it
    resolved = (await alice.data(RESOLVE, {"id": report["id"]}))["resolveReport"]
    # then it says who resolved it and when
    assert resolved["id"] == report["id"]
    assert resolved["resolvedAt"] is not None
    assert resolved["resolvedBy"] == {"address": alice.account.address}
    # and it is no longer among the open reports, but is listed with the resolved ones
    assert await _open_reports(alice, community) == []
    assert await _all_reports(alice, community) == [{**report, **resolved}]


async def test_resolving_a_resolved_report_changes_nothing(alice: Client, bob: Client) -> None:
    community, report = await _reported_post(alice, bob)
    first = (await alice.data(RESOLVE, {"id": report["id"]}))["resolveReport"]
    again = (await alice.data(RESOLVE, {"id": report["id"]}))["resolveReport"]
    assert again == first


async def test_a_reopened_report_is_back_in_the_queue(alice: Client, bob: Client) -> None:
    # given a resolved report
    community, report = await _reported_post(alice, bob)
    await alice.data(RESOLVE, {"id": report["id"]})
    # when alice reopens it
    reopened = (await alice.data(REOPEN, {"id": report["id"]}))["reopenReport"]
    # then it is open again, and reopening twice is as harmless as resolving twice
    assert reopened == {"id": report["id"], "resolvedAt": None, "resolvedBy": None}
    assert (await alice.data(REOPEN, {"id": report["id"]}))["reopenReport"] == reopened
    assert await _open_reports(alice, community) == [report]


async def test_reporting_again_reopens_a_resolved_report(alice: Client, bob: Client) -> None:
    # given bob's resolved report
    community, report = await _reported_post(alice, bob)
    await alice.data(RESOLVE, {"id": report["id"]})
    # when bob reports the same post again
    await bob.data(REPORT, {"id": report["targetId"], "r": "still off-topic"})
    # then the same report is back in the queue with what bob says now
    assert await _open_reports(alice, community) == [{**report, "reason": "still off-topic"}]


async def test_open_reports_page_without_skipping_or_repeating(alice: Client, bob: Client) -> None:
    # given four reports of which the second is resolved
    community = (await create_community(alice))["name"]
    posts = [await create_post(alice, community) for _ in range(4)]
    for post in posts:
        await bob.data(REPORT, {"id": post["id"], "r": "spam"})
    reports = await _open_reports(alice, community)
    await alice.data(RESOLVE, {"id": reports[2]["id"]})
    # when alice pages through the open ones two at a time
    seen, after = [], None
    while True:
        page = (await alice.data(REPORTS, {"c": community, "first": 2, "after": after}))["reports"]
        seen += [edge["node"]["targetId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then she sees every open one once, newest first
    assert seen == [posts[3]["id"], posts[2]["id"], posts[0]["id"]]


async def test_only_the_moderators_handle_reports(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    # given bob's report in alice's community, and bob moderating a community of his own
    community, report = await _reported_post(alice, bob)
    await create_community(bob)
    for mutation in (RESOLVE, REOPEN):
        # then neither bob nor a visitor can resolve or reopen it
        error = await bob.error(mutation, {"id": report["id"]})
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert f"moderators of c/{community}" in error["message"]
        error = await anonymous.error(mutation, {"id": report["id"]})
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    # and it is still open
    assert await _open_reports(alice, community) == [report]


async def test_report_ids_are_checked(alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    unknown = base64.urlsafe_b64encode(b"Report:999999999").decode().rstrip("=")
    for mutation in (RESOLVE, REOPEN):
        error = await alice.error(mutation, {"id": unknown})
        assert error["extensions"]["code"] == "NOT_FOUND"
        error = await alice.error(mutation, {"id": post["id"]})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
        error = await alice.error(mutation, {"id": "not an id"})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def _ban(moderator: Client, community: str, member: Client, **fields: str) -> None:
    input = {"community": community, "address": member.account.address, **fields}
    await moderator.data(BAN, {"input": input})


async def test_moderators_list_the_people_banned_newest_first(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given bob banned for good, then carol until next year
    community = (await create_community(alice))["name"]
    await _ban(alice, community, bob, reason="trolling")
    await _ban(alice, community, carol, expiresAt="2999-01-01T00:00:00+00:00")
    # when alice reads the list one ban at a time
    first = (await alice.data(BANS, {"c": community, "first": 1}))["bans"]
    after = first["pageInfo"]["endCursor"]
    second = (await alice.data(BANS, {"c": community, "first": 1, "after": after}))["bans"]
    # then she sees carol, then bob, and no more
    assert [edge["node"] for edge in first["edges"] + second["edges"]] == [
        {
            "user": {"address": carol.account.address},
            "reason": None,
            "expiresAt": "2999-01-01T00:00:00+00:00",
            "community": {"name": community},
        },
        {
            "user": {"address": bob.account.address},
            "reason": "trolling",
            "expiresAt": None,
            "community": {"name": community},
        },
    ]
    assert first["pageInfo"]["hasNextPage"]
    assert not second["pageInfo"]["hasNextPage"]
    # and once bob is unbanned, only carol is left
    await alice.data(UNBAN, {"c": community, "a": bob.account.address})
    edges = (await alice.data(BANS, {"c": community}))["bans"]["edges"]
    assert [edge["node"]["user"]["address"] for edge in edges] == [carol.account.address]


async def test_expired_bans_are_not_listed(
    alice: Client, bob: Client, carol: Client, db: asyncpg.Connection
) -> None:
    # given bob banned for good, and carol's ban over (the API only takes future ends, so the
    # clock is moved in the database)
    community = (await create_community(alice))["name"]
    await _ban(alice, community, bob)
    await _ban(alice, community, carol, expiresAt="2999-01-01T00:00:00+00:00")
    await db.execute(
        "UPDATE bans SET expires_at = now() - interval '1 minute'"
        " WHERE user_id = (SELECT id FROM users WHERE address = lower($1))",
        carol.account.address,
    )
    # then only bob is listed
    edges = (await alice.data(BANS, {"c": community}))["bans"]["edges"]
    assert [edge["node"]["user"]["address"] for edge in edges] == [bob.account.address]


async def test_only_the_moderators_read_the_bans(
    alice: Client, bob: Client, anonymous: Client
) -> None:
    community = (await create_community(alice))["name"]
    error = await bob.error(BANS, {"c": community})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert f"moderators of c/{community}" in error["message"]
    error = await anonymous.error(BANS, {"c": community})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await alice.error(BANS, {"c": "no_such_community_here"})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await alice.error(BANS, {"c": community, "after": "bm90IGEgY3Vyc29y"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


JOIN = "mutation($c: String!) { joinCommunity(name: $c) { viewerIsMember } }"
EDIT_POST = "mutation($i: EditPostInput!) { editPost(input: $i) { body } }"
EDIT_COMMENT = "mutation($i: EditCommentInput!) { editComment(input: $i) { body } }"
VOTE = "mutation($id: ID!, $d: VoteDirection!) { vote(targetId: $id, direction: $d) { score } }"
DELETE_COMMENT = "mutation($id: ID!) { deleteComment(id: $id) { id } }"
SCORE = "query($id: ID!) { post(id: $id) { score } }"


async def test_a_banned_user_takes_no_part_in_the_community(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given bob, who had posted and commented in alice's community, then was banned
    community = await create_community(alice)
    name = community["name"]
    post = await create_post(alice, name)
    comment = await create_comment(alice, post["id"])
    bobs_post = await create_post(bob, name)
    bobs_comment = await create_comment(bob, post["id"], "before the ban")
    await _ban(alice, name, bob)
    # when he tries to take part in any way
    attempts = {
        "vote on a post": (VOTE, {"id": post["id"], "d": "UP"}),
        "vote on a comment": (VOTE, {"id": comment["id"], "d": "DOWN"}),
        "report a post": (REPORT, {"id": post["id"], "r": "spam"}),
        "report a comment": (REPORT, {"id": comment["id"], "r": "spam"}),
        "join": (JOIN, {"c": name}),
        "post": (
            "mutation($i: CreatePostInput!) { createPost(input: $i) { id } }",
            {"i": {"community": name, "title": "let me back"}},
        ),
        "comment": (
            "mutation($i: CreateCommentInput!) { createComment(input: $i) { id } }",
            {"i": {"postId": post["id"], "body": "hello?"}},
        ),
        "reply": (
            "mutation($i: CreateCommentInput!) { createComment(input: $i) { id } }",
            {"i": {"postId": post["id"], "parentId": comment["id"], "body": "hello?"}},
        ),
        "edit his post": (EDIT_POST, {"i": {"id": bobs_post["id"], "body": "edited"}}),
        "edit his comment": (EDIT_COMMENT, {"i": {"id": bobs_comment["id"], "body": "edited"}}),
    }
    # then each is refused as forbidden, saying why
    for what, (mutation, variables) in attempts.items():
        error = await bob.error(mutation, variables)
        assert error["extensions"]["code"] == "FORBIDDEN", what
        assert "banned" in error["message"], what
    # and nothing changed: no vote, no report, no edit
    assert (await alice.data(POST, {"id": post["id"]}))["post"]["title"] == post["title"]
    assert (await alice.data(POST, {"id": bobs_post["id"]}))["post"]["body"] == "Hello"
    reports = (await alice.data(REPORTS, {"c": name}))["reports"]["edges"]
    assert reports == []
    # while others still can, and bob can still delete what he wrote
    assert (await carol.data(VOTE, {"id": post["id"], "d": "UP"}))["vote"]["score"] == 1
    assert (await bob.data(DELETE_COMMENT, {"id": bobs_comment["id"]}))["deleteComment"]


async def test_a_banned_voter_voting_with_others_at_once_is_refused_alone(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given bob banned from alice's community, and a post there
    name = (await create_community(alice))["name"]
    post = await create_post(alice, name)
    await _ban(alice, name, bob)
    # when bob and carol vote on it at the same moment (one statement writes both)
    bobs, carols = await asyncio.gather(
        bob.execute(VOTE, {"id": post["id"], "d": "UP"}),
        carol.execute(VOTE, {"id": post["id"], "d": "UP"}),
    )
    # then only bob's vote is refused, as forbidden, and carol's counts
    assert bobs["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert carols["data"]["vote"]["score"] == 1
    assert (await alice.data(SCORE, {"id": post["id"]}))["post"]["score"] == 1


async def test_a_removed_post_takes_no_votes(alice: Client, bob: Client) -> None:
    # given a post a moderator removed
    post = await create_post(alice, (await create_community(alice))["name"])
    await alice.data(REMOVE_POST, {"id": post["id"]})
    # when bob votes on it, then he is told why, and nothing is counted
    error = await bob.error(VOTE, {"id": post["id"], "d": "UP"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "removed" in error["message"]
    assert (await alice.data(SCORE, {"id": post["id"]}))["post"]["score"] == 0
