"""Types of signing in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.communities.types import Community
from api.users.types import User


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
    joined_communities: list[Community]
