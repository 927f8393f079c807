"""`Viewer.blockedUsers` and `Viewer.blockedCommunities`, newest block first."""

from __future__ import annotations

from api.auth.types import ViewerInfo
from api.blocks import repository
from api.blocks.mutations import MAX_BLOCKS
from api.communities.for_viewer import communities_for_viewer
from api.communities.loaders import COMMUNITY
from api.communities.types import Community
from api.core.extend import extend_type
from api.core.pagination import MAX_ITEMS
from api.core.types import Info
from api.users.loaders import USER
from api.users.types import User


async def blocked_users(root: ViewerInfo, info: Info) -> list[User]:
    keys = await repository.get_blocked_users(
        info.context.pool, user_id=root.user.row_id, limit=MAX_BLOCKS
    )
    rows = await info.context.loaders.get(USER).load_many(keys)
    return [User.from_row(row) for row in rows if row is not None]


async def blocked_communities(root: ViewerInfo, info: Info) -> list[Community]:
    keys = await repository.get_blocked_communities(
        info.context.pool, user_id=root.user.row_id, limit=MAX_BLOCKS
    )
    rows = [row for row in await info.context.loaders.get(COMMUNITY).load_many(keys) if row]
    return list(map(await communities_for_viewer(info, rows), rows))


def attach() -> None:
    """The viewer's blocks, attached by the schema's composition (see `api.core.extend`)."""
    capped = {MAX_ITEMS: MAX_BLOCKS}
    extend_type(
        ViewerInfo,
        "blocked_users",
        blocked_users,
        metadata=capped,
        description=(
            "The people they block: their posts and comments are left out of what they are shown."
        ),
    )
    extend_type(
        ViewerInfo,
        "blocked_communities",
        blocked_communities,
        metadata=capped,
        description="The communities they block: left out of their listings.",
    )
