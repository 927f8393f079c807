"""SQL of the users table."""

from __future__ import annotations

import asyncpg

from agora import sql
from agora.db import Executor, fetch_one

queries = sql.load(__file__)


async def get_users_by_ids(db: Executor, *, user_ids: list[int]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_users_by_ids, user_ids)


async def get_user_by_address(db: Executor, *, address: str) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_user_by_address, address.lower())


async def upsert_user_by_address(db: Executor, *, address: str) -> asyncpg.Record:
    return await fetch_one(db, queries.upsert_user_by_address, address.lower())


async def carry_over_bans(db: Executor, *, user_id: int, address: str) -> None:
    await db.execute(queries.carry_over_bans, user_id, address.lower())


async def update_profile(
    db: Executor,
    *,
    user_id: int,
    display_name: str | None,
    set_display_name: bool,
    bio: str | None,
    set_bio: bool,
) -> asyncpg.Record:
    return await fetch_one(
        db, queries.update_profile, user_id, set_display_name, display_name, set_bio, bio
    )


async def get_token_standings(
    db: Executor, *, community_ids: list[bytes], holders: list[bytes]
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_token_standings, community_ids, holders)


async def list_holder_communities(
    db: Executor, *, holder: bytes, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_holder_communities, holder, limit)
