"""Subscriptions (graphql-transport-ws): new posts of a community or the front page, new comments
of a post, a community's proposals as their tallies and states change, and the viewer's new
notifications."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated

import strawberry
from asyncpg import Record

from api.auth import sessions
from api.comments import repository as comments
from api.comments.types import Comment
from api.communities import repository as communities
from api.communities.resolvers import proposal_in
from api.core import ids, permissions
from api.core.context import Context
from api.core.errors import NotFound, shown
from api.core.loaders import Loaders, fetch_standings
from api.core.pubsub import FRONT_PAGE
from api.core.types import CommunityName, Info, PostId
from api.core.types import subscription as resolver_subscription
from api.governance import updates
from api.governance.types import Proposal
from api.inbox import repository as inbox
from api.notifications.types import Notification
from api.posts import repository as posts
from api.posts.types import Post
from governance import community_id


def _shared(
    ctx: Context, key: tuple[str, int], fetch: Callable[[], Awaitable[list[Record]]]
) -> Awaitable[list[Record]]:
    """The rows `fetch` reads, read once for every subscription of this worker that asks at
    the same moment; shielded, so that one leaving does not cancel the read for the others."""
    return asyncio.shield(ctx.listing_cache.events.run(key, fetch))


def _post_rows(ctx: Context, post_id: int) -> Callable[[], Awaitable[list[Record]]]:
    return lambda: posts.get_post_views_by_ids(ctx.pool, post_ids=[post_id])


def _comment_rows(ctx: Context, comment_id: int) -> Callable[[], Awaitable[list[Record]]]:
    return lambda: comments.get_comment_views_by_ids(ctx.pool, comment_ids=[comment_id])


@strawberry.type(description="What can be followed live, over a WebSocket (graphql-transport-ws).")
class Subscription:
    @resolver_subscription(description="Each new post, as it is posted.")
    async def post_created(
        self,
        info: Info,
        community: Annotated[
            str | None,
            strawberry.argument(description="Only this community's (its name); null for all."),
        ] = None,
    ) -> AsyncGenerator[Post, None]:
        ctx = info.context
        scope: int | str = FRONT_PAGE
        if community is not None:
            row = await communities.get_community_by_name(ctx.pool, name=community.lower())
            if row is None:
                raise NotFound(f"There is no community named c/{shown(community)}.")
            scope = row["id"]
        # What the viewer blocks when they subscribed (the page they hold was listed so).
        blocks = await ctx.loaders.blocks()
        async for post_id in ctx.pubsub.new_posts(scope):
            # Read fresh rows: a subscription's context lives as long as the connection, so its
            # per-request loaders would serve stale data.
            rows = await _shared(ctx, ("post", post_id), _post_rows(ctx, post_id))
            if (
                rows
                and rows[0]["deleted_at"] is None
                and rows[0]["removed_at"] is None
                and rows[0]["author_id"] not in blocks.users
                and (scope != FRONT_PAGE or rows[0]["community_id"] not in blocks.communities)
            ):
                viewer_id = ctx.viewer.user_id if ctx.viewer else None
                [standing] = await fetch_standings(ctx.pool, viewer_id, [rows[0]["community_id"]])
                yield Post.from_row(rows[0], standing=standing)

    @resolver_subscription(description="Each new comment on a post.")
    async def comment_created(
        self,
        info: Info,
        post_id: PostId,
    ) -> AsyncGenerator[Comment, None]:
        ctx = info.context
        post_row_id = ids.decode_one(post_id, "Post", field="postId")
        found = await posts.get_post_views_by_ids(ctx.pool, post_ids=[post_row_id])
        if not found or found[0]["deleted_at"] is not None or found[0]["removed_at"] is not None:
            raise NotFound("There is no such post (or it was deleted or removed).")
        blocked = (await ctx.loaders.blocks()).users
        async for comment_id in ctx.pubsub.new_comments(post_row_id):
            rows = await _shared(ctx, ("comment", comment_id), _comment_rows(ctx, comment_id))
            if rows and rows[0]["author_id"] not in blocked:
                yield Comment.from_row(rows[0])

    @resolver_subscription(
        description="A proposal of the community each time its tally or state changes."
    )
    async def proposal_updated(
        self,
        info: Info,
        community: CommunityName,
    ) -> AsyncGenerator[Proposal, None]:
        """A proposal of the community each time the indexer shows its tally or state changed:
        a vote, its creation, execution or cancellation, or its vote opening or closing with
        the chain's clock (see api.governance.updates)."""
        ctx = info.context
        name = community.strip().lower()
        row = await communities.get_community_by_name(ctx.pool, name=name)
        if row is None:
            raise NotFound(f"There is no community named c/{shown(community)}.")
        async for proposal_row in updates.proposal_changes(ctx.pool, community_id(name)):
            # Fresh loaders for each update: the connection's would serve what they loaded for
            # an earlier one (the viewer's vote, their standing).
            ctx.loaders = Loaders(ctx.pool, ctx.viewer.user_id if ctx.viewer else None)
            forum = await communities.get_community_by_name(ctx.pool, name=name)
            if forum is None:
                return
            yield proposal_in(info, proposal_row, forum)

    @resolver_subscription(
        description=(
            "The signed-in person's notifications as the API writes them (a "
            "reply, a mention, a removal, a ban); it ends when their session "
            "does."
        )
    )
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        """The signed-in person's notifications as they are written: by the API (a reply, a
        mention, a removal, a ban), the indexer (a proposal opened, an election, an
        impeachment) and the ledger (a vote ending, a reward paid). It ends when the session
        that opened it does (signed out or expired): they are private."""
        ctx = info.context
        viewer = permissions.require_viewer(info)
        # A block range applied again (a reorganisation that kept the event, a replay) deletes
        # the chain's notifications and writes them anew, with new ids: one event, told once.
        told: set[tuple[str, str]] = set()
        async for notification_id in ctx.pubsub.new_notifications(viewer.user_id):
            still = await sessions.viewer_of(ctx.pool, ctx.request, ctx.listing_cache.sessions)
            if still is None or still.user_id != viewer.user_id:
                return
            ctx.loaders = Loaders(ctx.pool, viewer.user_id)
            rows = await inbox.get_notifications_by_ids(ctx.pool, ids=[notification_id])
            if not rows or rows[0]["user_id"] != viewer.user_id:
                continue
            event = (rows[0]["kind"], rows[0]["event_key"])
            if event not in told:
                told.add(event)
                yield Notification.from_row(rows[0])
