"""Community objects as the request's viewer sees them: with their standing in each, loaded
through the request's loader (one query for a whole page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from api.communities.types import Community
from api.core.types import Info


async def community_for_viewer(info: Info, row: asyncpg.Record) -> Community:
    """A communities row as the viewer sees it."""
    return Community.from_row(row, standing=await info.context.loaders.standing.load(row["id"]))


async def communities_for_viewer(
    info: Info, rows: list[asyncpg.Record]
) -> Callable[[Any], Community]:
    """Builds the Community objects of `rows`, the viewer's standing in all loaded at once."""
    standings = await info.context.loaders.standing.load_many([r["id"] for r in rows])
    by_id = {row["id"]: standing for row, standing in zip(rows, standings, strict=True)}
    return lambda row: Community.from_row(row, standing=by_id[row["id"]])
