"""Moderation: removing content, banning, reports, and the public log."""

from __future__ import annotations

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
    assert actions == ["UNBAN_USER", "BAN_USER"]


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
