"""The tips' reads from the mirror (see queries.sql)."""

from __future__ import annotations

from typing import Any

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)

# (block number, log index): a tip's place on the chain, the keyset of its pages.
Place = tuple[int, int]


async def get_tip_summaries(
    db: Executor, *, items: list[tuple[str, int, bytes]], viewer_id: int | None
) -> list[asyncpg.Record]:
    return await db.fetch(
        queries.get_tip_summaries,
        [kind for kind, _, _ in items],
        [item_id for _, item_id, _ in items],
        [ref for _, _, ref in items],
        viewer_id,
    )


async def list_item_tips(
    db: Executor, *, kind: str, item_id: int, item_ref: bytes, after: Place | None, limit: int
) -> list[asyncpg.Record]:
    block, log_index = after or (None, None)
    return await db.fetch(queries.list_item_tips, kind, item_id, item_ref, block, log_index, limit)


async def list_account_tips(
    db: Executor,
    *,
    received: bool,
    address: bytes,
    community: str | None,
    after: Place | None,
    limit: int,
) -> list[asyncpg.Record]:
    block, log_index = after or (None, None)
    return await db.fetch(
        queries.list_account_tips, received, address, community, block, log_index, limit
    )


async def get_tip_target(db: Executor, *, kind: str, item_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_tip_target, kind, item_id)


async def get_points(db: Executor, *, token: bytes, holder: bytes) -> int:
    return int(await db.fetchval(queries.get_points, token, holder))


async def record_tip_relay(
    db: Executor, *, key: str, payload: dict[str, Any]
) -> asyncpg.Record | None:
    return await db.fetchrow(queries.record_tip_relay, key, payload)


async def get_tip_relay(db: Executor, *, relay_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_tip_relay, relay_id)
