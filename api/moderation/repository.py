"""SQL of moderation: the public log, bans and reports."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from agora import sql
from agora.db import Executor, fetch_one

queries = sql.load(__file__)


async def log_action(
    db: Executor,
    *,
    community_id: int,
    moderator_id: int,
    action: str,
    reason: str | None,
    target_user_id: int | None = None,
    target_post_id: int | None = None,
    target_comment_id: int | None = None,
) -> int:
    """Log a moderator's action; the entry's id."""
    entry: int = await db.fetchval(
        queries.log_action,
        community_id,
        moderator_id,
        action,
        target_user_id,
        target_post_id,
        target_comment_id,
        reason,
    )
    return entry


async def ban_user(
    db: Executor,
    *,
    community_id: int,
    user_id: int,
    moderator_id: int,
    reason: str | None,
    expires_at: datetime | None,
) -> asyncpg.Record:
    return await fetch_one(
        db, queries.ban_user, community_id, user_id, moderator_id, reason, expires_at
    )


async def unban_user(db: Executor, *, community_id: int, user_id: int) -> bool:
    return await db.fetchval(queries.unban_user, community_id, user_id) is not None


async def list_modlog(
    db: Executor, *, community_id: int, before: tuple[datetime, int, int] | None, limit: int
) -> list[asyncpg.Record]:
    """Newest first; `before` is the (time, source, sequence) key of the last entry seen."""
    at, source, sequence = before or (None, None, None)
    return await db.fetch(queries.list_modlog, community_id, at, source, sequence, limit)


async def create_report(
    db: Executor,
    *,
    community_id: int,
    reporter_id: int,
    post_id: int | None,
    comment_id: int | None,
    reason: str,
) -> None:
    await db.execute(queries.create_report, community_id, reporter_id, post_id, comment_id, reason)


async def list_reports(
    db: Executor, *, community_id: int, before_id: int, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_reports, community_id, before_id, limit)


async def list_open_reports(
    db: Executor, *, community_id: int, before_id: int, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_open_reports, community_id, before_id, limit)


async def get_report_by_id(db: Executor, *, report_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_report_by_id, report_id)


async def resolve_report(db: Executor, *, report_id: int, moderator_id: int) -> None:
    await db.execute(queries.resolve_report, report_id, moderator_id)


async def reopen_report(db: Executor, *, report_id: int) -> None:
    await db.execute(queries.reopen_report, report_id)


async def list_bans(
    db: Executor, *, community_id: int, after: tuple[datetime, int] | None, limit: int
) -> list[asyncpg.Record]:
    created, last_user_id = after or (None, None)
    return await db.fetch(queries.list_bans, community_id, created, last_user_id, limit)
