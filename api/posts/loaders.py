"""The loaders of posts (see `api.core.loaders`)."""

from __future__ import annotations

import asyncpg

from api.core.loaders import LoaderKey, Loaders, by_id
from api.posts import repository


async def _load_posts(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    return by_id(await repository.get_post_views_by_ids(loaders.pool, post_ids=keys), keys)


POST: LoaderKey[int, asyncpg.Record | None] = LoaderKey("post", _load_posts)
