"""The Comment type and comment sorts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from api.comments import repository
from api.core import ids, visibility
from api.core.loaders import now_or_later
from api.core.pagination import MAX_ITEMS
from api.core.types import Info
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer
from api.users.types import User
from api.votes.types import VoteDirection, direction_of


@strawberry.enum
class CommentSort(Enum):
    BEST = "BEST"
    TOP = "TOP"
    NEW = "NEW"
    OLD = "OLD"


# How deep a thread goes: a comment has at most MAX_DEPTH - 1 parents.
MAX_DEPTH = 100


@strawberry.type
class Comment:
    """A comment as one viewer sees it: deleted or removed content is already blanked out."""

    row_id: strawberry.Private[int]
    post_row_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    path: strawberry.Private[list[int]]
    id: strawberry.ID
    post_id: strawberry.ID
    parent_id: strawberry.ID | None
    depth: int
    body: str | None
    body_html: str | None
    author: User | None
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_removed: bool
    score: int
    upvotes: int
    downvotes: int
    reply_count: int

    @strawberry.field
    async def post(self, info: Info) -> Post:
        return await post_for_viewer(
            info, await info.context.loaders.get(POST).load(self.post_row_id)
        )

    @strawberry.field(metadata={MAX_ITEMS: MAX_DEPTH - 1})
    async def parents(self, info: Info) -> list[Comment]:
        """The comments this one answers, from the top of its thread down to its parent: what a
        permalink to one comment shows above it."""
        ancestors = self.path[:-1]
        if not ancestors:
            return []
        rows = await repository.get_comment_views_by_ids(info.context.pool, comment_ids=ancestors)
        rows.sort(key=lambda row: row["depth"])
        return [await comment_for_viewer(info, row) for row in rows]

    @strawberry.field
    def viewer_vote(self, info: Info) -> VoteDirection:
        if info.context.viewer is None:
            return VoteDirection.NONE
        return direction_of(
            now_or_later(info.context.loaders.viewer_comment_vote.load(self.row_id))
        )

    @classmethod
    def from_row(cls, row: Any, *, reveal: bool = False) -> Comment:
        """Build from a comment_views row; `reveal` shows removed content (api.core.visibility)."""
        hidden = visibility.placeholder(row, reveal) is not None
        parent = row["parent_id"]
        return cls(
            row_id=row["id"],
            post_row_id=row["post_id"],
            author_id=row["author_id"],
            community_id=row["community_id"],
            path=row["path"],
            id=strawberry.ID(ids.encode("Comment", row["id"])),
            post_id=strawberry.ID(ids.encode("Post", row["post_id"])),
            parent_id=strawberry.ID(ids.encode("Comment", parent)) if parent else None,
            depth=row["depth"],
            body=None if hidden else row["body"],
            body_html=None if hidden else row["body_html"],
            author=None if hidden else User.from_row(row["author"]),
            created_at=row["created_at"],
            edited_at=row["edited_at"],
            is_deleted=row["deleted_at"] is not None,
            is_removed=row["removed_at"] is not None,
            score=row["score"],
            upvotes=row["upvotes"],
            downvotes=row["downvotes"],
            reply_count=row["reply_count"],
        )


async def comment_for_viewer(info: Info, row: Any) -> Comment:
    return Comment.from_row(row, reveal=await visibility.reveal_removed(info, row))
