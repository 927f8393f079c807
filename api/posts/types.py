"""The Post type (a post as some viewer sees it) and its sorts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from api import ids, visibility
from api.communities.types import Community
from api.types import Info
from api.users.types import User
from api.votes.types import VoteDirection

REMOVED = "[removed]"
DELETED = "[deleted]"


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
    row_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    row: strawberry.Private[Any]
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
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Post", self.row_id))

    def _shown(self, info: Info, value: Any, placeholder: Any = None) -> Any:
        return visibility.shown(
            info,
            value,
            deleted=self.is_deleted,
            removed=self.is_removed,
            author_id=self.author_id,
            community_id=self.community.row_id,
            placeholder=placeholder,
        )

    @strawberry.field
    def title(self, info: Info) -> str:
        return self._shown(info, self.row["title"], DELETED if self.is_deleted else REMOVED)

    @strawberry.field
    def body(self, info: Info) -> str | None:
        return self._shown(info, self.row["body"])

    @strawberry.field
    def body_html(self, info: Info) -> str | None:
        return self._shown(info, self.row["body_html"])

    @strawberry.field
    def url(self, info: Info) -> str | None:
        return self._shown(info, self.row["url"])

    @strawberry.field
    def author(self, info: Info) -> User | None:
        return self._shown(info, User.from_row(self.row, "a_"))

    @strawberry.field
    def viewer_vote(self, info: Info) -> VoteDirection:
        if info.context.viewer is None:
            return VoteDirection.NONE

        async def load() -> VoteDirection:
            return VoteDirection.from_int(
                await info.context.loaders.viewer_post_vote.load(self.row_id)
            )

        return load()  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> Post:
        """Build from a post_views row."""
        return cls(
            row_id=row["id"],
            author_id=row["author_id"],
            row=row,
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
