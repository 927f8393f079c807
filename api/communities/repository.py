"""SQL of communities, their members and their moderators."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def get_communities_by_ids(db: Executor, *, community_ids: list[int]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_communities_by_ids, community_ids)


async def get_community_by_name(db: Executor, *, name: str) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_community_by_name, name)


async def create_community(
    db: Executor,
    *,
    name: str,
    title: str,
    description: str,
    description_html: str,
    rules: list[str],
    creator_id: int,
) -> asyncpg.Record | None:
    """Insert the community; None if the name is taken."""
    return await db.fetchrow(
        queries.create_community, name, title, description, description_html, rules, creator_id
    )


async def list_communities_popular(
    db: Executor, *, after: tuple[int, int] | None, limit: int
) -> list[asyncpg.Record]:
    members, last_id = after or (None, None)
    return await db.fetch(queries.list_communities_popular, members, last_id, limit)


async def list_communities_new(
    db: Executor, *, after: tuple[datetime, int] | None, limit: int
) -> list[asyncpg.Record]:
    created, last_id = after or (None, None)
    return await db.fetch(queries.list_communities_new, created, last_id, limit)


async def list_communities_name(
    db: Executor, *, after: str | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_communities_name, after, limit)


async def join_community(db: Executor, *, community_id: int, user_id: int) -> None:
    await db.execute(queries.join_community, community_id, user_id)


async def leave_community(db: Executor, *, community_id: int, user_id: int) -> None:
    await db.execute(queries.leave_community, community_id, user_id)


async def get_moderators_of_communities(
    db: Executor, *, community_ids: list[int], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_moderators_of_communities, community_ids, limit)


async def get_joined_communities(db: Executor, *, user_id: int, limit: int) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_joined_communities, user_id, limit)


async def get_chain_of_communities(
    db: Executor, *, community_ids: list[int]
) -> list[asyncpg.Record]:
    """Each community's chain status (CONFIRMED, FAILED or PENDING) and addresses (bytes)."""
    return await db.fetch(queries.get_chain_of_communities, community_ids)
