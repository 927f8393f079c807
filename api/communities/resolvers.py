"""Query fields of communities."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import strawberry

from api.communities import repository
from api.communities.for_viewer import communities_for_viewer, community_for_viewer
from api.communities.loaders import COMMUNITY
from api.communities.types import Community, CommunitySort
from api.core.errors import NotFound, shown
from api.core.extend import extend_type
from api.core.pagination import Connection, Keyset, check_page_size, int32, moment, name, row_id
from api.core.types import After, First, Info
from api.governance import repository as governance_repository
from api.governance.types import Proposal, decode_proposal_id

# One listing per sort, each with its own cursor kind: a cursor of one order is no place in another.
_KEYSETS = {
    CommunitySort.POPULAR: Keyset(
        f"communities:{CommunitySort.POPULAR.value}",
        (int32, row_id),
        lambda r: [r["member_count"], r["id"]],
    ),
    CommunitySort.NEW: Keyset(
        f"communities:{CommunitySort.NEW.value}",
        (moment, row_id),
        lambda r: [r["created_at"].isoformat(), r["id"]],
    ),
    CommunitySort.NAME: Keyset(
        f"communities:{CommunitySort.NAME.value}", (name,), lambda r: [r["name"]]
    ),
}


async def community(
    info: Info, name: Annotated[str, strawberry.argument(description="Its name (any case).")]
) -> Community | None:
    row = await repository.get_community_by_name(info.context.pool, name=name.lower())
    return await community_for_viewer(info, row) if row else None


async def communities(
    info: Info,
    sort: Annotated[
        CommunitySort, strawberry.argument(description="Their order.")
    ] = CommunitySort.POPULAR,
    first: First = 25,
    after: After = None,
) -> Connection[Community]:
    check_page_size(first)
    pool = info.context.pool
    keyset = _KEYSETS[sort]
    key = keyset.after(after)
    if sort is CommunitySort.POPULAR:
        rows = await repository.list_communities_popular(
            pool, after=(key[0], key[1]) if key else None, limit=first + 1
        )
    elif sort is CommunitySort.NEW:
        rows = await repository.list_communities_new(
            pool, after=(key[0], key[1]) if key else None, limit=first + 1
        )
    else:
        rows = await repository.list_communities_name(
            pool, after=key[0] if key else None, limit=first + 1
        )
    return keyset.page(rows, first, await communities_for_viewer(info, rows))


async def proposal(
    info: Info,
    id: Annotated[
        strawberry.ID, strawberry.argument(description="The proposal's global id (`Proposal.id`).")
    ],
) -> Proposal | None:
    """A proposal by its id, from the indexer's mirror; null if unknown, or if its community is
    not one of the forum's. It lives here, not in api.governance, because it builds the
    proposal's Community, and this domain sits above governance (Community.governance)."""
    governor, proposal_id = decode_proposal_id(id)
    row = await governance_repository.get_proposal(
        info.context.pool, governor=governor, proposal_id=proposal_id
    )
    if row is None:
        return None
    forum = await repository.get_community_by_name(info.context.pool, name=row["community_name"])
    if forum is None:
        return None
    return proposal_in(info, row, forum)


def proposal_in(info: Info, row: asyncpg.Record, forum: asyncpg.Record) -> Proposal:
    """The Proposal of a proposal_views `row` in the community of the communities row `forum`,
    which its `community` then answers without a query."""
    info.context.loaders.get(COMMUNITY).prime(forum["id"], forum)
    return Proposal.from_row(row, community_row_id=forum["id"])


async def proposal_community(root: Proposal, info: Info) -> Community:
    """The community whose governor holds the proposal."""
    row = await info.context.loaders.get(COMMUNITY).load(root.community_row_id)
    assert row is not None  # communities are never deleted
    return await community_for_viewer(info, row)


def attach() -> None:
    """`Proposal.community`, attached by the schema's composition (see `api.core.extend`):
    governance sits below communities (`Community.governance`)."""
    extend_type(
        Proposal,
        "community",
        proposal_community,
        before="proposer",
        description="The community whose governor holds it.",
    )


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class CommunityQuery:
    community = strawberry.field(
        description="A community by name; null if there is none.", resolver=community
    )
    proposal = strawberry.field(
        description=(
            "A proposal by its id, from the indexer's mirror; null if unknown, "
            "or if its community is not one of the forum's."
        ),
        resolver=proposal,
    )
    communities = strawberry.field(description="Every community.", resolver=communities)


async def community_id_or_404(info: Info, name: str) -> int:
    """The id of the community named `name` (any case); NotFound if there is none."""
    key = name.lower()
    cache = info.context.listing_cache
    # Names never change and communities are never deleted: remember their ids.
    community_id = cache.community_ids.get(key)
    if community_id is None:
        row = await repository.get_community_by_name(info.context.pool, name=key)
        if row is None:
            raise NotFound(f"There is no community named c/{shown(name)}.")
        community_id = row["id"]
        cache.community_ids.put(key, community_id)
    return community_id
