"""SQL of posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def get_post_views_by_ids(db: Executor, *, post_ids: list[int]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_post_views_by_ids, post_ids)


async def list_posts(
    db: Executor,
    *,
    query: str,
    after: tuple[Any, int],
    limit: int,
    scope_id: int | None,
    since: datetime | None,
    hidden_authors: list[int] | None = None,
    hidden_communities: list[int] | None = None,
) -> list[asyncpg.Record]:
    """Run `query`, one of the `list_*` queries, chosen by the caller's sort.

    `scope_id` is the community (or, for `list_by_author`, the author) the list is limited to;
    `hidden_*` what the viewer blocks, for the queries that leave it out (the sorts' listings:
    authors in all, communities on the front page).
    """
    args: list[Any] = [after[0], after[1], limit]
    for optional in (scope_id, since, hidden_authors, hidden_communities):
        if optional is not None:
            args.append(optional)
    return await db.fetch(query, *args)


async def create_post(
    db: Executor,
    *,
    community_id: int,
    author_id: int,
    title: str,
    body: str | None,
    body_html: str | None,
    url: str | None,
) -> int:
    post_id: int = await db.fetchval(
        queries.create_post, community_id, author_id, title, body, body_html, url
    )
    return post_id


async def lock_post(db: Executor, *, post_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.lock_post, post_id)


async def edit_post(
    db: Executor, *, post_id: int, body: str | None, body_html: str | None, url: str | None
) -> None:
    await db.execute(queries.edit_post, post_id, body, body_html, url)


async def delete_post(db: Executor, *, post_id: int) -> None:
    await db.execute(queries.delete_post, post_id)


async def remove_post(db: Executor, *, post_id: int) -> None:
    await db.execute(queries.remove_post, post_id)


async def get_revisions_of_posts(
    db: Executor, *, post_ids: list[int], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_revisions_of_posts, post_ids, limit)
