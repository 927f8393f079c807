"""Live updates over graphql-transport-ws: new posts of a community, new comments of a post."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

POST_CREATED = (
    "subscription($c: String) { postCreated(community: $c) { id title author { address } } }"
)
COMMENT_CREATED = "subscription($p: ID!) { commentCreated(postId: $p) { id body depth } }"


class Subscription:
    """A graphql-transport-ws client for one subscription."""

    def __init__(
        self, url: str, query: str, variables: dict[str, Any], *, token: str | None = None
    ) -> None:
        self.url = url.replace("http://", "ws://")
        self.query = query
        self.variables = variables
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def __aenter__(self) -> Subscription:
        self.ws = await websockets.connect(
            self.url, subprotocols=["graphql-transport-ws"], additional_headers=self.headers
        )
        await self.ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await self.ws.recv())["type"] == "connection_ack"
        await self.ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": self.query, "variables": self.variables},
                }
            )
        )
        # the server subscribes to Redis asynchronously; give it a moment before events flow
        await asyncio.sleep(0.3)
        return self

    async def next(self) -> dict[str, Any]:
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=10))
        assert message["type"] == "next", message
        return message["payload"]["data"]

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()


async def test_a_new_post_reaches_the_communitys_subscribers(alice: Client, live_server) -> None:
    community = await create_community(alice)
    other = await create_community(alice)
    async with Subscription(live_server.graphql_url, POST_CREATED, {"c": community["name"]}) as sub:
        await create_post(alice, other["name"], title="elsewhere")
        post = await create_post(alice, community["name"], title="live!")
        received = await sub.next()
    assert received == {
        "postCreated": {
            "id": post["id"],
            "title": "live!",
            "author": {"address": alice.account.address},
        }
    }


async def test_the_front_page_hears_of_every_community(alice: Client, live_server) -> None:
    community = await create_community(alice)
    async with Subscription(live_server.graphql_url, POST_CREATED, {"c": None}) as sub:
        post = await create_post(alice, community["name"], title="anywhere")
        assert (await sub.next())["postCreated"]["id"] == post["id"]


async def test_a_new_comment_reaches_the_posts_readers(
    alice: Client, bob: Client, live_server
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    async with Subscription(live_server.graphql_url, COMMENT_CREATED, {"p": post["id"]}) as sub:
        comment = await create_comment(bob, post["id"], "first!")
        assert (await sub.next()) == {
            "commentCreated": {"id": comment["id"], "body": "first!", "depth": 0}
        }


async def test_a_blocked_persons_posts_and_comments_do_not_reach_the_blocker(
    alice: Client, bob: Client, carol: Client, live_server
) -> None:
    # given bob, who blocks alice, listening to a community and to a post of it
    community = await create_community(carol)
    post = await create_post(carol, community["name"])
    assert alice.account
    await bob.data(
        "mutation($a: String!) { blockUser(address: $a, blocked: true) }",
        {"a": alice.account.address},
    )
    url = live_server.graphql_url
    posts = Subscription(url, POST_CREATED, {"c": community["name"]}, token=bob.token)
    comments = Subscription(url, COMMENT_CREATED, {"p": post["id"]}, token=bob.token)
    async with posts as new_posts, comments as new_comments:
        # when alice, then carol, post and comment
        await create_post(alice, community["name"], title="from alice")
        await create_comment(alice, post["id"], "alice says")
        by_carol = await create_post(carol, community["name"], title="from carol")
        reply = await create_comment(carol, post["id"], "carol says")
        # then bob hears only of carol's
        assert (await new_posts.next())["postCreated"]["id"] == by_carol["id"]
        assert (await new_comments.next())["commentCreated"]["id"] == reply["id"]
