"""The loaders of users (see `api.core.loaders`)."""

from __future__ import annotations

import asyncpg

from api.core.loaders import LoaderKey, Loaders, by_id
from api.users import repository


async def _load_users(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    return by_id(await repository.get_users_by_ids(loaders.pool, user_ids=keys), keys)


USER: LoaderKey[int, asyncpg.Record | None] = LoaderKey("user", _load_users)
