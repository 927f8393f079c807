"""The loader of items' tip summaries (see `api.core.loaders`): a page of posts or comments asks
for all its summaries in one query."""

from __future__ import annotations

from collections.abc import Awaitable

import asyncpg

from api.core import ids
from api.core.loaders import LoaderKey, Loaders
from api.tips import repository

# ("Post" or "Comment", row id).
ItemKey = tuple[str, int]


def ref_of(kind: str, row_id: int) -> bytes:
    """The `itemRef` a tip for this item carries: keccak256 of its GraphQL id."""
    return ids.tip_ref(kind, row_id)


async def _load_summaries(loaders: Loaders, keys: list[ItemKey]) -> list[asyncpg.Record]:
    return await repository.get_tip_summaries(
        loaders.pool,
        items=[(kind, row_id, ref_of(kind, row_id)) for kind, row_id in keys],
        viewer_id=loaders.viewer_id,
    )


TIP_SUMMARY: LoaderKey[ItemKey, asyncpg.Record] = LoaderKey("tip_summary", _load_summaries)


def load_post_summaries(loaders: Loaders, post_ids: list[int]) -> Awaitable[object]:
    """Load a listing's posts' summaries with its page (`api.posts.types.PAGE_LOADS`): then
    every post's `tips` answers at once."""
    return loaders.get(TIP_SUMMARY).load_many([("Post", post_id) for post_id in post_ids])
