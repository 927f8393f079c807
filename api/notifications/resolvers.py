"""`notifications` (the viewer's inbox, newest first) and `markNotificationsRead`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.core import ids, permissions
from api.core.errors import BadUserInput
from api.core.pagination import MAX_PAGE_SIZE, Connection, Keyset, row_id
from api.core.types import After, First, Info
from api.inbox import repository
from api.notifications.types import Notification

_NOTIFICATIONS = Keyset("notifications", (row_id,), lambda r: [r["id"]])


async def notifications(
    info: Info,
    first: First = 25,
    after: After = None,
    unread_only: Annotated[bool, strawberry.argument(description="Only the unread ones.")] = False,
) -> Connection[Notification]:
    """The signed-in person's notifications, newest first; only the unread ones if asked."""
    viewer = permissions.require_viewer(info)
    key = _NOTIFICATIONS.start(first, after)
    rows = await repository.list_notifications(
        info.context.pool,
        user_id=viewer.user_id,
        before_id=key[0] if key else None,
        unread_only=unread_only,
        limit=first + 1,
    )
    return _NOTIFICATIONS.page(rows, first, Notification.from_row)


async def mark_notifications_read(
    info: Info,
    ids: Annotated[
        list[strawberry.ID] | None,
        strawberry.argument(description="The notifications' ids (at most 100); null for all."),
    ] = None,
) -> int:
    """Mark the viewer's notifications of `ids` read, or all of them when `ids` is null; how
    many were unread and are read now (ids of others' notifications change nothing)."""
    viewer = await permissions.require_writer(info)
    if ids is not None and len(ids) > MAX_PAGE_SIZE:
        raise BadUserInput(f"Mark at most {MAX_PAGE_SIZE} at once (or all).", field="ids")
    row_ids = None if ids is None else [_decode(global_id) for global_id in ids]
    return await repository.mark_read(info.context.pool, user_id=viewer.user_id, ids=row_ids)


def _decode(global_id: str) -> int:
    return ids.decode_one(global_id, "Notification", field="ids")


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class NotificationQuery:
    notifications = strawberry.field(
        description="The signed-in person's notifications, newest first.", resolver=notifications
    )


@strawberry.type
class NotificationMutation:
    mark_notifications_read = strawberry.mutation(
        description=(
            "Marks the signed-in person's notifications read; answers how many "
            "were unread and are read now."
        ),
        resolver=mark_notifications_read,
    )
