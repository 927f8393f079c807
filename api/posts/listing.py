"""Post listings: which query and which sort key serve each sort, and their cursors.

Ranking formulas (documented in docs/api.md, "Ranking") live in the database as generated
columns, so a listing is an index range scan: no rank is computed per request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg

from agora.db import Executor
from api.core.loaders import NO_BLOCKS, Blocks
from api.core.pagination import (
    Connection,
    connection,
    decode_cursor,
    encode_cursor,
    int32,
    moment,
    nothing,
    number,
    row_id,
)
from api.posts import repository
from api.posts.repository import queries
from api.posts.types import PostSort

_MAX_ID = 2**63 - 1
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SortSpec:
    """A sort's three `list_*` queries (the front page's, a community's, the viewer's
    communities'; each a query per index, deliberately), the column it orders by and the key
    before its first item."""

    query: str
    query_in_community: str
    query_subscribed: str
    column: str
    first_key: Any
    key: Callable[[Any], Any]  # checks the column's value read back from a cursor
    window: timedelta | None = None


_TOP = (
    queries.list_top,
    queries.list_top_in_community,
    queries.list_top_subscribed,
    "score",
    2**31 - 1,
    int32,
)
SORTS: dict[PostSort, SortSpec] = {
    PostSort.HOT: SortSpec(
        queries.list_hot,
        queries.list_hot_in_community,
        queries.list_hot_subscribed,
        "hot_rank",
        float("inf"),
        number,
    ),
    PostSort.NEW: SortSpec(
        queries.list_new,
        queries.list_new_in_community,
        queries.list_new_subscribed,
        "created_at",
        _FAR_FUTURE,
        moment,
    ),
    PostSort.TOP_HOUR: SortSpec(*_TOP, timedelta(hours=1)),
    PostSort.TOP_SIX_HOURS: SortSpec(*_TOP, timedelta(hours=6)),
    PostSort.TOP_DAY: SortSpec(*_TOP, timedelta(days=1)),
    PostSort.TOP_WEEK: SortSpec(*_TOP, timedelta(days=7)),
    PostSort.TOP_MONTH: SortSpec(*_TOP, timedelta(days=30)),
    PostSort.TOP_YEAR: SortSpec(*_TOP, timedelta(days=365)),
    PostSort.TOP_ALL: SortSpec(*_TOP, timedelta(days=365 * 1000)),
    PostSort.CONTROVERSIAL: SortSpec(
        queries.list_controversial,
        queries.list_controversial_in_community,
        queries.list_controversial_subscribed,
        "controversy_rank",
        float("inf"),
        number,
    ),
    PostSort.ACTIVE: SortSpec(
        queries.list_active,
        queries.list_active_in_community,
        queries.list_active_subscribed,
        "active_rank",
        float("inf"),
        number,
    ),
    PostSort.MOST_COMMENTS: SortSpec(
        queries.list_most_comments,
        queries.list_most_comments_in_community,
        queries.list_most_comments_subscribed,
        "comment_count",
        2**31 - 1,
        int32,
    ),
    PostSort.NEW_COMMENTS: SortSpec(
        queries.list_new_comments,
        queries.list_new_comments_in_community,
        queries.list_new_comments_subscribed,
        "last_activity_at",
        _FAR_FUTURE,
        moment,
    ),
}


@dataclass(frozen=True, slots=True)
class Page:
    """Where a page starts: the key after which it begins and, for TOP_*, the time window,
    which the cursor carries so that every page of one listing uses the same window."""

    after: tuple[Any, int]
    since: datetime | None


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def start(sort: PostSort, after: str | None, *, now: datetime | None = None) -> Page:
    spec = SORTS[sort]
    # The TOP_* sorts carry their window's start; the others carry null in its place.
    window_start = moment if spec.window else nothing
    key = decode_cursor(after, f"posts:{sort.value}", spec.key, row_id, window_start)
    if key is None:
        since = (now or datetime.now(UTC)) - spec.window if spec.window else None
        return Page(after=(spec.first_key, _MAX_ID), since=since)
    value, last_id, since = key
    return Page(after=(value, last_id), since=since)


def cursor_of(sort: PostSort, row: asyncpg.Record, page: Page) -> str:
    spec = SORTS[sort]
    since = page.since.isoformat() if page.since else None
    return encode_cursor(f"posts:{sort.value}", [_to_json(row[spec.column]), row["id"], since])


T = TypeVar("T")


def page_of(
    sort: PostSort,
    page: Page,
    rows: list[asyncpg.Record],
    first: int,
    node: Callable[[asyncpg.Record], T],
) -> Connection[T]:
    """The connection of up to `first + 1` rows read from `page` of the `sort` listing."""
    return connection(rows, first, node=node, cursor=lambda r: cursor_of(sort, r, page))


def hides(row: asyncpg.Record, blocks: Blocks, *, front_page: bool) -> bool:
    """Whether a viewer with `blocks` must not see this listed post: its author is blocked, or,
    on the front page, its community."""
    return row["author_id"] in blocks.users or (
        front_page and row["community_id"] in blocks.communities
    )


async def fetch(
    db: Executor,
    *,
    sort: PostSort,
    page: Page,
    limit: int,
    community_id: int | None,
    member_id: int | None = None,
    blocks: Blocks = NO_BLOCKS,
) -> list[asyncpg.Record]:
    """A page of the front page (`community_id` None), of a community's, or of the front page
    limited to the communities `member_id` joined; without what the viewer blocks: blocked
    authors everywhere, blocked communities on the front pages (a blocked community's own page
    still shows it, as on Reddit)."""
    spec = SORTS[sort]
    front_page = community_id is None
    if not front_page:
        query, scope_id = spec.query_in_community, community_id
    elif member_id is not None:
        query, scope_id = spec.query_subscribed, member_id
    else:
        query, scope_id = spec.query, None
    return await repository.list_posts(
        db,
        query=query,
        after=page.after,
        limit=limit,
        scope_id=scope_id,
        since=page.since,
        hidden_authors=list(blocks.users),
        hidden_communities=list(blocks.communities) if front_page else None,
    )
