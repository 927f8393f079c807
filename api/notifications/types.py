"""The Notification type: what happened, who did it, and what it is about."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

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
from api.core.types import field as resolver_field
from api.governance.types import Proposal, encode_proposal_id
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer
from api.users.loaders import USER
from api.users.types import User


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="What a notification tells.")
class NotificationKind(Enum):
    REPLY = strawberry.enum_value("REPLY", description="Someone replied to their post or comment.")
    MENTION = strawberry.enum_value("MENTION", description="Someone mentioned them.")
    CONTENT_REMOVED = strawberry.enum_value(
        "CONTENT_REMOVED", description="A moderator removed their post or comment."
    )
    BANNED = strawberry.enum_value("BANNED", description="They were banned from a community.")
    PROPOSAL_OPENED = strawberry.enum_value(
        "PROPOSAL_OPENED", description="Voting opened on a proposal of one of their communities."
    )
    PROPOSAL_ENDING = strawberry.enum_value(
        "PROPOSAL_ENDING",
        description="Voting on a proposal of one of their communities closes soon.",
    )
    ELECTED = strawberry.enum_value("ELECTED", description="They were elected moderator.")
    IMPEACHED = strawberry.enum_value(
        "IMPEACHED", description="They were removed from the moderators."
    )
    REWARD_PAID = strawberry.enum_value(
        "REWARD_PAID", description="Their reward of an epoch was minted."
    )


async def _load_comments(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    return by_id(await comments.get_comment_views_by_ids(loaders.pool, comment_ids=keys), keys)


# The comments a page of notifications is about, in one query.
COMMENT: LoaderKey[int, asyncpg.Record | None] = LoaderKey("notification_comment", _load_comments)


@strawberry.type(description="Something that happened that concerns the signed-in person.")
class Notification:
    row: strawberry.Private[asyncpg.Record]
    id: strawberry.ID = strawberry.field(description="The notification's global id.")
    kind: NotificationKind = strawberry.field(description="What it tells.")
    created_at: datetime = strawberry.field(description="When it happened.")
    read: bool = strawberry.field(description="Whether they marked it read.")

    @resolver_field(description="Who did it, if a person.")
    async def actor(self, info: Info) -> User | None:
        """Who did it; null when the community or the chain did (an election, a reward)."""
        if self.row["actor_id"] is None:
            return None
        row = await info.context.loaders.get(USER).load(self.row["actor_id"])
        return User.from_row(row) if row else None

    @resolver_field(description="The post it is about, if any.")
    async def post(self, info: Info) -> Post | None:
        if self.row["post_id"] is None:
            return None
        row = await info.context.loaders.get(POST).load(self.row["post_id"])
        return await post_for_viewer(info, row) if row else None

    @resolver_field(description="The comment it is about, if any.")
    async def comment(self, info: Info) -> Comment | None:
        if self.row["comment_id"] is None:
            return None
        row = await info.context.loaders.get(COMMENT).load(self.row["comment_id"])
        return await comment_for_viewer(info, row) if row else None

    @resolver_field(description="The community it is about, if any.")
    async def community(self, info: Info) -> Community | None:
        if self.row["community_id"] is None:
            return None
        row = await info.context.loaders.get(COMMUNITY).load(self.row["community_id"])
        return await community_for_viewer(info, row) if row else None

    @resolver_field(description="The proposal it is about, if any.")
    async def proposal(self, info: Info) -> Proposal | None:
        if self.row["governor"] is None:
            return None
        global_id = encode_proposal_id(bytes(self.row["governor"]), int(self.row["proposal_id"]))
        return await proposal_by_id(info, strawberry.ID(global_id))

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Notification:
        return cls(
            row=row,
            id=strawberry.ID(ids.encode("Notification", row["id"])),
            kind=NotificationKind(row["kind"]),
            created_at=row["created_at"],
            read=row["read_at"] is not None,
        )
