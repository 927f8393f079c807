"""SQL of saved items."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def save_post(db: Executor, *, user_id: int, post_id: int, saved: bool) -> None:
    await db.execute(queries.save_post if saved else queries.unsave_post, user_id, post_id)


async def save_comment(db: Executor, *, user_id: int, comment_id: int, saved: bool) -> None:
    query = queries.save_comment if saved else queries.unsave_comment
    await db.execute(query, user_id, comment_id)


async def list_saved(
    db: Executor, *, user_id: int, after: tuple[datetime, int], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_saved, user_id, after[0], after[1], limit)
