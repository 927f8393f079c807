"""The loaders of users (see `api.core.loaders`)."""

from __future__ import annotations

import asyncpg

from api.core.loaders import LoaderKey, Loaders, by_id
from api.users import repository


async def _load_users(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    return by_id(await repository.get_users_by_ids(loaders.pool, user_ids=keys), keys)


async def _load_token_standings(
    loaders: Loaders, keys: list[tuple[bytes, bytes]]
) -> list[asyncpg.Record]:
    return await repository.get_token_standings(
        loaders.pool,
        community_ids=[community for community, _ in keys],
        holders=[holder for _, holder in keys],
    )


USER: LoaderKey[int, asyncpg.Record | None] = LoaderKey("user", _load_users)
# A holder's `points`, `voting_power` and `delegatee` (with its forum account's columns) in a
# community, from the indexer's mirror; keyed by (community id, holder address), both bytes.
TOKEN_STANDING: LoaderKey[tuple[bytes, bytes], asyncpg.Record] = LoaderKey(
    "token_standing", _load_token_standings
)
