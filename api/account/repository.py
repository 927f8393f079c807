"""SQL of the account's own data: the export's sections and the deletion's steps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)
sections = sql.load(__file__, "export.sql")

# Rows fetched per round trip while an export streams: its memory is bounded by this, not by
# how much the account wrote.
EXPORT_PREFETCH = 500


async def export_section(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, query: str, *, user_id: int
) -> AsyncIterator[asyncpg.Record]:
    """The rows of one query of export.sql (`sections.x`), through a cursor: call it inside a
    transaction."""
    async for row in conn.cursor(query, user_id, prefetch=EXPORT_PREFETCH):
        yield row


async def lock_account(db: Executor, *, user_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.lock_account, user_id)


async def delete_account(db: Executor, *, user_id: int) -> list[bytes]:
    """Everything a deletion changes, for an account locked by lock_account; the token hashes of
    the sessions it ended."""
    await db.execute(queries.delete_posts, user_id)
    await db.execute(queries.delete_comments, user_id)
    await db.execute(queries.leave_communities, user_id)
    await db.execute(queries.forget_private_lists, user_id)
    ended = [row["token_hash"] for row in await db.fetch(queries.end_sessions, user_id)]
    await db.execute(queries.detach_account, user_id)
    return ended
