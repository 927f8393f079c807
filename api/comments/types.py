"""The Comment type and comment sorts."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Any

import asyncpg
import strawberry

from api.comments import repository
from api.core import ids, visibility
from api.core.loaders import LoaderKey, Loaders, now_or_later
from api.core.pagination import MAX_ITEMS
from api.core.rows import columns
from api.core.types import Info
from api.core.types import field as resolver_field
from api.posts.loaders import POST
from api.posts.types import (
    MAX_REVISIONS,
    Authored,
    Post,
    Revision,
    post_for_viewer,
    revisions_by_key,
)
from api.users.types import User
from api.votes.types import VoteDirection, direction_of


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="The orders of a post's comments.")
class CommentSort(Enum):
    BEST = strawberry.enum_value(
        "BEST", description="By the lower bound of the Wilson score interval (Reddit's best)."
    )
    TOP = strawberry.enum_value("TOP", description="Highest score first.")
    NEW = strawberry.enum_value("NEW", description="Newest first.")
    OLD = strawberry.enum_value("OLD", description="Oldest first.")


# How deep a thread goes: a comment has at most MAX_DEPTH - 1 parents.
MAX_DEPTH = 100


async def _load_comment_revisions(loaders: Loaders, keys: list[int]) -> list[list[Revision]]:
    rows = await repository.get_revisions_of_comments(
        loaders.pool, comment_ids=keys, limit=MAX_REVISIONS
    )
    return revisions_by_key(rows, keys, "comment_id")


COMMENT_REVISIONS: LoaderKey[int, list[Revision]] = LoaderKey(
    "comment_revisions", _load_comment_revisions
)


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(description="A comment on a post, or a reply to another comment.")
class Comment(Authored):
    """A comment as one viewer sees it: deleted or removed content is already blanked out."""

    REVISIONS = COMMENT_REVISIONS

    post_row_id: strawberry.Private[int]
    path: strawberry.Private[list[int]]
    id: strawberry.ID = strawberry.field(description="The comment's global id.")
    post_id: strawberry.ID = strawberry.field(description="The id of the post it is on.")
    parent_id: strawberry.ID | None = strawberry.field(
        description="The id of the comment it replies to; null for a top-level comment."
    )
    depth: int = strawberry.field(
        description="How many comments it is under (0 for a top-level comment)."
    )
    body: str | None = strawberry.field(
        description="Its text in markdown; null when deleted or removed for this viewer."
    )
    created_at: datetime = strawberry.field(description="When it was written.")
    # The viewer blocks its author, and it is kept only to hold the replies under it.
    is_blocked: bool = strawberry.field(
        description=(
            "Whether the viewer blocks its author: it is kept (empty) only to "
            "hold the replies under it."
        )
    )
    reply_count: int = strawberry.field(description="How many replies it has, at every depth.")

    def history_hidden(self) -> bool:
        """A blocked author's comment shows no history either."""
        return self.is_blocked

    @resolver_field(description="The post it is on.")
    async def post(self, info: Info) -> Post:
        row = await info.context.loaders.get(POST).load(self.post_row_id)
        assert row is not None  # posts are never deleted (a deleted post keeps its row)
        return await post_for_viewer(info, row)

    @resolver_field(
        metadata={MAX_ITEMS: MAX_DEPTH - 1},
        description="The comments it is under, the top-level one first.",
    )
    async def parents(self, info: Info) -> list[Comment]:
        """The comments this one answers, from the top of its thread down to its parent: what a
        permalink to one comment shows above it."""
        ancestors = self.path[:-1]
        if not ancestors:
            return []
        rows = await repository.get_comment_views_by_ids(info.context.pool, comment_ids=ancestors)
        rows.sort(key=lambda row: row["depth"])
        return [await comment_for_viewer(info, row) for row in rows]

    @resolver_field(
        graphql_type=VoteDirection,
        description=(
            "The signed-in person's vote on it (NONE when they have not voted, "
            "or nobody is signed in)."
        ),
    )
    def viewer_vote(self, info: Info) -> VoteDirection | Awaitable[VoteDirection]:
        if info.context.viewer is None:
            return VoteDirection.NONE
        return direction_of(
            now_or_later(info.context.loaders.viewer_comment_vote.load(self.row_id))
        )

    @resolver_field(graphql_type=bool, description="Whether the signed-in person saved it.")
    def viewer_saved(self, info: Info) -> Any:
        """At once if the thread's saves were loaded up front, else an awaitable."""
        if info.context.viewer is None:
            return False
        return now_or_later(info.context.loaders.viewer_comment_saved.load(self.row_id))

    @classmethod
    def from_row(
        cls, row: asyncpg.Record, *, reveal: bool = False, blocked: bool = False
    ) -> Comment:
        """Build from a comment_views row; `reveal` shows removed content (api.core.visibility),
        `blocked` hides the content of an author the viewer blocks."""
        hidden = blocked or visibility.placeholder(row, reveal) is not None
        parent = row["parent_id"]
        return cls(
            **columns(row, "author_id", "community_id", "path", "depth", "created_at", "edited_at"),
            **columns(row, "score", "upvotes", "downvotes", "reply_count"),
            row_id=row["id"],
            post_row_id=row["post_id"],
            id=strawberry.ID(ids.encode("Comment", row["id"])),
            post_id=strawberry.ID(ids.encode("Post", row["post_id"])),
            parent_id=strawberry.ID(ids.encode("Comment", parent)) if parent else None,
            body=None if hidden else row["body"],
            body_html=None if hidden else row["body_html"],
            author=None if hidden else User.from_row(row["author"]),
            is_deleted=row["deleted_at"] is not None,
            is_removed=row["removed_at"] is not None,
            is_blocked=blocked,
        )


async def comment_for_viewer(info: Info, row: asyncpg.Record) -> Comment:
    return Comment.from_row(row, reveal=await visibility.reveal_removed(info, row))
