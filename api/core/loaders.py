"""Per-request DataLoaders: every field that needs a row it does not hold asks a loader, and the
loader fetches all the keys a request asked for in one query. This is what keeps a page of posts
at a constant number of round trips, however many posts it holds.

Here: the registry of one request's loaders, and the loaders of the viewer's own state (their
standing in communities, their votes), which permissions and every domain read. The loaders of a
domain's rows live in that domain (`api/<domain>/loaders.py`, each a `LoaderKey`), so this
module, like all of `api.core`, imports no domain.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from agora import sql
from agora.db import Executor
from api.core import ids

queries = sql.load(__file__, "loaders.sql")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Standing:
    """The viewer's relation to a community."""

    member: bool = False
    moderator: bool = False
    banned: bool = False


# Anonymous readers' standing everywhere.
NO_STANDING = Standing()


@dataclass(frozen=True, slots=True)
class Blocks:
    """Whom and which communities the viewer blocks: what their listings leave out."""

    users: frozenset[int] = frozenset()
    communities: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.users or self.communities)


NO_BLOCKS = Blocks()

# The eight standings there are, by (member, moderator, banned): a page shares them rather than
# building one per community it shows.
_STANDINGS = {
    (member, moderator, banned): Standing(member, moderator, banned)
    for member in (False, True)
    for moderator in (False, True)
    for banned in (False, True)
}


@dataclass(frozen=True, slots=True)
class LoaderKey(Generic[K, V]):
    """A kind of loader: its name and how it loads a batch of keys, in the keys' order. A
    domain declares one per kind of row (`api/posts/loaders.py`: `POST`) and asks
    `info.context.loaders.get(POST)` for the request's instance."""

    name: str
    load: Callable[[Loaders, list[K]], Awaitable[list[V]]]


def now_or_later(future: Awaitable[T]) -> T | Awaitable[T]:
    """The value of a loader's future if it is known already, else the future.

    A sync resolver returning this answers primed keys (see `Loaders.prime_page`) without an
    asyncio task each, which was a large share of a listing's cost.
    """
    if isinstance(future, asyncio.Future) and future.done() and not future.cancelled():
        value: T = future.result()
        return value
    return future


def in_order(rows: Iterable[R], keys: Sequence[K], key_of: Callable[[R], K]) -> list[R | None]:
    """`rows` in the order of `keys` (each row's key is `key_of(row)`), None where a key found
    no row: what a loader of one row per key answers."""
    found = {key_of(row): row for row in rows}
    return [found.get(key) for key in keys]


def grouped_in_order(
    rows: Iterable[R], keys: Sequence[K], key_of: Callable[[R], K]
) -> list[list[R]]:
    """`rows` grouped by `key_of(row)`, in the order of `keys` (a group keeps the rows' order),
    an empty list where a key found none: what a loader of a list per key answers."""
    grouped: dict[K, list[R]] = defaultdict(list)
    for row in rows:
        grouped[key_of(row)].append(row)
    return [grouped.get(key, []) for key in keys]


def by_id(rows: list[asyncpg.Record], keys: list[int]) -> list[asyncpg.Record | None]:
    """`rows` in the order of `keys` (by their `id`), None where a key found no row."""
    return in_order(rows, keys, lambda row: row["id"])


async def fetch_viewer_state(
    db: Executor, viewer_id: int, *, post_ids: list[int], community_ids: list[int]
) -> dict[str, dict[int, int]]:
    """A viewer's votes on some posts ("vote": post id -> +1/-1), the posts they saved ("saved":
    post id -> 1) and tipped ("tipped": post id -> 1), their standing in some communities
    ("member", "moderator", "banned": community id -> 1) and whom and what they block
    ("blocked_user", "blocked_community": id -> 1), in one round trip."""
    refs = [ids.tip_ref("Post", post_id) for post_id in post_ids]
    rows = await db.fetch(queries.get_viewer_state, viewer_id, post_ids, community_ids, refs)
    state: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        state[row["kind"]][row["id"]] = row["value"]
    return state


def blocks_in(state: dict[str, dict[int, int]]) -> Blocks:
    """Whom and what the viewer blocks, from `fetch_viewer_state`'s answer."""
    users, communities = state["blocked_user"], state["blocked_community"]
    return Blocks(frozenset(users), frozenset(communities)) if users or communities else NO_BLOCKS


