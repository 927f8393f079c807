"""The Comment type and comment sorts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api import ids, visibility
from api.types import Info
from api.users.types import User
from api.votes.types import VoteDirection

if TYPE_CHECKING:
    from api.posts.types import Post


@strawberry.enum
class CommentSort(Enum):
    BEST = "BEST"
    TOP = "TOP"
    NEW = "NEW"
    OLD = "OLD"


@strawberry.type
class Comment:
    row_id: strawberry.Private[int]
    post_row_id: strawberry.Private[int]
    parent_row_id: strawberry.Private[int | None]
    author_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    row: strawberry.Private[Any]
    depth: int
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_removed: bool
    score: int
    upvotes: int
    downvotes: int
    reply_count: int

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Comment", self.row_id))

    @strawberry.field
    def post_id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Post", self.post_row_id))

    @strawberry.field
    def parent_id(self) -> strawberry.ID | None:
        if self.parent_row_id is None:
            return None
        return strawberry.ID(ids.encode("Comment", self.parent_row_id))

    @strawberry.field
    async def post(self, info: Info) -> Annotated[Post, strawberry.lazy("api.posts.types")]:
        from api.posts.types import Post

        return Post.from_row(await info.context.loaders.post.load(self.post_row_id))

    def _shown(self, info: Info, value: Any) -> Any:
        return visibility.shown(
            info,
            value,
            deleted=self.is_deleted,
            removed=self.is_removed,
            author_id=self.author_id,
            community_id=self.community_id,
        )

    @strawberry.field
    def body(self, info: Info) -> str | None:
        return self._shown(info, self.row["body"])

    @strawberry.field
    def body_html(self, info: Info) -> str | None:
        return self._shown(info, self.row["body_html"])

    @strawberry.field
    def author(self, info: Info) -> User | None:
        return self._shown(info, User.from_row(self.row, "a_"))

    @strawberry.field
    def viewer_vote(self, info: Info) -> VoteDirection:
        if info.context.viewer is None:
            return VoteDirection.NONE

        async def load() -> VoteDirection:
            value = await info.context.loaders.viewer_comment_vote.load(self.row_id)
            return VoteDirection.from_int(value)

        return load()  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> Comment:
        """Build from a comment_views row."""
        return cls(
            row_id=row["id"],
            post_row_id=row["post_id"],
            parent_row_id=row["parent_id"],
            author_id=row["author_id"],
            community_id=row["community_id"],
            row=row,
            depth=row["depth"],
            created_at=row["created_at"],
            edited_at=row["edited_at"],
            is_deleted=row["deleted_at"] is not None,
            is_removed=row["removed_at"] is not None,
            score=row["score"],
            upvotes=row["upvotes"],
            downvotes=row["downvotes"],
            reply_count=row["reply_count"],
        )
