"""`Query.search`: full-text search of what the forum shows, ranked, in keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import asyncpg
import strawberry

from api.comments.types import Comment
from api.communities.for_viewer import communities_for_viewer
from api.communities.resolvers import community_id_or_404
from api.communities.types import Community
from api.core import validation
from api.core.pagination import Keyset, check_page_size, number, row_id
from api.core.types import After, First, Info
from api.posts.resolvers import prime_viewer_state
from api.posts.types import Post, listed_posts
from api.search import repository
from api.search.repository import queries
from api.search.types import SearchConnection, SearchKind
from api.users.types import User

# What a search box takes: a few words or a quoted phrase, not a document.
MAX_QUERY_LENGTH = 200
# How many of the newest matches a search ranks (see queries.sql): 40 pages of 25.
MAX_MATCHES = 1000


def _rank(value: object) -> float:
    """A rank read back from a cursor: what ts_rank writes (a non-negative `real`)."""
    rank = number(value)
    if not 0 <= rank < 1e30:  # (a larger one cannot be sent as a real at all)
        raise ValueError("not a rank")
    return rank


# Each kind its own cursor kind: a place among posts is no place among people.
_KEYSETS = {
    kind: Keyset(f"search:{kind.value}", (_rank, row_id), lambda r: [r["rank"], r["id"]])
    for kind in SearchKind
}

_QUERIES = {
    SearchKind.POSTS: (queries.search_posts, queries.search_posts_in_community),
    SearchKind.COMMENTS: (queries.search_comments, queries.search_comments_in_community),
}


async def search(
    info: Info,
    query: Annotated[str, strawberry.argument(description="The words to look for.")],
    kind: Annotated[
        SearchKind, strawberry.argument(description="What to look for.")
    ] = SearchKind.POSTS,
    community: Annotated[
        str | None,
        strawberry.argument(description="Only in this community (its name); null for everywhere."),
    ] = None,
    first: First = 25,
    after: After = None,
) -> SearchConnection:
    """Visible posts, comments, communities or people matching `query` (words, "a phrase",
    `or`, `-word`), best match first. `community` limits posts and comments to one community;
    communities and people are found forum-wide."""
    check_page_size(first)
    text = validation.text(query, field="query", label="The search", max_length=MAX_QUERY_LENGTH)
    keyset = _KEYSETS[kind]
    key = keyset.after(after)
    start = (key[0], key[1]) if key else (float("inf"), 0)
    community_id = None
    if community is not None and kind in _QUERIES:
        community_id = await community_id_or_404(info, community)
    hidden_authors = hidden_communities = None
    if kind in _QUERIES:
        everywhere, in_community = _QUERIES[kind]
        sql = everywhere if community_id is None else in_community
        # What the viewer blocks is gone from their searches as from their listings.
        blocks = await info.context.loaders.blocks()
        hidden_authors = list(blocks.users)
        hidden_communities = list(blocks.communities) if community_id is None else None
    else:
        sql = queries.search_communities if kind is SearchKind.COMMUNITIES else queries.search_users
    rows = await repository.search(
        info.context.pool,
        query=sql,
        text=text,
        after=start,
        limit=first + 1,
        matches=MAX_MATCHES,
        community_id=community_id,
        hidden_authors=hidden_authors,
        hidden_communities=hidden_communities,
    )
    found = keyset.page(rows, first, await _builder(info, kind, rows[:first]))
    return SearchConnection(edges=found.edges, page_info=found.page_info)


async def _builder(
    info: Info, kind: SearchKind, rows: list[asyncpg.Record]
) -> Callable[[asyncpg.Record], Post | Comment | Community | User]:
    """How the rows of `kind` become objects, the viewer's state loaded for all at once."""
    if kind is SearchKind.POSTS:
        await prime_viewer_state(info, rows)
        return listed_posts(info)
    if kind is SearchKind.COMMENTS:
        if info.context.viewer is not None and rows:
            await info.context.loaders.viewer_comment_vote.load_many([r["id"] for r in rows])
        return Comment.from_row
    if kind is SearchKind.COMMUNITIES:
        return await communities_for_viewer(info, rows)
    return User.from_row


@strawberry.type
class SearchQuery:
    search = strawberry.field(description="Full-text search, best match first.", resolver=search)
