"""Small factories: the few lines of arrangement most tests share, through the public API."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from typing import Any

from agora.settings import Settings
from tests.support import chain
from tests.support.graphql import Client

_counter = itertools.count()

CREATE_COMMUNITY = """
mutation Create($input: CreateCommunityInput!) {
  createCommunity(input: $input) { id name title memberCount viewerIsModerator }
}
"""

CREATE_POST = """
mutation Post($input: CreatePostInput!) {
  createPost(input: $input) {
    id title body bodyHtml url score community { name } author { address }
  }
}
"""

CREATE_COMMENT = """
mutation Comment($input: CreateCommentInput!) {
  createComment(input: $input) { id parentId depth body bodyHtml }
}
"""

STANDING = """
query Standing($name: String!) { community(name: $name) { viewerIsModerator chain { status } } }
"""

VOTE = """
mutation Vote($targetId: ID!, $direction: VoteDirection!) {
  vote(targetId: $targetId, direction: $direction) { score upvotes downvotes viewerVote }
}
"""


def unique_name(prefix: str = "c") -> str:
    return f"{prefix}{os.getpid() % 1000}_{next(_counter)}"


async def create_community(
    client: Client, name: str | None = None, *, confirmed: bool = True, **fields: Any
) -> dict[str, Any]:
    """The community `client` creates; unless `confirmed` is False, returned once the chain has
    it and the mirror shows its creator as its moderator (the live server's sender and indexer
    take a few tenths of a second)."""
    values = {"name": name or unique_name(), "title": "A community", **fields}
    created = (await client.data(CREATE_COMMUNITY, {"input": values}))["createCommunity"]
    if confirmed:
        created = {**created, "viewerIsModerator": await until_moderator(client, created["name"])}
    return created


async def create_community_without_sender(
    client: Client, settings: Settings, name: str | None = None, **fields: Any
) -> dict[str, Any]:
    """For a server no sender runs for (`no_sender_server`, whose `settings` name its chain):
    the community `client` creates, created on-chain as the operator's sender would, returned
    once the indexer shows its creator as its moderator. Its intent stays pending, for the test
    to play the sender with."""
    assert client.account
    created = await create_community(client, name, confirmed=False, **fields)
    chain.create_onchain(settings, created["name"], client.account.address)
    return {**created, "viewerIsModerator": await until_moderator(client, created["name"])}


async def until_moderator(client: Client, name: str, *, seconds: float = 30) -> bool:
    """Waits until c/`name` is CONFIRMED on-chain and `client` moderates it (fails after
    `seconds`, or at once if its creation on-chain failed)."""
    deadline = time.monotonic() + seconds
    while True:
        community = (await client.data(STANDING, {"name": name}))["community"]
        status = community["chain"]["status"]
        if status == "CONFIRMED" and community["viewerIsModerator"]:
            return True
        if status == "FAILED" or time.monotonic() > deadline:
            raise AssertionError(
                f"c/{name} is {status}, viewerIsModerator {community['viewerIsModerator']}, "
                f"after {seconds}s: the creator should moderate it once the sender created it "
                f"on-chain and the indexer mirrored it.\n{chain.report()}"
            )
        await asyncio.sleep(0.05)


async def create_post(client: Client, community: str, **fields: Any) -> dict[str, Any]:
    values = {"community": community, "title": f"Post {next(_counter)}", "body": "Hello", **fields}
    return (await client.data(CREATE_POST, {"input": values}))["createPost"]


async def create_comment(
    client: Client, post_id: str, body: str = "A comment", parent_id: str | None = None
) -> dict[str, Any]:
    values = {"postId": post_id, "body": body, "parentId": parent_id}
    return (await client.data(CREATE_COMMENT, {"input": values}))["createComment"]


async def vote(client: Client, target_id: str, direction: str) -> dict[str, Any]:
    return (await client.data(VOTE, {"targetId": target_id, "direction": direction}))["vote"]
