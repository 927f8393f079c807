"""What a viewer sees of deleted and removed content.

Deleted content (by its author) is hidden from everyone; removed content (by a moderator) from
all but its author and the community's moderators. Whether to reveal is decided once, when a
row becomes a GraphQL object, so every field of it is then a plain value: listings, which hold
visible content only, never ask.
"""

from __future__ import annotations

import asyncpg

from api.core import permissions
from api.core.types import Info

REMOVED = "[removed]"
DELETED = "[deleted]"


async def reveal_removed(info: Info, row: asyncpg.Record) -> bool:
    """Whether this viewer may see the removed content of `row` (a post or comment view)."""
    if row["removed_at"] is None or row["deleted_at"] is not None:
        return False
    return await permissions.can_see_removed(
        info, author_id=row["author_id"], community_id=row["community_id"]
    )


def placeholder(row: asyncpg.Record, reveal: bool) -> str | None:
    """The text shown instead of the content, or None when the content is shown."""
    if row["deleted_at"] is not None:
        return DELETED
    if row["removed_at"] is not None and not reveal:
        return REMOVED
    return None
