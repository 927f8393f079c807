"""The loaders of communities and their moderators (see `api.core.loaders`)."""

from __future__ import annotations

import asyncpg

from api.communities import repository
from api.core.loaders import LoaderKey, Loaders, by_id, grouped_in_order

# The most moderators a community shows (the query caps each community's list; the cost limit
# counts this many).
MAX_MODERATORS = 50


async def _load_communities(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    rows = await repository.get_communities_by_ids(loaders.pool, community_ids=keys)
    return by_id(rows, keys)


async def _load_moderators(loaders: Loaders, keys: list[int]) -> list[list[asyncpg.Record]]:
    rows = await repository.get_moderators_of_communities(
        loaders.pool, community_ids=keys, limit=MAX_MODERATORS
    )
    return grouped_in_order(rows, keys, lambda row: row["community_id"])


async def _load_chains(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    rows = await repository.get_chain_of_communities(loaders.pool, community_ids=keys)
    return by_id(rows, keys)


COMMUNITY: LoaderKey[int, asyncpg.Record | None] = LoaderKey("community", _load_communities)
MODERATORS: LoaderKey[int, list[asyncpg.Record]] = LoaderKey("moderators", _load_moderators)
# Each community's creation on-chain (view community_chains): `status`, `token`, `governor`.
COMMUNITY_CHAIN: LoaderKey[int, asyncpg.Record | None] = LoaderKey("community_chain", _load_chains)
