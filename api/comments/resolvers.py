"""Query fields of comments."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from api.comments import repository, tree
from api.comments.types import Comment, CommentSort, comment_for_viewer
from api.core import ids, permissions
from api.core.errors import NotFound
from api.core.extend import extend_type
from api.core.pagination import MAX_ITEMS, Connection, check_page_size
from api.core.types import After, CommentId, First, Info, PostId
from api.posts import listing
from api.posts.loaders import POST
from api.posts.types import PostSort
from api.users.types import User

# The most comments one request returns (the cost limit counts this many); deeper discussion is
# paged in by later issues' UI.
MAX_COMMENTS = 2000


async def comments(
    info: Info,
    post_id: PostId,
    sort: Annotated[
        CommentSort, strawberry.argument(description="Their order among siblings.")
    ] = CommentSort.BEST,
) -> list[Comment]:
    """The post's comments as a tree in pre-order: each comment follows its parent."""
    post_row_id = ids.decode_one(post_id, "Post", field="postId")
    if await info.context.loaders.get(POST).load(post_row_id) is None:
        raise NotFound("That post does not exist.")
    rows = await repository.get_comment_tree(
        info.context.pool, post_id=post_row_id, limit=MAX_COMMENTS
    )
    viewer = info.context.viewer
    loaders = info.context.loaders
    if viewer is not None and rows:
        # The viewer's votes and saves on the whole thread in one batched query each, loaded up
        # front so that each comment's viewerVote and viewerSaved answer at once.
        thread = [r["id"] for r in rows]
        await asyncio.gather(
            loaders.viewer_comment_vote.load_many(thread),
            loaders.viewer_comment_saved.load_many(thread),
        )
    # Removed comments stay readable to their authors and the moderators (asked once).
    moderator = any(r["removed_at"] for r in rows) and await permissions.is_moderator(
        info, rows[0]["community_id"]
    )
    blocked = (await loaders.blocks()).users
    return [
        Comment.from_row(
            row,
            reveal=moderator or (viewer is not None and viewer.user_id == row["author_id"]),
            blocked=row["author_id"] in blocked,
        )
        for row in tree.without_blocked(tree.preorder(rows, sort), blocked)
    ]


async def comment(
    info: Info,
    id: CommentId,
) -> Comment | None:
    """One comment, as the viewer may see it: what a permalink opens (its `parents` and `post`
    give the thread above it) and what the forum asks for a comment's history (a thread of up to
    MAX_COMMENTS cannot ask every comment's within the cost limit); null if there is none."""
    rows = await repository.get_comment_views_by_ids(
        info.context.pool, comment_ids=[ids.decode_one(id, "Comment")]
    )
    return await comment_for_viewer(info, rows[0]) if rows else None


# A paged field's steps, one call each (its page, its own query, its connection): alike in
# shape to the other paged fields by design.
async def user_comments(
    root: User, info: Info, first: First = 25, after: After = None
) -> Connection[Comment]:
    """A person's comments, newest first."""
    check_page_size(first)
    page = listing.start(PostSort.NEW, after)
    rows = await repository.list_by_author(
        info.context.pool, author_id=root.row_id, after=page.after, limit=first + 1
    )
    return listing.page_of(PostSort.NEW, page, rows, first, Comment.from_row)


def attach() -> None:
    """`User.comments`, attached by the schema's composition (see `api.core.extend`)."""
    extend_type(
        User,
        "comments",
        user_comments,
        before="points",
        description="Their comments, newest first.",
    )


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class CommentQuery:
    comment = strawberry.field(
        description="A comment by its id; null if there is none.", resolver=comment
    )
    comments = strawberry.field(
        description="A post's comments, as a thread.",
        resolver=comments,
        metadata={MAX_ITEMS: MAX_COMMENTS},
    )
