"""Query fields of posts: one post, and the listings."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated, Any, cast

import asyncpg
import strawberry

from api.communities.resolvers import community_id_or_404
from api.core import ids, permissions
from api.core.extend import extend_type
from api.core.loaders import Blocks
from api.core.pagination import Connection, check_page_size
from api.core.selection import asked_at
from api.core.types import After, First, Info, PostId
from api.posts import listing
from api.posts import repository as posts_repository
from api.posts.loaders import POST
from api.posts.types import (
    PAGE_LOADS,
    Feed,
    Post,
    PostSort,
    listed_posts,
    post_for_viewer,
)
from api.users.types import User


async def post(
    info: Info,
    id: PostId,
) -> Post | None:
    row = await info.context.loaders.get(POST).load(ids.decode_one(id, "Post"))
    return await post_for_viewer(info, row) if row else None


async def posts(
    info: Info,
    feed: Annotated[
        Feed,
        strawberry.argument(
            description=(
                "Every community, or those the viewer is a member of (ignored with `community`)."
            )
        ),
    ] = Feed.ALL,
    community: Annotated[
        str | None, strawberry.argument(description="Only this community's posts (its name).")
    ] = None,
    sort: Annotated[PostSort, strawberry.argument(description="Their order.")] = PostSort.HOT,
    first: First = 25,
    after: After = None,
) -> Connection[Post]:
    """The front page (no community) or a community's page, in the given sort. The front page
    of the feed SUBSCRIBED lists only the communities the viewer joined; a community's page is
    that community's, whatever the feed."""
    check_page_size(first)
    ctx = info.context
    member_id = permissions.require_viewer(info).user_id if feed is Feed.SUBSCRIBED else None
    community_id = None if community is None else await community_id_or_404(info, community)
    page = listing.start(sort, after)
    # This request's own page (never kept in, nor served from, the cache every reader shares).
    own_page = partial(listing.fetch, ctx.pool, sort=sort, page=page, limit=first + 1)
    if member_id is not None and community_id is None:
        rows = await own_page(community_id=None, member_id=member_id)
    else:
        rows = await _shared_page(info, sort, page, after, first, community_id)
    blocks = await prime_viewer_state(info, rows)
    if any(listing.hides(row, blocks, front_page=community_id is None) for row in rows):
        # Rare: the viewer blocks someone on this page. Their page is their own: the same keyset
        # range without what they block.
        rows = await own_page(community_id=community_id, member_id=member_id, blocks=blocks)
        await prime_viewer_state(info, rows)
    return listing.page_of(sort, page, rows, first, listed_posts(info))


async def _shared_page(
    info: Info,
    sort: PostSort,
    page: listing.Page,
    after: str | None,
    first: int,
    community_id: int | None,
) -> list[Any]:
    """A page that is the same for every reader, from the listing cache when it holds it."""
    ctx = info.context
    cache = ctx.listing_cache
    cache_key = (community_id, sort, after, first)
    # (not a page older than the viewer's own latest write: they see their vote's score)
    found = cache.listings.get_stamped(cache_key, since=ctx.own_write) if cache.enabled else None
    if found is not None:
        rows, stamp = found
        # (the answer holds what this page holds: a shared answer is stamped no later)
        ctx.read_stamp = min(ctx.read_stamp, stamp)
        return rows
    generation = cache.listings.generation
    rows = await listing.fetch(
        ctx.pool, sort=sort, page=page, limit=first + 1, community_id=community_id
    )
    if cache.enabled:
        cache.listings.put(cache_key, rows, generation=generation, stamp=ctx.read_stamp)
    return rows


async def prime_viewer_state(info: Info, rows: list[asyncpg.Record]) -> Blocks:
    """The viewer's own votes, saves and standing, joined to a (possibly shared) page per
    request, and the data of the attached fields its posts are asked (`PAGE_LOADS`), at the
    same time; answers whom and what the viewer blocks, which the same query tells."""
    loaders = info.context.loaders
    post_ids = [r["id"] for r in rows]
    asked = asked_at(info, ("edges", "node"))
    primed = loaders.prime_page(
        post_ids=post_ids, community_ids=list({r["community_id"] for r in rows})
    )
    loads = [load(loaders, post_ids) for name, load in PAGE_LOADS.items() if name in asked]
    if not loads:
        return await primed
    blocks, *_ = await asyncio.gather(primed, *loads)
    return cast(Blocks, blocks)


# A paged field's steps, one call each (its page, its own query, its connection): alike in
# shape to the other paged fields by design.
async def user_posts(
    root: User, info: Info, first: First = 25, after: After = None
) -> Connection[Post]:
    """A person's posts, newest first (a NEW listing limited to one author)."""
    check_page_size(first)
    page = listing.start(PostSort.NEW, after)
    rows = await posts_repository.list_posts(
        info.context.pool,
        query=posts_repository.queries.list_by_author,
        after=page.after,
        limit=first + 1,
        scope_id=root.row_id,
        since=None,
    )
    await prime_viewer_state(info, rows)
    return listing.page_of(PostSort.NEW, page, rows, first, listed_posts(info))


def attach() -> None:
    """`User.posts`, attached by the schema's composition (see `api.core.extend`)."""
    extend_type(
        User, "posts", user_posts, before="points", description="Their posts, newest first."
    )


@strawberry.type
class PostQuery:
    post = strawberry.field(description="A post by its id; null if there is none.", resolver=post)
    posts = strawberry.field(
        description="A listing of posts: the front page, a feed or a community's.", resolver=posts
    )
