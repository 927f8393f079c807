"""SQL of search."""

from __future__ import annotations

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def search(
    db: Executor,
    *,
    query: str,
    text: str,
    after: tuple[float, int],
    limit: int,
    matches: int,
    community_id: int | None = None,
    hidden_authors: list[int] | None = None,
    hidden_communities: list[int] | None = None,
) -> list[asyncpg.Record]:
    """Run `query`, one of the `search_*` queries chosen by the kind, for `text`: up to `limit`
    rows ranked below `after`, among the newest `matches` matches; `hidden_*` what the viewer
    blocks, for the searches of posts and comments."""
    args: list[object] = [text, after[0], after[1], limit, matches]
    for optional in (community_id, hidden_authors, hidden_communities):
        if optional is not None:
            args.append(optional)
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            return await _planned_for_the_words(conn, query, args)
    return await _planned_for_the_words(db, query, args)


async def _planned_for_the_words(
    conn: asyncpg.Connection | PoolConnectionProxy, query: str, args: list[object]
) -> list[asyncpg.Record]:
    async with conn.transaction():
        await conn.execute(queries.plan_for_the_words)
        return await conn.fetch(query, *args)
