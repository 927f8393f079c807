"""The Post type (a post as some viewer sees it) and its sorts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from api import ids, visibility
from api.communities.types import Community
from api.loaders import now_or_later
from api.types import Info
from api.users.types import User
from api.votes.types import VoteDirection, direction_of


@strawberry.enum
class PostSort(Enum):
    HOT = "HOT"
    NEW = "NEW"
    TOP_DAY = "TOP_DAY"
    TOP_WEEK = "TOP_WEEK"
    TOP_ALL = "TOP_ALL"
    CONTROVERSIAL = "CONTROVERSIAL"
    ACTIVE = "ACTIVE"


@strawberry.type
class Post:
    """A post as one viewer sees it: deleted or removed content is already blanked out."""

    row_id: strawberry.Private[int]
    id: strawberry.ID
    title: str
    # Markdown source; null when deleted or removed for this viewer.
    body: str | None
    body_html: str | None
    url: str | None
    author: User | None
    community: Community
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_removed: bool
    score: int
    upvotes: int
    downvotes: int
    comment_count: int

    @strawberry.field
    def viewer_vote(self, info: Info) -> VoteDirection:
        if info.context.viewer is None:
            return VoteDirection.NONE
        return direction_of(now_or_later(info.context.loaders.viewer_post_vote.load(self.row_id)))

    @classmethod
    def from_row(cls, row: Any, *, reveal: bool = False) -> Post:
        """Build from a post_views row; `reveal` shows removed content (see api.visibility)."""
        hidden = visibility.placeholder(row, reveal)
        return cls(
            row_id=row["id"],
            id=strawberry.ID(ids.encode("Post", row["id"])),
            title=hidden or row["title"],
            body=None if hidden else row["body"],
            body_html=None if hidden else row["body_html"],
            url=None if hidden else row["url"],
            author=None if hidden else User.from_row(row, "a_"),
            community=Community.from_row(row, "c_"),
            created_at=row["created_at"],
            edited_at=row["edited_at"],
            is_deleted=row["deleted_at"] is not None,
            is_removed=row["removed_at"] is not None,
            score=row["score"],
            upvotes=row["upvotes"],
            downvotes=row["downvotes"],
            comment_count=row["comment_count"],
        )


async def post_for_viewer(info: Info, row: Any) -> Post:
    """A post of any state (not only listed ones) as the request's viewer may see it."""
    return Post.from_row(row, reveal=await visibility.reveal_removed(info, row))
