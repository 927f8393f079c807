"""SQL of votes on posts and comments."""

from __future__ import annotations

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)

# Per target kind: (upsert, delete, read the score back).
_BY_KIND = {
    "Post": ("upsert_post_vote", "delete_post_vote", "get_post_score"),
    "Comment": ("upsert_comment_vote", "delete_comment_vote", "get_comment_score"),
}


async def get_score(db: Executor, *, kind: str, target_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(getattr(queries, _BY_KIND[kind][2]), target_id)


async def set_vote(db: Executor, *, kind: str, target_id: int, user_id: int, value: int) -> None:
    """Record `value` (1, -1, or 0 to withdraw) as the user's only vote on the target."""
    upsert, delete, _ = _BY_KIND[kind]
    if value == 0:
        await db.execute(getattr(queries, delete), target_id, user_id)
    else:
        await db.execute(getattr(queries, upsert), target_id, user_id, value)


async def get_post_votes_of_user(
    db: Executor, *, user_id: int, post_ids: list[int]
) -> dict[int, int]:
    rows = await db.fetch(queries.get_post_votes_of_user, user_id, post_ids)
    return {r["post_id"]: r["value"] for r in rows}


async def get_comment_votes_of_user(
    db: Executor, *, user_id: int, comment_ids: list[int]
) -> dict[int, int]:
    rows = await db.fetch(queries.get_comment_votes_of_user, user_id, comment_ids)
    return {r["comment_id"]: r["value"] for r in rows}
