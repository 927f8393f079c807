"""SQL of votes on posts and comments."""

from __future__ import annotations

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)

# Per target kind, its queries: (write votes, read the score back).
_BY_KIND = {
    "Post": (queries.set_post_votes, queries.get_post_score),
    "Comment": (queries.set_comment_votes, queries.get_comment_score),
}


async def get_score(db: Executor, *, kind: str, target_id: int) -> asyncpg.Record | None:
    """The target's score, upvotes and downvotes, and how far the WAL is (`written`)."""
    return await db.fetchrow(_BY_KIND[kind][1], target_id)


async def set_votes(
    db: Executor, *, kind: str, target_id: int, user_ids: list[int], values: list[int]
) -> asyncpg.Record | None:
    """Record each `values[i]` (1, -1, or 0 to withdraw) as `user_ids[i]`'s only vote on the
    target, in one statement; the users must be distinct. Only votes the target takes are
    written: none on a deleted or removed target, none by a user banned from its community.
    Answers the target's state (deleted_at, removed_at) and which of the users are banned
    (banned); None if there is no such target."""
    return await db.fetchrow(_BY_KIND[kind][0], target_id, user_ids, values)


async def set_vote(db: Executor, *, kind: str, target_id: int, user_id: int, value: int) -> None:
    """Record `value` (1, -1, or 0 to withdraw) as the user's only vote on the target."""
    await set_votes(db, kind=kind, target_id=target_id, user_ids=[user_id], values=[value])
