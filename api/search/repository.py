"""SQL of search."""

from __future__ import annotations

import asyncpg

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
) -> list[asyncpg.Record]:
    """Run `query`, one of the `search_*` queries chosen by the kind, for `text`: up to `limit`
    rows ranked below `after`, among the newest `matches` matches."""
    args: list[object] = [text, after[0], after[1], limit, matches]
    if community_id is not None:
        args.append(community_id)
    return await db.fetch(query, *args)
