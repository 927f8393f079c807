"""Per-request DataLoaders: every field that needs a row it does not hold asks a loader, and the
loader fetches all the keys a request asked for in one query. This is what keeps a page of posts
at a constant number of round trips, however many posts it holds."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from agora import sql
from agora.db import Executor
from api.communities import repository as communities
from api.communities.types import MAX_MODERATORS, NO_STANDING, Standing
from api.posts import repository as posts
from api.users import repository as users
from api.votes import repository as votes

queries = sql.load(__file__, "loaders.sql")

T = TypeVar("T")


def now_or_later(future: Awaitable[T]) -> T | Awaitable[T]:
    """The value of a loader's future if it is known already, else the future.

    A sync resolver returning this answers primed keys (see `Loaders.prime_page`) without an
    asyncio task each, which was a large share of a listing's cost.
    """
    if isinstance(future, asyncio.Future) and future.done() and not future.cancelled():
        return future.result()
    return future


def _by_id(rows: list[asyncpg.Record], keys: list[int]) -> list[Any]:
    found = {row["id"]: row for row in rows}
    return [found.get(key) for key in keys]


async def fetch_viewer_state(
    db: Executor, viewer_id: int, *, post_ids: list[int], community_ids: list[int]
) -> dict[str, dict[int, int]]:
    """A viewer's votes on some posts ("vote": post id -> +1/-1) and their standing in some
    communities ("member", "moderator", "banned": community id -> 1), in one round trip."""
    rows = await db.fetch(queries.get_viewer_state, viewer_id, post_ids, community_ids)
    state: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        state[row["kind"]][row["id"]] = row["value"]
    return state


def standing_in(state: dict[str, dict[int, int]], community_id: int) -> Standing:
    """The viewer's standing in a community, from `fetch_viewer_state`'s answer."""
    return Standing(
        member=community_id in state["member"],
        moderator=community_id in state["moderator"],
        banned=community_id in state["banned"],
    )


async def fetch_standings(
    db: Executor, viewer_id: int | None, community_ids: list[int]
) -> list[Standing]:
    """The viewer's standing in each community, now: what the `standing` loader loads, and
    what a long-lived subscription, whose loaders would be stale, asks directly."""
    if viewer_id is None:
        return [NO_STANDING] * len(community_ids)
    state = await fetch_viewer_state(db, viewer_id, post_ids=[], community_ids=community_ids)
    return [standing_in(state, key) for key in community_ids]


class Loaders:
    """Loaders of one request; `viewer_id` is None for anonymous requests."""

    def __init__(self, pool: asyncpg.Pool, viewer_id: int | None) -> None:
        self._pool = pool
        self._viewer_id = viewer_id
        self._loaders: dict[str, DataLoader[Any, Any]] = {}

    def _get(self, name: str, load: Any) -> DataLoader[Any, Any]:
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = DataLoader(load_fn=load)
        return loader

    async def prime_page(self, *, post_ids: list[int], community_ids: list[int]) -> None:
        """Load the viewer's votes on a page of posts and their standing in its communities in
        one query, so that every item's viewer fields answer at once."""
        if self._viewer_id is None:
            return
        state = await fetch_viewer_state(
            self._pool, self._viewer_id, post_ids=post_ids, community_ids=community_ids
        )
        votes = state["vote"]
        self.viewer_post_vote.prime_many({key: votes.get(key, 0) for key in post_ids})
        self.standing.prime_many({key: standing_in(state, key) for key in community_ids})

    def forget_standing(self, community_id: int) -> None:
        """After the viewer joined or left: what the loader knew is out of date."""
        self.standing.clear(community_id)

    @property
    def user(self) -> DataLoader[int, asyncpg.Record | None]:
        async def load(keys: list[int]) -> list[Any]:
            return _by_id(await users.get_users_by_ids(self._pool, user_ids=keys), keys)

        return self._get("user", load)

    @property
    def community(self) -> DataLoader[int, asyncpg.Record | None]:
        async def load(keys: list[int]) -> list[Any]:
            rows = await communities.get_communities_by_ids(self._pool, community_ids=keys)
            return _by_id(rows, keys)

        return self._get("community", load)

    @property
    def community_chain(self) -> DataLoader[int, asyncpg.Record]:
        """Each community's creation on-chain: `status` (the outbox's), `token_address`,
        `governor_address`."""

        async def load(keys: list[int]) -> list[Any]:
            rows = await communities.get_chain_of_communities(self._pool, community_ids=keys)
            return _by_id(rows, keys)

        return self._get("community_chain", load)

    @property
    def post(self) -> DataLoader[int, asyncpg.Record | None]:
        async def load(keys: list[int]) -> list[Any]:
            return _by_id(await posts.get_post_views_by_ids(self._pool, post_ids=keys), keys)

        return self._get("post", load)

    @property
    def moderators(self) -> DataLoader[int, list[asyncpg.Record]]:
        async def load(keys: list[int]) -> list[Any]:
            grouped: dict[int, list[asyncpg.Record]] = defaultdict(list)
            for row in await communities.get_moderators_of_communities(
                self._pool, community_ids=keys, limit=MAX_MODERATORS
            ):
                grouped[row["community_id"]].append(row)
            return [grouped.get(key, []) for key in keys]

        return self._get("moderators", load)

    @property
    def standing(self) -> DataLoader[int, Standing]:
        """The viewer's standing in communities (what permissions check and what a Community
        object shows)."""

        async def load(keys: list[int]) -> list[Standing]:
            return await fetch_standings(self._pool, self._viewer_id, keys)

        return self._get("standing", load)

    @property
    def viewer_post_vote(self) -> DataLoader[int, int]:
        async def load(keys: list[int]) -> list[int]:
            if self._viewer_id is None:
                return [0] * len(keys)
            found = await votes.get_post_votes_of_user(
                self._pool, user_id=self._viewer_id, post_ids=keys
            )
            return [found.get(key, 0) for key in keys]

        return self._get("post_vote", load)

    @property
    def viewer_comment_vote(self) -> DataLoader[int, int]:
        async def load(keys: list[int]) -> list[int]:
            if self._viewer_id is None:
                return [0] * len(keys)
            found = await votes.get_comment_votes_of_user(
                self._pool, user_id=self._viewer_id, comment_ids=keys
            )
            return [found.get(key, 0) for key in keys]

        return self._get("comment_vote", load)
