"""SQL of votes on posts and comments."""

from __future__ import annotations

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)

# Per target kind, its queries: (upsert, delete, read the score back).
_BY_KIND = {
    "Post": (queries.upsert_post_vote, queries.delete_post_vote, queries.get_post_score),
    "Comment": (
        queries.upsert_comment_vote,
        queries.delete_comment_vote,
        queries.get_comment_score,
    ),
}


async def get_score(db: Executor, *, kind: str, target_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(_BY_KIND[kind][2], target_id)


async def set_vote(db: Executor, *, kind: str, target_id: int, user_id: int, value: int) -> None:
    """Record `value` (1, -1, or 0 to withdraw) as the user's only vote on the target."""
    upsert, delete, _ = _BY_KIND[kind]
    if value == 0:
        await db.execute(delete, target_id, user_id)
    else:
        await db.execute(upsert, target_id, user_id, value)
