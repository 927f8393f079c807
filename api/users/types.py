"""The User type: a person, known by their wallet address."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from eth_utils import to_checksum_address

from api.core import ids
from api.core.pagination import Connection
from api.core.types import Info

if TYPE_CHECKING:
    from api.comments.types import Comment
    from api.posts.types import Post


@functools.lru_cache(maxsize=65536)
def checksummed(address: str) -> str:
    """EIP-55 form of a stored (lower-case) address; cached, as keccak per author per row
    was a tenth of a listing's CPU."""
    return to_checksum_address(address)


@strawberry.type
class User:
    row_id: strawberry.Private[int]
    id: strawberry.ID
    # EIP-55 checksummed.
    address: str
    display_name: str | None
    bio: str | None
    karma: int
    post_karma: int
    comment_karma: int
    created_at: datetime

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
        post_karma = row[prefix + "post_karma"]
        comment_karma = row[prefix + "comment_karma"]
        return cls(
            row_id=row[prefix + "id"],
            id=strawberry.ID(ids.encode("User", row[prefix + "id"])),
            address=checksummed(row[prefix + "address"]),
            display_name=row[prefix + "display_name"],
            bio=row[prefix + "bio"],
            karma=post_karma + comment_karma,
            post_karma=post_karma,
            comment_karma=comment_karma,
            created_at=row[prefix + "created_at"],
        )
