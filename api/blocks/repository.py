"""SQL of blocks."""

from __future__ import annotations

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def block_user(db: Executor, *, blocker_id: int, blocked_id: int, blocked: bool) -> None:
    query = queries.block_user if blocked else queries.unblock_user
    await db.execute(query, blocker_id, blocked_id)


async def block_community(db: Executor, *, user_id: int, community_id: int, blocked: bool) -> None:
    query = queries.block_community if blocked else queries.unblock_community
    await db.execute(query, user_id, community_id)


async def count_blocks(db: Executor, *, user_id: int) -> asyncpg.Record:
    row = await db.fetchrow(queries.count_blocks, user_id)
    assert row is not None, "a SELECT without FROM answers one row"
    return row


async def get_blocked_users(db: Executor, *, user_id: int, limit: int) -> list[int]:
    return [r[0] for r in await db.fetch(queries.get_blocked_users, user_id, limit)]


async def get_blocked_communities(db: Executor, *, user_id: int, limit: int) -> list[int]:
    return [r[0] for r in await db.fetch(queries.get_blocked_communities, user_id, limit)]
