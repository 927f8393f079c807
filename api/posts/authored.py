"""What a post and a comment share as things a person writes and may take back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import asyncpg
import strawberry

from agora.db import Executor
from api.core import ids, permissions
from api.core.context import Viewer
from api.core.types import Info
from api.inbox import events
from api.inbox.repository import About


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


async def edit_own(
    info: Info,
    viewer: Viewer,
    row_id: int,
    kind: Literal["Post", "Comment"],
    *,
    mentioned: list[str],
    lock: Callable[[Executor, int], Awaitable[asyncpg.Record]],
    edit: Callable[[Executor], Awaitable[None]],
) -> None:
    """Write the viewer's new version of their own post or comment `row_id`, checked already.

    `lock` locks the row (NOT_FOUND when it is missing or deleted), the row is checked to be
    the viewer's and not removed, `edit` writes the new version, and those it names in
    `mentioned` get a MENTION; the shared pages and their inboxes learn of it once the
    transaction has committed."""
    async with info.context.pool.acquire() as conn, conn.transaction():
        row = await lock(conn, row_id)
        permissions.require_editable(viewer, row, kind.lower())
        await edit(conn)
        if kind == "Post":
            about = About(community_id=row["community_id"], post_id=row_id)
        else:
            about = About(row["community_id"], row["post_id"], row_id)
        written = await events.mentioned_in(
            conn, about=about, actor_id=viewer.user_id, mentions=mentioned
        )
    await events.content_written(info.context.pubsub, written)
