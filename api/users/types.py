"""The User type: a person, known by their wallet address."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from eth_utils import to_checksum_address

from api import ids
from api.pagination import Connection
from api.types import Info

if TYPE_CHECKING:
    from api.comments.types import Comment
    from api.posts.types import Post


@strawberry.type
class User:
    row_id: strawberry.Private[int]
    address: str
    display_name: str | None
    bio: str | None
    post_karma: int
    comment_karma: int
    created_at: datetime

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("User", self.row_id))

    @strawberry.field
    def karma(self) -> int:
        return self.post_karma + self.comment_karma

    @strawberry.field
    async def posts(
        self, info: Info, first: int = 25, after: str | None = None
    ) -> Connection[Annotated[Post, strawberry.lazy("api.posts.types")]]:
        from api.posts.resolvers import posts_by_author

        return await posts_by_author(info, author_id=self.row_id, first=first, after=after)

    @strawberry.field
    async def comments(
        self, info: Info, first: int = 25, after: str | None = None
    ) -> Connection[Annotated[Comment, strawberry.lazy("api.comments.types")]]:
        from api.comments.resolvers import comments_by_author

        return await comments_by_author(info, author_id=self.row_id, first=first, after=after)

    @classmethod
    def from_row(cls, row: Any, prefix: str = "") -> User:
        """Build from a users row, or from the `prefix`-named columns of a joined row."""
        return cls(
            row_id=row[prefix + "id"],
            address=to_checksum_address(row[prefix + "address"]),
            display_name=row[prefix + "display_name"],
            bio=row[prefix + "bio"],
            post_karma=row[prefix + "post_karma"],
            comment_karma=row[prefix + "comment_karma"],
            created_at=row[prefix + "created_at"],
        )
