"""The tips' reads from the mirror (see queries.sql)."""

from __future__ import annotations

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
