"""The inbox: replies, mentions, removals and bans reach the people they are about, in order,
read or unread, and live."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import websockets

from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

NOTIFICATIONS = """
query($first: Int! = 25, $after: String, $unread: Boolean! = false) {
  notifications(first: $first, after: $after, unreadOnly: $unread) {
    edges { node { id kind read actor { address } post { id } comment { id }
                   community { name } proposal { id } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
UNREAD = "{ viewer { unreadNotifications } }"
MARK_READ = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }"
REMOVE_POST = "mutation($id: ID!) { removePost(id: $id) { isRemoved } }"
REMOVE_COMMENT = "mutation($id: ID!) { removeComment(id: $id) { isRemoved } }"
BAN = "mutation($input: BanUserInput!) { banUser(input: $input) { reason } }"
EDIT_COMMENT = "mutation($input: EditCommentInput!) { editComment(input: $input) { bodyHtml } }"
BLOCK_USER = "mutation($address: String!) { blockUser(address: $address, blocked: true) }"
POST_HTML = "query($id: ID!) { post(id: $id) { bodyHtml } }"
# The API's connections that listen for what the chain and the ledger write.
LISTENERS_FROM = (
    "FROM pg_stat_activity "
    "WHERE application_name = 'agora-api-listen' AND datname = current_database()"
)
LISTENERS = f"SELECT count(*) {LISTENERS_FROM}"
NOTIFICATION_ADDED = (
    "subscription { notificationAdded { kind actor { address } comment { body } } }"
)


async def inbox(client: Client, **variables: Any) -> list[dict[str, Any]]:
    data = await client.data(NOTIFICATIONS, variables)
    return [edge["node"] for edge in data["notifications"]["edges"]]


async def unread(client: Client) -> int:
    count: int = (await client.data(UNREAD))["viewer"]["unreadNotifications"]
    return count


def mention(client: Client) -> str:
    assert client.account
    return f"@{client.account.address}"


async def test_a_reply_to_your_post_or_comment_reaches_you(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given alice's post in her community
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    # when bob comments on it and carol replies to bob
    comment = await create_comment(bob, post["id"], "first!")
    reply = await create_comment(carol, post["id"], "second", parent_id=comment["id"])
    # then alice is told of bob's reply, bob of carol's
    assert await inbox(alice) == [
        {
            "id": (await inbox(alice))[0]["id"],
            "kind": "REPLY",
            "read": False,
            "actor": {"address": bob.account.address},  # type: ignore[union-attr]
            "post": {"id": post["id"]},
            "comment": {"id": comment["id"]},
            "community": {"name": community["name"]},
            "proposal": None,
        }
    ]
    [told] = await inbox(bob)
    assert (told["kind"], told["comment"], told["actor"]) == (
        "REPLY",
        {"id": reply["id"]},
        {"address": carol.account.address},  # type: ignore[union-attr]
    )
    assert await unread(alice) == 1
    # and carol, who answered, is told nothing
    assert await inbox(carol) == []
    # and a reply that also names the one it answers tells them once, as a reply
    await create_comment(carol, post["id"], f"right, {mention(bob)}?", parent_id=comment["id"])
    assert [n["kind"] for n in await inbox(bob)] == ["REPLY", "REPLY"]


async def test_someone_you_block_cannot_reach_you(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given alice, who blocks bob
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    await alice.data(BLOCK_USER, {"address": bob.account.address})  # type: ignore[union-attr]
    # when bob replies to her and names her, and carol replies too
    await create_comment(bob, post["id"], f"hear me {mention(alice)}")
    await create_comment(carol, post["id"], "hello")
    # then only carol's reply reaches her
    assert [(n["kind"], n["actor"]) for n in await inbox(alice)] == [
        ("REPLY", {"address": carol.account.address})  # type: ignore[union-attr]
    ]


async def test_your_own_actions_notify_no_one(alice: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"], body=f"note to self {mention(alice)}")
    comment = await create_comment(alice, post["id"], f"me again {mention(alice)}")
    await create_comment(alice, post["id"], "and again", parent_id=comment["id"])
    await alice.data(REMOVE_COMMENT, {"id": comment["id"]})
    assert await inbox(alice) == []
    assert await unread(alice) == 0


async def test_a_mention_reaches_whom_it_names_and_links_to_them(
    alice: Client, bob: Client, carol: Client
) -> None:
    # given a post of alice
    community = await create_community(alice)
    # when she mentions bob in a post and carol in a comment
    post = await create_post(alice, community["name"], body=f"hey {mention(bob)}, look")
    comment = await create_comment(alice, post["id"], f"and {mention(carol)} too")
    # then each is told, about the item that named them
    [to_bob] = await inbox(bob)
    assert (to_bob["kind"], to_bob["post"], to_bob["comment"]) == (
        "MENTION",
        {"id": post["id"]},
        None,
    )
    [to_carol] = await inbox(carol)
    assert (to_carol["kind"], to_carol["comment"]) == ("MENTION", {"id": comment["id"]})
    # and the post links the mention to bob's profile
    html = (await alice.data(POST_HTML, {"id": post["id"]}))["post"]["bodyHtml"]
    assert f'href="/u/{bob.account.address.lower()}"' in html  # type: ignore[union-attr]
    # and an edit that mentions carol again does not tell her twice
    await alice.data(
        EDIT_COMMENT, {"input": {"id": comment["id"], "body": f"{mention(carol)}, edited"}}
    )
    assert len(await inbox(carol)) == 1


async def test_at_most_twenty_people_can_be_mentioned_at_once(alice: Client) -> None:
    community = await create_community(alice)
    addresses = " ".join(f"@0x{n:040x}" for n in range(1, 22))
    error = await alice.error(
        "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
        {"input": {"community": community["name"], "title": "Hi all", "body": addresses}},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 20" in error["message"]


async def test_a_removal_and_a_ban_reach_the_one_they_are_about(alice: Client, bob: Client) -> None:
    # given bob's post and comment in alice's community
    community = await create_community(alice)
    post = await create_post(bob, community["name"])
    comment = await create_comment(bob, post["id"])
    # when alice removes both and bans him
    await alice.data(REMOVE_COMMENT, {"id": comment["id"]})
    await alice.data(REMOVE_POST, {"id": post["id"]})
    await alice.data(
        BAN,
        {"input": {"community": community["name"], "address": bob.account.address}},  # type: ignore[union-attr]
    )
    # then bob's inbox says so, newest first, each from alice
    told = await inbox(bob)
    assert [(n["kind"], n["post"], n["comment"]) for n in told] == [
        ("BANNED", None, None),
        ("CONTENT_REMOVED", {"id": post["id"]}, None),
        ("CONTENT_REMOVED", {"id": post["id"]}, {"id": comment["id"]}),
    ]
    assert {n["actor"]["address"] for n in told} == {alice.account.address}  # type: ignore[union-attr]
    assert {n["community"]["name"] for n in told} == {community["name"]}


async def test_mark_read_answers_how_many_changed(alice: Client, bob: Client) -> None:
    # given three replies to alice
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    for n in range(3):
        await create_comment(bob, post["id"], f"reply {n}")
    told = await inbox(alice)
    assert await unread(alice) == 3
    # when she reads the newest one (twice), then all
    assert (await alice.data(MARK_READ, {"ids": [told[0]["id"]]}))["markNotificationsRead"] == 1
    assert (await alice.data(MARK_READ, {"ids": [told[0]["id"]]}))["markNotificationsRead"] == 0
    assert [n["read"] for n in await inbox(alice)] == [True, False, False]
    assert [n["id"] for n in await inbox(alice, unread=True)] == [told[1]["id"], told[2]["id"]]
    # and bob cannot mark alice's read
    assert (await bob.data(MARK_READ, {"ids": [told[1]["id"]]}))["markNotificationsRead"] == 0
    assert (await alice.data(MARK_READ, {"ids": None}))["markNotificationsRead"] == 2
    assert await unread(alice) == 0
    assert await inbox(alice, unread=True) == []


async def test_the_inbox_pages_newest_first(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    comments = [await create_comment(bob, post["id"], f"reply {n}") for n in range(5)]
    newest_first = [{"id": c["id"]} for c in reversed(comments)]
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        data = (await alice.data(NOTIFICATIONS, {"first": 2, "after": after}))["notifications"]
        seen += [edge["node"]["comment"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == newest_first
    error = await alice.error(NOTIFICATIONS, {"first": 101})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_inbox_is_for_the_signed_in(anonymous: Client) -> None:
    error = await anonymous.error(NOTIFICATIONS)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await anonymous.error(MARK_READ, {"ids": None})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_reply_arrives_live(alice: Client, bob: Client, carol: Client, live_server) -> None:
    # given alice listening to her inbox (and carol to hers)
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    url = live_server.graphql_url.replace("http://", "ws://")
    async with listening(url, alice) as alice_ws, listening(url, carol) as carol_ws:
        # when bob replies to her
        await create_comment(bob, post["id"], "live reply")
        # then it arrives at once, to her alone
        received = await next_message(alice_ws)
        assert received == {
            "notificationAdded": {
                "kind": "REPLY",
                "actor": {"address": bob.account.address},  # type: ignore[union-attr]
                "comment": {"body": "live reply"},
            }
        }
        try:
            message = await asyncio.wait_for(carol_ws.recv(), timeout=1)
        except TimeoutError:
            message = None
        assert message is None


async def test_a_signed_out_session_hears_no_more(alice: Client, bob: Client, live_server) -> None:
    # given alice listening to her inbox, who then signs out
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    url = live_server.graphql_url.replace("http://", "ws://")
    async with listening(url, alice) as ws:
        await alice.data("mutation { signOut }")
        # when bob replies to her
        await create_comment(bob, post["id"], "are you there?")
        # then the connection ends instead of telling the signed-out session
        try:
            message = await asyncio.wait_for(ws.recv(), timeout=15)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4403
        else:
            raise AssertionError(f"a signed-out session was told: {message!r}")


class listening:
    """A graphql-transport-ws connection of `client` subscribed to its notifications."""

    def __init__(self, url: str, client: Client) -> None:
        self.url, self.client = url, client

    async def __aenter__(self) -> websockets.ClientConnection:
        self.ws = await websockets.connect(
            self.url,
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            additional_headers={"Authorization": f"Bearer {self.client.token}"},
        )
        await self.ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await self.ws.recv())["type"] == "connection_ack"
        await self.ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": NOTIFICATION_ADDED}})
        )
        # The server subscribes to Redis as the subscription starts; a moment lets it.
        await asyncio.sleep(0.5)
        return self.ws

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()


async def next_message(ws: websockets.ClientConnection) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic()))
    assert message["type"] == "next", message
    data: dict[str, Any] = message["payload"]["data"]
    return data


async def test_what_the_ledger_writes_arrives_live_after_the_listener_lost_postgresql(
    alice: Client, live_server, db
) -> None:
    # given alice listening to her inbox, and the API's listener cut off from PostgreSQL (as a
    # restart or a failover would)
    url = live_server.graphql_url.replace("http://", "ws://")
    assert alice.account
    alice_id = await db.fetchval(
        "SELECT id FROM users WHERE address = $1", alice.account.address.lower()
    )
    async with listening(url, alice) as alice_ws:
        cut = await db.fetch(f"SELECT pg_terminate_backend(pid) {LISTENERS_FROM}")
        assert cut, "the API listens for what the chain and the ledger write"
        deadline = time.monotonic() + 10
        while await db.fetchval(LISTENERS) < len(cut):
            assert time.monotonic() < deadline, "the listener did not connect again"
            await asyncio.sleep(0.1)
        # when the ledger pays her, in a transaction of its own
        await db.execute(
            "INSERT INTO notifications (user_id, kind, event_key) VALUES ($1, 'REWARD_PAID', $2)",
            alice_id,
            f"epoch:test:{time.time_ns()}",
        )
        # then it arrives at once
        received = await next_message(alice_ws)
        assert received == {
            "notificationAdded": {"kind": "REWARD_PAID", "actor": None, "comment": None}
        }
