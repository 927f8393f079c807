"""Create mutations are safe to retry: the same Idempotency-Key gets the first result."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import asyncpg

from tests.support.factories import (
    CREATE_COMMENT,
    CREATE_COMMUNITY,
    CREATE_POST,
    create_community,
    create_post,
    unique_name,
)
from tests.support.graphql import Client

POST_COUNT = "query($c: String!) { community(name: $c) { postCount } }"


def with_key(client: Client, key: str) -> Client:
    """The same client, sending `key` as the Idempotency-Key of its requests."""
    return dataclasses.replace(client, headers={**client.headers, "Idempotency-Key": key})


async def test_a_retried_post_is_the_first_post(alice: Client, db: asyncpg.Connection) -> None:
    # given a post sent with a key, whose answer the client did not see
    community = await create_community(alice)
    retrying = with_key(alice, str(uuid.uuid4()))
    values = {"input": {"community": community["name"], "title": "Once", "body": "only once"}}
    first = (await retrying.data(CREATE_POST, values))["createPost"]
    # when it is sent again with the same key
    again = (await retrying.data(CREATE_POST, values))["createPost"]
    # then the answer is the first post, and there is one post
    assert again == first
    assert await db.fetchval("SELECT count(*) FROM posts WHERE title = 'Once'") == 1
    assert (await alice.data(POST_COUNT, {"c": community["name"]}))["community"]["postCount"] == 1


async def test_a_retried_comment_is_the_first_comment(
    alice: Client, db: asyncpg.Connection
) -> None:
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    retrying = with_key(alice, str(uuid.uuid4()))
    values = {"input": {"postId": post["id"], "body": "said once"}}
    first = (await retrying.data(CREATE_COMMENT, values))["createComment"]
    again = (await retrying.data(CREATE_COMMENT, values))["createComment"]
    assert again["id"] == first["id"]
    assert await db.fetchval("SELECT count(*) FROM comments WHERE body = 'said once'") == 1


async def test_a_retried_community_is_the_first_community(alice: Client) -> None:
    retrying = with_key(alice, str(uuid.uuid4()))
    values = {"input": {"name": unique_name(), "title": "Once"}}
    first = (await retrying.data(CREATE_COMMUNITY, values))["createCommunity"]
    # without the key the retry would be told the name is taken
    again = (await retrying.data(CREATE_COMMUNITY, values))["createCommunity"]
    assert again == first


async def test_retries_sent_at_the_same_instant_write_once(
    alice: Client, db: asyncpg.Connection
) -> None:
    community = await create_community(alice)
    retrying = with_key(alice, str(uuid.uuid4()))
    values = {"input": {"community": community["name"], "title": "At once", "body": "twice"}}
    answers = await asyncio.gather(*(retrying.data(CREATE_POST, values) for _ in range(5)))
    assert len({answer["createPost"]["id"] for answer in answers}) == 1
    assert await db.fetchval("SELECT count(*) FROM posts WHERE title = 'At once'") == 1


async def test_the_same_key_with_another_input_is_a_conflict(alice: Client) -> None:
    # given a key used for one post
    community = await create_community(alice)
    retrying = with_key(alice, str(uuid.uuid4()))
    first = {"input": {"community": community["name"], "title": "First", "body": "a"}}
    await retrying.data(CREATE_POST, first)
    # when it comes with another post, or another kind of write
    other_post = {"input": {"community": community["name"], "title": "Second", "body": "b"}}
    post_error = await retrying.error(CREATE_POST, other_post)
    community_error = await retrying.error(
        CREATE_COMMUNITY, {"input": {"name": unique_name(), "title": "Other"}}
    )
    # then both are refused as conflicts, and nothing else was written
    assert post_error["extensions"]["code"] == "CONFLICT"
    assert "Idempotency-Key" in post_error["message"]
    assert community_error["extensions"]["code"] == "CONFLICT"
    assert (await alice.data(POST_COUNT, {"c": community["name"]}))["community"]["postCount"] == 1


async def test_keys_belong_to_one_account(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    key = str(uuid.uuid4())
    values = {"input": {"community": community["name"], "title": "Mine", "body": "mine"}}
    alices = (await with_key(alice, key).data(CREATE_POST, values))["createPost"]
    bobs = (await with_key(bob, key).data(CREATE_POST, values))["createPost"]
    assert alices["id"] != bobs["id"]
    assert bobs["author"]["address"] == bob.account.address


async def test_a_key_is_kept_for_a_day(alice: Client, db: asyncpg.Connection) -> None:
    # given a key used two days ago
    community = await create_community(alice)
    key = str(uuid.uuid4())
    first = {"input": {"community": community["name"], "title": "Old", "body": "old"}}
    old = (await with_key(alice, key).data(CREATE_POST, first))["createPost"]
    await db.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE key = $1", key
    )
    # when it comes again, with another post
    second = {"input": {"community": community["name"], "title": "New", "body": "new"}}
    new = (await with_key(alice, key).data(CREATE_POST, second))["createPost"]
    # then it is a new key: a new post
    assert new["id"] != old["id"] and new["title"] == "New"


async def test_a_failed_write_leaves_its_key_free(alice: Client) -> None:
    # given a post refused (no such community) under a key
    retrying = with_key(alice, str(uuid.uuid4()))
    missing = {"input": {"community": unique_name(), "title": "Lost", "body": "x"}}
    assert (await retrying.error(CREATE_POST, missing))["extensions"]["code"] == "NOT_FOUND"
    # when the community exists and the same request is sent again, then it is written
    await create_community(alice, missing["input"]["community"])
    assert (await retrying.data(CREATE_POST, missing))["createPost"]["title"] == "Lost"


async def test_a_malformed_key_is_refused(alice: Client) -> None:
    community = await create_community(alice)
    values = {"input": {"community": community["name"], "title": "Keyed", "body": "x"}}
    error = await with_key(alice, "k" * 256).error(CREATE_POST, values)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Idempotency-Key" in error["message"]
