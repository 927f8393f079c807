"""SQL of comments."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def get_comment_views_by_ids(db: Executor, *, comment_ids: list[int]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_comment_views_by_ids, comment_ids)


async def get_comment_tree(db: Executor, *, post_id: int, limit: int) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_comment_tree, post_id, limit)


async def list_by_author(
    db: Executor, *, author_id: int, after: tuple[datetime, int], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_by_author, after[0], after[1], limit, author_id)


async def get_comment_for_reply(db: Executor, *, comment_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_comment_for_reply, comment_id)


async def create_comment(
    db: Executor,
    *,
    post_id: int,
    parent_id: int | None,
    parent_path: list[int],
    author_id: int,
    body: str,
    body_html: str,
) -> int:
    comment_id: int = await db.fetchval(
        queries.create_comment, post_id, parent_id, parent_path, author_id, body, body_html
    )
    if parent_id is not None:
        await db.execute(queries.count_reply, parent_id)
    await db.execute(queries.count_comment_on_post, post_id)
    return comment_id


async def lock_comment(db: Executor, *, comment_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.lock_comment, comment_id)


async def edit_comment(db: Executor, *, comment_id: int, body: str, body_html: str) -> None:
    await db.execute(queries.edit_comment, comment_id, body, body_html)


async def delete_comment(db: Executor, *, comment_id: int) -> None:
    await db.execute(queries.delete_comment, comment_id)


async def remove_comment(db: Executor, *, comment_id: int) -> None:
    await db.execute(queries.remove_comment, comment_id)


async def get_revisions_of_comments(
    db: Executor, *, comment_ids: list[int], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_revisions_of_comments, comment_ids, limit)
