"""Types of signing in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.communities.types import Community
from api.core.pagination import MAX_ITEMS
from api.core.types import Info
from api.inbox import repository as inbox
from api.users.types import User

# The most joined communities the viewer is shown (the query's LIMIT; the cost limit counts it).
MAX_JOINED_COMMUNITIES = 500


@strawberry.type
class SignInChallenge:
    message: str
    nonce: str
    expires_at: datetime


@strawberry.type
class Session:
    token: str
    csrf_token: str
    expires_at: datetime
    user: User


@strawberry.type(name="Viewer")
class ViewerInfo:
    user: User
    csrf_token: str
    joined_communities: list[Community] = strawberry.field(
        metadata={MAX_ITEMS: MAX_JOINED_COMMUNITIES}
    )

    @strawberry.field
    async def unread_notifications(self, info: Info) -> int:
        """How many of the viewer's notifications are unread: one query, whatever the page."""
        viewer = info.context.viewer
        assert viewer is not None  # a Viewer is only built for a signed-in request
        return await inbox.count_unread(info.context.pool, user_id=viewer.user_id)
