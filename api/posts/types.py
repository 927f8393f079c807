"""The Post type (a post as some viewer sees it) and its sorts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from api.communities.types import Community
from api.core import ids, permissions, visibility
from api.core.loaders import (
    NO_STANDING,
    LoaderKey,
    Loaders,
    Standing,
    grouped_in_order,
    now_or_later,
)
from api.core.pagination import MAX_ITEMS
from api.core.types import Info
from api.posts import repository
from api.users.types import User
from api.votes.types import VoteDirection


@strawberry.enum
class PostSort(Enum):
    HOT = "HOT"
    NEW = "NEW"
    TOP_HOUR = "TOP_HOUR"
    TOP_SIX_HOURS = "TOP_SIX_HOURS"
    TOP_DAY = "TOP_DAY"
    TOP_WEEK = "TOP_WEEK"
    TOP_MONTH = "TOP_MONTH"
    TOP_YEAR = "TOP_YEAR"
    TOP_ALL = "TOP_ALL"
    CONTROVERSIAL = "CONTROVERSIAL"
    ACTIVE = "ACTIVE"
    MOST_COMMENTS = "MOST_COMMENTS"
    # The post with the newest comment first (a post without comments counts from its creation).
    NEW_COMMENTS = "NEW_COMMENTS"


@strawberry.enum
class Feed(Enum):
    """Which posts the front page lists: all of them, or the viewer's communities' only."""

    ALL = "ALL"
    SUBSCRIBED = "SUBSCRIBED"


# The most versions `revisions` lists (the latest ones; the cost limit counts this many).
MAX_REVISIONS = 50


@strawberry.type
class Revision:
    """What an edit replaced (Peepeth: nothing written is silently rewritten): the title and text
    as they stood until the edit made at `edited_at`."""

    title: str | None
    body: str | None
    edited_at: datetime


async def visible_revisions(
    info: Info,
    *,
    key: LoaderKey[int, list[Revision]],
    row_id: int,
    state: tuple[bool, bool, datetime | None],
    author_id: int,
    community_id: int,
) -> list[Revision]:
    """The history of a post or comment for this viewer: none when deleted; when removed, only
    for its author and the community's moderators (who may see the removed text itself)."""
    deleted, removed, edited_at = state
    if deleted or edited_at is None:  # never edited: no history, and no query
        return []
    if removed and not await permissions.can_see_removed(
        info, author_id=author_id, community_id=community_id
    ):
        return []
    return await info.context.loaders.get(key).load(row_id)


def revisions_by_key(rows: list[Any], keys: list[int], column: str) -> list[list[Revision]]:
    """Revision rows (of posts or comments, oldest first) grouped per key of `column`, in the
    order of `keys`: what a revisions loader answers."""
    return [
        [Revision(title=r.get("title"), body=r["body"], edited_at=r["edited_at"]) for r in group]
        for group in grouped_in_order(rows, keys, lambda r: r[column])
    ]


async def _load_post_revisions(loaders: Loaders, keys: list[int]) -> list[list[Revision]]:
    rows = await repository.get_revisions_of_posts(loaders.pool, post_ids=keys, limit=MAX_REVISIONS)
    return revisions_by_key(rows, keys, "post_id")


POST_REVISIONS: LoaderKey[int, list[Revision]] = LoaderKey("post_revisions", _load_post_revisions)


@strawberry.type
class Post:
    """A post as one viewer sees it: deleted or removed content is already blanked out."""

    row_id: strawberry.Private[int]
    author_row_id: strawberry.Private[int]
    community_row_id: strawberry.Private[int]
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
    # A plain value, known when the object is built: a listing asks for 25 of them, and a
    # resolver each cost more than all the post's other fields together.
    viewer_vote: VoteDirection
    viewer_saved: bool

    @strawberry.field(metadata={MAX_ITEMS: MAX_REVISIONS})
    async def revisions(self, info: Info) -> list[Revision]:
        """What each edit replaced, oldest first (the latest MAX_REVISIONS)."""
        return await visible_revisions(
            info,
            key=POST_REVISIONS,
            row_id=self.row_id,
            state=(self.is_deleted, self.is_removed, self.edited_at),
            author_id=self.author_row_id,
            community_id=self.community_row_id,
        )

    @classmethod
    def from_row(
        cls,
        row: Any,
        *,
        reveal: bool = False,
        vote: VoteDirection = VoteDirection.NONE,
        standing: Standing = NO_STANDING,
        saved: bool = False,
    ) -> Post:
        """Build from a post_views row; `reveal` shows removed content (see api.core.visibility),
        `vote` is the viewer's, `standing` theirs in the post's community, `saved` whether they
        saved it."""
        hidden = visibility.placeholder(row, reveal)
        return cls(
            row_id=row["id"],
            author_row_id=row["author_id"],
            community_row_id=row["community_id"],
            id=strawberry.ID(ids.encode("Post", row["id"])),
            title=hidden or row["title"],
            body=None if hidden else row["body"],
            body_html=None if hidden else row["body_html"],
            url=None if hidden else row["url"],
            author=None if hidden else User.from_row(row["author"]),
            community=Community.from_row(row["community"], standing=standing),
            created_at=row["created_at"],
            edited_at=row["edited_at"],
            is_deleted=row["deleted_at"] is not None,
            is_removed=row["removed_at"] is not None,
            score=row["score"],
            upvotes=row["upvotes"],
            downvotes=row["downvotes"],
            comment_count=row["comment_count"],
            viewer_vote=vote,
            viewer_saved=saved,
        )


async def post_for_viewer(info: Info, row: Any) -> Post:
    """A post of any state (not only listed ones) as the request's viewer may see it."""
    if info.context.viewer is None:
        return Post.from_row(row)
    loaders = info.context.loaders
    return Post.from_row(
        row,
        reveal=await visibility.reveal_removed(info, row),
        vote=VoteDirection.from_int(await loaders.viewer_post_vote.load(row["id"])),
        standing=await loaders.standing.load(row["community_id"]),
        saved=await loaders.viewer_post_saved.load(row["id"]),
    )


def listed_posts(info: Info) -> Callable[[Any], Post]:
    """Builds the posts of a listing whose viewer state is primed (`Loaders.prime_page`)."""
    if info.context.viewer is None:
        return Post.from_row
    votes = info.context.loaders.viewer_post_vote
    standings = info.context.loaders.standing
    saves = info.context.loaders.viewer_post_saved

    def build(row: Any) -> Post:
        vote = now_or_later(votes.load(row["id"]))
        standing = now_or_later(standings.load(row["community_id"]))
        saved = now_or_later(saves.load(row["id"]))
        assert isinstance(vote, int), "the page's votes were not primed"
        assert isinstance(standing, Standing), "the page's communities were not primed"
        assert isinstance(saved, bool), "the page's saves were not primed"
        return Post.from_row(row, vote=VoteDirection.from_int(vote), standing=standing, saved=saved)

    return build
