"""The Post type (a post as some viewer sees it) and its sorts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import asyncpg
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
from api.core.rows import columns
from api.core.types import Info
from api.core.types import field as resolver_field
from api.posts import repository
from api.users.types import User
from api.votes.types import VoteDirection


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="The orders of `posts`.")
class PostSort(Enum):
    HOT = strawberry.enum_value(
        "HOT", description="Score weighed against age: what is popular now."
    )
    NEW = strawberry.enum_value("NEW", description="Newest first.")
    TOP_HOUR = strawberry.enum_value(
        "TOP_HOUR", description="Highest score first, of the last hour."
    )
    TOP_SIX_HOURS = strawberry.enum_value(
        "TOP_SIX_HOURS", description="Highest score first, of the last six hours."
    )
    TOP_DAY = strawberry.enum_value("TOP_DAY", description="Highest score first, of the last day.")
    TOP_WEEK = strawberry.enum_value(
        "TOP_WEEK", description="Highest score first, of the last week."
    )
    TOP_MONTH = strawberry.enum_value(
        "TOP_MONTH", description="Highest score first, of the last 30 days."
    )
    TOP_YEAR = strawberry.enum_value(
        "TOP_YEAR", description="Highest score first, of the last 365 days."
    )
    TOP_ALL = strawberry.enum_value("TOP_ALL", description="Highest score first, of all time.")
    CONTROVERSIAL = strawberry.enum_value(
        "CONTROVERSIAL", description="Many votes, evenly split, first."
    )
    ACTIVE = strawberry.enum_value(
        "ACTIVE", description="As HOT, with the time of the newest comment instead of the post's."
    )
    MOST_COMMENTS = strawberry.enum_value("MOST_COMMENTS", description="Most comments first.")
    # The post with the newest comment first (a post without comments counts from its creation).
    NEW_COMMENTS = strawberry.enum_value(
        "NEW_COMMENTS",
        description=(
            "The post with the newest comment first (a post without comments "
            "counts from its creation)."
        ),
    )


@strawberry.enum(description="Which communities `posts` lists.")
class Feed(Enum):
    """Which posts the front page lists: all of them, or the viewer's communities' only."""

    ALL = strawberry.enum_value("ALL", description="Every community (but those the viewer blocks).")
    SUBSCRIBED = strawberry.enum_value(
        "SUBSCRIBED", description="Only the communities the signed-in person is a member of."
    )


# The most versions `revisions` lists (the latest ones; the cost limit counts this many).
MAX_REVISIONS = 50


@strawberry.type(description="An earlier version of a post or comment.")
class Revision:
    """What an edit replaced (Peepeth: nothing written is silently rewritten): the title and text
    as they stood until the edit made at `edited_at`."""

    title: str | None = strawberry.field(description="The title then (posts only).")
    body: str | None = strawberry.field(description="The text then, in markdown.")
    edited_at: datetime = strawberry.field(description="When it stopped being the current version.")


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


def revisions_by_key(
    rows: list[asyncpg.Record], keys: list[int], column: str
) -> list[list[Revision]]:
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


# What a post and a comment show alike, declared once: both types inherit these fields (listed
# first in the schema) and the `revisions` field; this base itself is not in the schema.
@strawberry.type
class Authored:
    """What a post and a comment show alike, as one viewer sees them."""

    row_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    body_html: str | None = strawberry.field(
        description="The text rendered to sanitized HTML; null as `body` is."
    )
    author: User | None = strawberry.field(
        description="Who wrote it; null once deleted or removed for this viewer."
    )
    edited_at: datetime | None = strawberry.field(
        description="When it was last edited; null if never."
    )
    is_deleted: bool = strawberry.field(description="Whether its author deleted it.")
    is_removed: bool = strawberry.field(description="Whether a moderator removed it.")
    score: int = strawberry.field(description="Upvotes minus downvotes.")
    upvotes: int = strawberry.field(description="How many upvotes it has.")
    downvotes: int = strawberry.field(description="How many downvotes it has.")

    # The loader of its kind's earlier versions (posts' or comments').
    REVISIONS: ClassVar[LoaderKey[int, list[Revision]]]

    def history_hidden(self) -> bool:
        """Whether its earlier versions are hidden whoever asks (a post's never are)."""
        return False

    @resolver_field(
        metadata={MAX_ITEMS: MAX_REVISIONS},
        description="Its earlier versions, oldest first (at most 20); empty if never edited.",
    )
    async def revisions(self, info: Info) -> list[Revision]:
        """What each edit replaced, oldest first (the latest MAX_REVISIONS)."""
        if self.history_hidden():
            return []
        return await visible_revisions(
            info,
            key=self.REVISIONS,
            row_id=self.row_id,
            state=(self.is_deleted, self.is_removed, self.edited_at),
            author_id=self.author_id,
            community_id=self.community_id,
        )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(description="A post in a community: a title with a markdown text or a link.")
class Post(Authored):
    """A post as one viewer sees it: deleted or removed content is already blanked out."""

    REVISIONS = POST_REVISIONS

    id: strawberry.ID = strawberry.field(description="The post's global id.")
    title: str = strawberry.field(description="Its title.")
    # Markdown source; null when deleted or removed for this viewer.
    body: str | None = strawberry.field(
        description=(
            "Its text in markdown; null for a link post, and when deleted or "
            "removed for this viewer."
        )
    )
    url: str | None = strawberry.field(description="The link it shares; null for a text post.")
    community: Community = strawberry.field(description="The community it is in.")
    created_at: datetime = strawberry.field(description="When it was posted.")
    comment_count: int = strawberry.field(description="How many comments it has.")
    # A plain value, known when the object is built: a listing asks for 25 of them, and a
    # resolver each cost more than all the post's other fields together.
    viewer_vote: VoteDirection = strawberry.field(
        description=(
            "The signed-in person's vote on it (NONE when they have not voted, "
            "or nobody is signed in)."
        )
    )
    viewer_saved: bool = strawberry.field(description="Whether the signed-in person saved it.")

    @classmethod
    def from_row(
        cls,
        row: asyncpg.Record,
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
            **columns(row, "author_id", "community_id", "created_at", "edited_at", "comment_count"),
            **columns(row, "score", "upvotes", "downvotes"),
            row_id=row["id"],
            id=strawberry.ID(ids.encode("Post", row["id"])),
            title=hidden or row["title"],
            body=None if hidden else row["body"],
            body_html=None if hidden else row["body_html"],
            url=None if hidden else row["url"],
            author=None if hidden else User.from_row(row["author"]),
            community=Community.from_row(row["community"], standing=standing),
            is_deleted=row["deleted_at"] is not None,
            is_removed=row["removed_at"] is not None,
            viewer_vote=vote,
            viewer_saved=saved,
        )


async def post_for_viewer(info: Info, row: asyncpg.Record) -> Post:
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


# Fields higher domains attach to Post (api.core.extend) whose data a listing loads with its
# page, beside the viewer's state: the field's name -> how to load it for the page's posts into
# the request's loaders, where the field's resolver then finds it at once. Filled by their
# `attach()`.
PAGE_LOADS: dict[str, Callable[[Loaders, list[int]], Awaitable[object]]] = {}


def listed_posts(info: Info) -> Callable[[Any], Post]:
    """Builds the posts of a listing whose viewer state is primed (`Loaders.prime_page`)."""
    if info.context.viewer is None:
        return Post.from_row
    votes = info.context.loaders.viewer_post_vote
    standings = info.context.loaders.standing
    saves = info.context.loaders.viewer_post_saved

    def build(row: asyncpg.Record) -> Post:
        vote = now_or_later(votes.load(row["id"]))
        standing = now_or_later(standings.load(row["community_id"]))
        saved = now_or_later(saves.load(row["id"]))
        assert isinstance(vote, int), "the page's votes were not primed"
        assert isinstance(standing, Standing), "the page's communities were not primed"
        assert isinstance(saved, bool), "the page's saves were not primed"
        return Post.from_row(row, vote=VoteDirection.from_int(vote), standing=standing, saved=saved)

    return build