def standing_in(state: dict[str, dict[int, int]], community_id: int) -> Standing:
    """The viewer's standing in a community, from `fetch_viewer_state`'s answer."""
    return _STANDINGS[
        community_id in state["member"],
        community_id in state["moderator"],
        community_id in state["banned"],
    ]


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
        self.pool = pool
        self.viewer_id = viewer_id
        self._loaders: dict[str, DataLoader[Any, Any]] = {}
        self._blocks: Blocks | None = None

    def get(self, key: LoaderKey[K, V]) -> DataLoader[K, V]:
        """This request's loader of `key`'s kind, made on first use."""
        loader = self._loaders.get(key.name)
        if loader is None:

            async def load(keys: list[K]) -> list[V]:
                return await key.load(self, keys)

            loader = self._loaders[key.name] = DataLoader(load_fn=load)
        return loader

    async def prime_page(self, *, post_ids: list[int], community_ids: list[int]) -> Blocks:
        """Load the viewer's votes on a page of posts and their standing in its communities in
        one query, so that every item's viewer fields answer at once; answers (and remembers)
        whom and what the viewer blocks, which the same query tells."""
        if self.viewer_id is None:
            return NO_BLOCKS
        state = await fetch_viewer_state(
            self.pool, self.viewer_id, post_ids=post_ids, community_ids=community_ids
        )
        self._blocks = blocks_in(state)
        votes, saved = state["vote"], state["saved"]
        self.viewer_post_vote.prime_many({key: votes.get(key, 0) for key in post_ids})
        self.viewer_post_saved.prime_many({key: key in saved for key in post_ids})
        self.standing.prime_many({key: standing_in(state, key) for key in community_ids})
        return self._blocks

    async def blocks(self) -> Blocks:
        """Whom and what the viewer blocks, asked once per request (none for anonymous), unless
        `prime_page` learnt it already."""
        if self._blocks is None:
            if self.viewer_id is None:
                self._blocks = NO_BLOCKS
            else:
                row = await self.pool.fetchrow(queries.get_blocks_of_user, self.viewer_id)
                assert row is not None, "a SELECT without FROM answers one row"
                self._blocks = Blocks(frozenset(row["users"]), frozenset(row["communities"]))
        return self._blocks

    def forget_standing(self, community_id: int) -> None:
        """After the viewer joined or left: what the loader knew is out of date."""
        self.standing.clear(community_id)

    @property
    def standing(self) -> DataLoader[int, Standing]:
        """The viewer's standing in communities (what permissions check and what a Community
        object shows)."""
        return self.get(_STANDING)

    @property
    def viewer_post_vote(self) -> DataLoader[int, int]:
        return self.get(_VIEWER_POST_VOTE)

    @property
    def viewer_comment_vote(self) -> DataLoader[int, int]:
        return self.get(_VIEWER_COMMENT_VOTE)

    @property
    def viewer_post_saved(self) -> DataLoader[int, bool]:
        return self.get(_VIEWER_POST_SAVED)

    @property
    def viewer_comment_saved(self) -> DataLoader[int, bool]:
        return self.get(_VIEWER_COMMENT_SAVED)


async def _load_standings(loaders: Loaders, keys: list[int]) -> list[Standing]:
    return await fetch_standings(loaders.pool, loaders.viewer_id, keys)


async def _load_votes(loaders: Loaders, keys: list[int], query: str) -> list[int]:
    if loaders.viewer_id is None:
        return [0] * len(keys)
    rows = await loaders.pool.fetch(query, loaders.viewer_id, keys)
    # The queries answer (item id, value): 0 where the viewer has not voted.
    return [row[1] if row else 0 for row in in_order(rows, keys, lambda row: row[0])]


async def _load_viewer_post_votes(loaders: Loaders, keys: list[int]) -> list[int]:
    return await _load_votes(loaders, keys, queries.get_post_votes_of_user)


async def _load_viewer_comment_votes(loaders: Loaders, keys: list[int]) -> list[int]:
    return await _load_votes(loaders, keys, queries.get_comment_votes_of_user)


async def _load_saved(loaders: Loaders, keys: list[int], query: str) -> list[bool]:
    if loaders.viewer_id is None:
        return [False] * len(keys)
    saved = {r[0] for r in await loaders.pool.fetch(query, loaders.viewer_id, keys)}
    return [key in saved for key in keys]


async def _load_viewer_post_saved(loaders: Loaders, keys: list[int]) -> list[bool]:
    return await _load_saved(loaders, keys, queries.get_saved_posts_of_user)


async def _load_viewer_comment_saved(loaders: Loaders, keys: list[int]) -> list[bool]:
    return await _load_saved(loaders, keys, queries.get_saved_comments_of_user)


_STANDING: LoaderKey[int, Standing] = LoaderKey("standing", _load_standings)
_VIEWER_POST_VOTE: LoaderKey[int, int] = LoaderKey("viewer_post_vote", _load_viewer_post_votes)
_VIEWER_COMMENT_VOTE: LoaderKey[int, int] = LoaderKey(
    "viewer_comment_vote", _load_viewer_comment_votes
)
_VIEWER_POST_SAVED: LoaderKey[int, bool] = LoaderKey("viewer_post_saved", _load_viewer_post_saved)
_VIEWER_COMMENT_SAVED: LoaderKey[int, bool] = LoaderKey(
    "viewer_comment_saved", _load_viewer_comment_saved
)
