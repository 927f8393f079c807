"""What a viewer sees of deleted and removed content.

Deleted content (by its author) is hidden from everyone; removed content (by a moderator) from
all but its author and the community's moderators. Visible content, which is nearly all of it,
answers without awaiting anything.
"""

from __future__ import annotations

from typing import Any

from api import permissions
from api.types import Info


def shown(
    info: Info,
    value: Any,
    *,
    deleted: bool,
    removed: bool,
    author_id: int,
    community_id: int,
    placeholder: Any = None,
) -> Any:
    """`value`, or `placeholder` when this viewer may not see it (an awaitable if it must ask)."""
    if deleted:
        return placeholder
    if not removed:
        return value

    async def check() -> Any:
        allowed = await permissions.can_see_removed(
            info, author_id=author_id, community_id=community_id
        )
        return value if allowed else placeholder

    return check()
