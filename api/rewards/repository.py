"""Reads of the ledger's books (migration 0006) and of the operator's outbox (0005). The API
never writes them: the ledger (`ledger/`) is their one writer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def list_user_rewards(
    db: Executor,
    *,
    user_id: int,
    community_id: int | None,
    after: tuple[datetime, int, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    ends_at, after_community, after_epoch = after or (None, None, None)
    return await db.fetch(
        queries.list_user_rewards,
        user_id,
        community_id,
        ends_at,
        after_community,
        after_epoch,
        limit,
    )


async def get_user_payouts(
    db: Executor, *, keys: list[tuple[int, int, int]]
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_user_payouts, *_columns(keys, 3))


async def get_reward_lines(
    db: Executor, *, keys: list[tuple[int, int, int]]
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_reward_lines, *_columns(keys, 3))


async def get_epoch_lines(
    db: Executor, *, keys: list[tuple[int, int]], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_epoch_lines, *_columns(keys, 2), limit)


async def get_epochs(db: Executor, *, keys: list[tuple[int, int]]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_epochs, *_columns(keys, 2))


async def list_community_epochs(
    db: Executor, *, community_id: int, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_community_epochs, community_id, before, limit)


async def get_payouts(db: Executor, *, keys: list[tuple[int, int]]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_payouts, *_columns(keys, 2))


async def get_user_totals(db: Executor, *, community_id: int, user_id: int) -> asyncpg.Record:
    row = await db.fetchrow(queries.get_user_totals, community_id, user_id)
    assert row is not None  # an aggregate answers one row
    return row


def _columns(keys: Sequence[tuple[int, ...]], width: int) -> list[list[int]]:
    """Composite keys as one array per column, for `unnest` on the SQL side."""
    return [[key[i] for key in keys] for i in range(width)]


async def get_epoch_by_name(db: Executor, *, name: str, number: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_epoch_by_name, name, number)


async def get_distribution(db: Executor, *, community_id: int, number: int) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_distribution, community_id, number)
