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
    return await db.fetch(query, *args)
