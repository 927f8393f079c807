"""`Viewer.saved`: what the viewer saved, newest save first."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from api.auth.types import ViewerInfo
from api.comments import repository as comments_repository
from api.comments.types import Comment, comment_for_viewer
from api.core.extend import extend_type
from api.core.pagination import Connection, Keyset, moment, row_id
from api.core.types import After, First, Info
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer
from api.saved import repository
from api.saved.types import Saved

_FIRST_KEY = (datetime(9999, 1, 1, tzinfo=UTC), 2**63 - 1)
_SAVED = Keyset("saved", (moment, row_id), lambda r: [r["created_at"].isoformat(), r["id"]])


async def viewer_saved(
    root: ViewerInfo, info: Info, first: First = 25, after: After = None
) -> Connection[Saved]:
    """The viewer's saved posts and comments, newest save first, each as the viewer may see it
    now (one deleted since shows as deleted)."""
    key = _SAVED.start(first, after)
    rows = await repository.list_saved(
        info.context.pool,
        user_id=root.user.row_id,
        after=(key[0], key[1]) if key else _FIRST_KEY,
        limit=first + 1,
    )
    page = rows[:first]
    # The page's posts and comments in one query each.
    posts = await info.context.loaders.get(POST).load_many(
        [r["post_id"] for r in page if r["post_id"] is not None]
    )
    comments = await comments_repository.get_comment_views_by_ids(
        info.context.pool, comment_ids=[r["comment_id"] for r in page if r["comment_id"]]
    )
    # The viewer's votes, saves and standing for all of them at once, so that building each
    # item below asks nothing more.
    found = [p for p in posts if p is not None]
    await info.context.loaders.prime_page(
        post_ids=[p["id"] for p in found],
        community_ids=list({r["community_id"] for r in [*found, *comments]}),
    )
    items: dict[tuple[str, int], Post | Comment] = {}
    for post in found:
        items["Post", post["id"]] = await post_for_viewer(info, post)
    for comment in comments:
        items["Comment", comment["id"]] = await comment_for_viewer(info, comment)

    def node(row: asyncpg.Record) -> Post | Comment:
        if row["post_id"] is not None:
            return items["Post", row["post_id"]]
        return items["Comment", row["comment_id"]]

    return _SAVED.page(rows, first, node)


def attach() -> None:
    """`Viewer.saved`, attached by the schema's composition (see `api.core.extend`)."""
    extend_type(
        ViewerInfo,
        "saved",
        viewer_saved,
        description="The posts and comments they saved, most recently saved first.",
    )
