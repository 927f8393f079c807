"""Small factories: the few lines of arrangement most tests share, through the public API."""

from __future__ import annotations

import itertools
import os
from typing import Any

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

VOTE = """
mutation Vote($targetId: ID!, $direction: VoteDirection!) {
  vote(targetId: $targetId, direction: $direction) { score upvotes downvotes viewerVote }
}
"""


def unique_name(prefix: str = "c") -> str:
    return f"{prefix}{os.getpid() % 1000}_{next(_counter)}"


async def create_community(
    client: Client, name: str | None = None, **fields: Any
) -> dict[str, Any]:
    values = {"name": name or unique_name(), "title": "A community", **fields}
    return (await client.data(CREATE_COMMUNITY, {"input": values}))["createCommunity"]


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
