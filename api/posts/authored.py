"""What a post and a comment share as things a person writes and may take back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import asyncpg
import strawberry

from agora.db import Executor
from api.core import ids, permissions
from api.core.types import Info
from api.inbox import events


async def delete_own(
    info: Info,
    id: strawberry.ID,
    kind: Literal["Post", "Comment"],
    *,
    lock: Callable[[Executor, int], Awaitable[asyncpg.Record]],
    delete: Callable[[Executor, int], Awaitable[None]],
) -> int:
    """Delete the viewer's own post or comment of global id `id`, and return its row id.

    `lock` locks the row (NOT_FOUND when it is missing or deleted already), the author is
    checked on the locked row, `delete` deletes it; the shared pages learn of it once the
    transaction has committed."""
    viewer = await permissions.require_writer(info)
    row_id = ids.decode_one(id, kind)
    async with info.context.pool.acquire() as conn, conn.transaction():
        row = await lock(conn, row_id)
        permissions.require_author(viewer, row["author_id"], kind.lower())
        await delete(conn, row_id)
    await events.content_written(info.context.pubsub)
    return row_id
