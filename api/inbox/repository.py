"""SQL of the inbox."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


@dataclass(frozen=True, slots=True)
class Written:
    """A notification written, to announce to its recipient once its transaction commits."""

    id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class About:
    """What a notification links to."""

    community_id: int | None = None
    post_id: int | None = None
    comment_id: int | None = None

    def columns(self) -> tuple[int | None, int | None, int | None]:
        """As `notify` takes them: post, comment, community."""
        return self.post_id, self.comment_id, self.community_id


async def notify(
    db: Executor,
    *,
    recipients: list[int],
    kind: str,
    event_key: str,
    actor_id: int | None,
    about: About,
) -> list[Written]:
    rows = await db.fetch(queries.notify, recipients, kind, event_key, actor_id, *about.columns())
    return [Written(row["id"], row["user_id"]) for row in rows]


async def notify_mentions(
    db: Executor,
    *,
    addresses: list[str],
    event_key: str,
    actor_id: int,
    about: About,
    except_user: int | None = None,
) -> list[Written]:
    if not addresses:
        return []
    rows = await db.fetch(
        queries.notify_mentions, addresses, event_key, actor_id, *about.columns(), except_user
    )
    return [Written(row["id"], row["user_id"]) for row in rows]


async def count_unread(db: Executor, *, user_id: int) -> int:
    count: int = await db.fetchval(queries.count_unread, user_id)
    return count


async def list_notifications(
    db: Executor, *, user_id: int, before_id: int | None, unread_only: bool, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_notifications, user_id, before_id, unread_only, limit)


async def get_notifications_by_ids(db: Executor, *, ids: list[int]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_notifications_by_ids, ids)


async def mark_read(db: Executor, *, user_id: int, ids: list[int] | None) -> int:
    count: int = await db.fetchval(queries.mark_read, user_id, ids)
    return count
