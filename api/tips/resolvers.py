"""The tip fields of Post, Comment and User (`Post.tips`, `Post.tippers`, `Comment.tips`,
`User.tipsReceived`, `User.tipsSent`), read only from the indexer's mirror and attached to those
types by `api.server.schema` (see `api.core.extend`)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

import asyncpg
import strawberry

from api.comments.types import Comment
from api.core.context import Context
from api.core.extend import extend_type
from api.core.loaders import now_or_later
from api.core.pagination import Connection, Keyset, int32, row_id
from api.core.scalars import BigInt
from api.core.selection import READ_AT_ONCE
from api.core.types import After, First, Info
from api.posts.types import PAGE_LOADS, Post
from api.tips import repository
from api.tips.loaders import TIP_SUMMARY, load_post_summaries, ref_of
from api.tips.types import Tip, TipSummary
from api.users.types import User

# Which tips a person's lists show.
PaidIn = Annotated[
    str | None,
    strawberry.argument(
        description="Only those paid in this community's points (its name); null for all."
    ),
]


def _summary(info: Info, kind: str, row_id: int) -> TipSummary | Awaitable[TipSummary]:
    """At once when the item's page loaded the summaries (a listing does, see `PAGE_LOADS`), else
    an awaitable: a resolver awaiting per item was most of what a listing's `tips` cost."""
    signed_in = info.context.viewer is not None
    found = now_or_later(info.context.loaders.get(TIP_SUMMARY).load((kind, row_id)))
    if isinstance(found, asyncpg.Record):
        return _summary_of(found, signed_in=signed_in)
    return _summary_later(found, signed_in=signed_in)


async def _summary_later(row: Awaitable[asyncpg.Record], *, signed_in: bool) -> TipSummary:
    return _summary_of(await row, signed_in=signed_in)


def _summary_of(row: asyncpg.Record, *, signed_in: bool) -> TipSummary:
    return TipSummary(
        count=row["count"],
        total=BigInt(int(row["total"])),
        viewer_total=BigInt(int(row["viewer_total"])) if signed_in else None,
    )


def _post_tips_at_once(root: Post, context: Context) -> TipSummary | None:
    """`Post.tips` when the post's page loaded it (`READ_AT_ONCE`)."""
    found = now_or_later(context.loaders.get(TIP_SUMMARY).load(("Post", root.row_id)))
    if isinstance(found, asyncpg.Record):
        return _summary_of(found, signed_in=context.viewer is not None)
    return None


def post_tips(root: Post, info: Info) -> TipSummary | Awaitable[TipSummary]:
    """What the post's author was tipped for it. Tips are not votes: the score ignores them."""
    return _summary(info, "Post", root.row_id)


def comment_tips(root: Comment, info: Info) -> TipSummary | Awaitable[TipSummary]:
    """What the comment's author was tipped for it. Tips are not votes: the score ignores them."""
    return _summary(info, "Comment", root.row_id)


_TIPS = Keyset("tips", (row_id, int32), lambda r: [r["block_number"], r["log_index"]])


# A paged field's steps, one call each (its page, its own query, its connection): alike in
# shape to the other paged fields by design.
async def post_tippers(
    root: Post, info: Info, first: First = 25, after: After = None
) -> Connection[Tip]:
    """The post's tips, newest first: who gave how much."""
    key = _TIPS.start(first, after)
    rows = await repository.list_item_tips(
        info.context.pool,
        kind="Post",
        item_id=root.row_id,
        item_ref=ref_of("Post", root.row_id),
        after=(key[0], key[1]) if key else None,
        limit=first + 1,
    )
    return _TIPS.page(rows, first, Tip.from_row)


async def _account_tips(
    root: User, info: Info, *, received: bool, community: str | None, first: int, after: str | None
) -> Connection[Tip]:
    key = _TIPS.start(first, after)
    rows = await repository.list_account_tips(
        info.context.pool,
        received=received,
        address=bytes.fromhex(root.address[2:]),
        community=community,
        after=(key[0], key[1]) if key else None,
        limit=first + 1,
    )
    return _TIPS.page(rows, first, Tip.from_row)


async def tips_received(
    root: User, info: Info, community: PaidIn = None, first: First = 25, after: After = None
) -> Connection[Tip]:
    """The tips this person received, newest first, in one community or all."""
    return await _account_tips(
        root, info, received=True, community=community, first=first, after=after
    )


async def tips_sent(
    root: User, info: Info, community: PaidIn = None, first: First = 25, after: After = None
) -> Connection[Tip]:
    """The tips this person gave, newest first, in one community or all."""
    return await _account_tips(
        root, info, received=False, community=community, first=first, after=after
    )


def attach() -> None:
    """Add the tip fields to Post, Comment and User: tips name posts and comments, which build on
    users, so this domain sits above them."""
    extend_type(
        Post,
        "tips",
        post_tips,
        description="The tips it received.",
        graphql_type=TipSummary,
        metadata={READ_AT_ONCE: _post_tips_at_once},
    )
    PAGE_LOADS["tips"] = load_post_summaries
    extend_type(Post, "tippers", post_tippers, description="Its tips, newest first.")
    extend_type(
        Comment,
        "tips",
        comment_tips,
        description="The tips it received.",
        graphql_type=TipSummary,
    )
    extend_type(
        User, "tips_received", tips_received, description="The tips they received, newest first."
    )
    extend_type(User, "tips_sent", tips_sent, description="The tips they sent, newest first.")
