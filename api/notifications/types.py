"""The Notification type: what happened, who did it, and what it is about."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import asyncpg
import strawberry

from api.comments import repository as comments
from api.comments.types import Comment, comment_for_viewer
from api.communities.for_viewer import community_for_viewer
from api.communities.loaders import COMMUNITY
from api.communities.resolvers import proposal as proposal_by_id
from api.communities.types import Community
from api.core import ids
from api.core.loaders import LoaderKey, Loaders, by_id
from api.core.types import Info
from api.governance.types import Proposal, encode_proposal_id
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer
from api.users.loaders import USER
from api.users.types import User


@strawberry.enum
class NotificationKind(Enum):
    REPLY = "REPLY"
    MENTION = "MENTION"
    CONTENT_REMOVED = "CONTENT_REMOVED"
    BANNED = "BANNED"
    PROPOSAL_OPENED = "PROPOSAL_OPENED"
    PROPOSAL_ENDING = "PROPOSAL_ENDING"
    ELECTED = "ELECTED"
    IMPEACHED = "IMPEACHED"
    REWARD_PAID = "REWARD_PAID"


async def _load_comments(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    return by_id(await comments.get_comment_views_by_ids(loaders.pool, comment_ids=keys), keys)


# The comments a page of notifications is about, in one query.
COMMENT: LoaderKey[int, asyncpg.Record | None] = LoaderKey("notification_comment", _load_comments)


@strawberry.type
class Notification:
    row: strawberry.Private[Any]
    id: strawberry.ID
    kind: NotificationKind
    created_at: datetime
    read: bool

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        """Who did it; null when the community or the chain did (an election, a reward)."""
        if self.row["actor_id"] is None:
            return None
        row = await info.context.loaders.get(USER).load(self.row["actor_id"])
        return User.from_row(row) if row else None

    @strawberry.field
    async def post(self, info: Info) -> Post | None:
        if self.row["post_id"] is None:
            return None
        row = await info.context.loaders.get(POST).load(self.row["post_id"])
        return await post_for_viewer(info, row) if row else None

    @strawberry.field
    async def comment(self, info: Info) -> Comment | None:
        if self.row["comment_id"] is None:
            return None
        row = await info.context.loaders.get(COMMENT).load(self.row["comment_id"])
        return await comment_for_viewer(info, row) if row else None

    @strawberry.field
    async def community(self, info: Info) -> Community | None:
        if self.row["community_id"] is None:
            return None
        row = await info.context.loaders.get(COMMUNITY).load(self.row["community_id"])
        return await community_for_viewer(info, row) if row else None

    @strawberry.field
    async def proposal(self, info: Info) -> Proposal | None:
        if self.row["governor"] is None:
            return None
        global_id = encode_proposal_id(bytes(self.row["governor"]), int(self.row["proposal_id"]))
        return await proposal_by_id(info, strawberry.ID(global_id))

    @classmethod
    def from_row(cls, row: Any) -> Notification:
        return cls(
            row=row,
            id=strawberry.ID(ids.encode("Notification", row["id"])),
            kind=NotificationKind(row["kind"]),
            created_at=row["created_at"],
            read=row["read_at"] is not None,
        )
