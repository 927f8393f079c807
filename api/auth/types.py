"""Types of signing in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.communities.types import Community
from api.core.pagination import MAX_ITEMS
from api.core.types import Info
from api.core.types import field as resolver_field
from api.inbox import repository as inbox
from api.users.types import User

# The most joined communities the viewer is shown (the query's LIMIT; the cost limit counts it).
MAX_JOINED_COMMUNITIES = 500


@strawberry.type(
    description=(
        "A Sign-In with Ethereum (EIP-4361) message for the wallet to sign, "
        "then to give to `signIn`."
    )
)
class SignInChallenge:
    message: str = strawberry.field(
        description="The exact EIP-4361 message to sign with the wallet (personal_sign)."
    )
    nonce: str = strawberry.field(description="The single-use nonce the message carries.")
    expires_at: datetime = strawberry.field(
        description="When the message stops being accepted by `signIn`."
    )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description="A signed-in session: for the browser a cookie, for scripts a bearer token."
)
class Session:
    token: str = strawberry.field(
        description=(
            "The session's bearer token, for clients that send `Authorization: "
            "Bearer` instead of the cookie."
        )
    )
    csrf_token: str = strawberry.field(
        description=(
            "The token a cookie session sends in the `X-CSRF-Token` header with every write."
        )
    )
    expires_at: datetime = strawberry.field(
        description="When the session ends; sign in again after it."
    )
    user: User = strawberry.field(description="The account signed in.")


@strawberry.type(
    name="Viewer",
    description=(
        "The signed-in person, and what only they see: their communities, "
        "inbox count, saved items and blocks."
    ),
)
class ViewerInfo:
    user: User = strawberry.field(description="Their account.")
    csrf_token: str = strawberry.field(
        description=(
            "The token a cookie session sends in the `X-CSRF-Token` header with every write."
        )
    )
    joined_communities: list[Community] = strawberry.field(
        description="The communities they are a member of (at most 500).",
        metadata={MAX_ITEMS: MAX_JOINED_COMMUNITIES},
    )

    @resolver_field(description="How many of their notifications are unread.")
    async def unread_notifications(self, info: Info) -> int:
        """How many of the viewer's notifications are unread: one query, whatever the page."""
        viewer = info.context.viewer
        assert viewer is not None  # a Viewer is only built for a signed-in request
        return await inbox.count_unread(info.context.pool, user_id=viewer.user_id)
