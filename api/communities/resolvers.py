"""Query fields of communities."""

from __future__ import annotations

import strawberry

from api.communities import repository
from api.communities.for_viewer import communities_for_viewer, community_for_viewer
from api.communities.types import Community, CommunitySort
from api.core.pagination import (
    Connection,
    check_page_size,
    connection,
    decode_cursor,
    encode_cursor,
    int32,
    moment,
    name,
    row_id,
)
from api.core.types import Info


async def community(info: Info, name: str) -> Community | None:
    row = await repository.get_community_by_name(info.context.pool, name=name.lower())
    return await community_for_viewer(info, row) if row else None


async def communities(
    info: Info,
    sort: CommunitySort = CommunitySort.POPULAR,
    first: int = 25,
    after: str | None = None,
) -> Connection[Community]:
    check_page_size(first)
    pool = info.context.pool
    kind = f"communities:{sort.value}"
    if sort is CommunitySort.POPULAR:
        key = decode_cursor(after, kind, int32, row_id)
        rows = await repository.list_communities_popular(
            pool, after=(key[0], key[1]) if key else None, limit=first + 1
        )
        cursor = lambda r: encode_cursor(kind, [r["member_count"], r["id"]])  # noqa: E731
    elif sort is CommunitySort.NEW:
        key = decode_cursor(after, kind, moment, row_id)
        rows = await repository.list_communities_new(
            pool, after=(key[0], key[1]) if key else None, limit=first + 1
        )
        cursor = lambda r: encode_cursor(kind, [r["created_at"].isoformat(), r["id"]])  # noqa: E731
    else:
        key = decode_cursor(after, kind, name)
        rows = await repository.list_communities_name(
            pool, after=key[0] if key else None, limit=first + 1
        )
        cursor = lambda r: encode_cursor(kind, [r["name"]])  # noqa: E731
    return connection(rows, first, node=await communities_for_viewer(info, rows), cursor=cursor)


@strawberry.type
class CommunityQuery:
    community = strawberry.field(resolver=community)
    communities = strawberry.field(resolver=communities)
