"""Short-lived, shared caches of what every anonymous reader asks for.

Listing pages are the same for everyone (the viewer's own votes are joined per request by a
loader), so one fetch serves every request for a couple of seconds. New, edited, deleted or
removed posts and comments invalidate at once: the writer clears its own process, and a Redis
message clears the other workers'. Votes only change scores and order; those show within the
time-to-live (as on Reddit, a score may lag a vote by a moment), except to the voter: each entry
is stamped with the database position it was read at, and someone who just wrote is served only
entries stamped at or past their write (`api.server.own_writes`).

An expired entry is still served while one request refreshes it in the background ("stale while
revalidate"), and concurrent misses of one key share a single computation: otherwise every
reader waiting at the moment an entry expires would recompute it at once, which made the 99th
percentile of cached pages a hundred times their median.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from prometheus_client import Counter

from agora import metrics

V = TypeVar("V")

# How long a worker trusts a session it looked up without asking the database again. Sign-out
# reaches every worker at once over Redis; this bounds it when that message is lost.
SESSION_SECONDS = 2.0


log = logging.getLogger("agora.api")

# GET /metrics (api/server/metrics.py): hit rates of the caches that spare the database.
CACHE_LOOKUPS = Counter(
    "agora_cache_lookups",
    "Lookups of the API's shared caches (listings, responses, sessions) by result (hit, miss)",
    ["cache", "result"],
)
_LOOKUPS: dict[tuple[str, str], metrics.Tally] = {}


def _lookups(cache: str, result: str) -> metrics.Tally:
    """One tally per series, however many caches of that name (each test server has some)."""
    key = (cache, result)
    if key not in _LOOKUPS:
        _LOOKUPS[key] = metrics.tally(CACHE_LOOKUPS.labels(cache, result))
    return _LOOKUPS[key]


class TtlCache(Generic[V]):
    """An LRU of at most `size` entries (and, given `weigh`, at most `max_bytes` by its weights),
    fresh for `ttl` seconds, kept `stale` seconds more."""

    def __init__(
        self,
        *,
        ttl: float,
        stale: float = 30.0,
        size: int = 2048,
        max_bytes: int | None = None,
        weigh: Callable[[Any, V], int] | None = None,
        name: str | None = None,
    ) -> None:
        """`name`: counted as that cache's hits and misses (on /metrics) when given."""
        self._ttl = ttl
        self._stale = stale
        self._size = size
        self._max_bytes = max_bytes
        self._weigh = weigh
        # key -> (expiry, value, weight, stamp)
        self._entries: OrderedDict[Any, tuple[float, V, int, int]] = OrderedDict()
        self.bytes = 0  # the sum of the weights of the entries
        # Bumped by clear(): a value computed before a clear must not be stored after it.
        self.generation = 0
        self._hits = _lookups(name, "hit") if name else None
        self._misses = _lookups(name, "miss") if name else None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Any, *, since: int | None = None) -> V | None:
        """The value if it is fresh (and, given `since`, stamped at or past it)."""
        found = self.peek(key, since=since)
        return found[0] if found is not None and found[1] else None

    def get_stamped(self, key: Any, *, since: int | None = None) -> tuple[V, int] | None:
        """The value if it is fresh (and, given `since`, stamped at or past it), with its
        stamp."""
        found = self.peek(key, since=since)
        if found is None or not found[1]:
            return None
        return found[0], self._entries[key][3]

    def peek(self, key: Any, *, since: int | None = None) -> tuple[V, bool] | None:
        """The value and whether it is still fresh; None if missing or too old to serve, or,
        given `since`, stamped before it (older than a write the asker must see)."""
        found = self._peek(key, since)
        if self._hits is not None and self._misses is not None:
            (self._misses if found is None else self._hits).add()
        return found

    def _peek(self, key: Any, since: int | None) -> tuple[V, bool] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value, _, stamp = entry
        if since is not None and stamp < since:
            return None
        now = time.monotonic()
        if now < expires:
            return value, True
        if now < expires + self._stale:
            return value, False
        self._remove(key)
        return None

    def put(self, key: Any, value: V, *, generation: int | None = None, stamp: int = 0) -> None:
        """Keep `value`, unless a clear came since `generation`; `stamp`: the database's
        position (an LSN) the value is known to include (`api.server.replica`)."""
        if generation is not None and generation != self.generation:
            return
        weight = self._weigh(key, value) if self._weigh is not None else 0
        if self._max_bytes is not None and weight > self._max_bytes:
            return  # would push out everything else, and still not fit
        self._remove(key)
        self._entries[key] = (time.monotonic() + self._ttl, value, weight, stamp)
        self.bytes += weight
        while len(self._entries) > self._size or (
            self._max_bytes is not None and self.bytes > self._max_bytes
        ):
            _, (_, _, evicted, _) = self._entries.popitem(last=False)
            self.bytes -= evicted

    def discard(self, key: Any) -> None:
        self._remove(key)

    def _remove(self, key: Any) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[2]

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
        self.generation += 1


class SingleFlight(Generic[V]):
    """At most one computation per key at a time; callers of a key under way share its result."""

    def __init__(self) -> None:
        self._calls: dict[Any, asyncio.Task[V]] = {}

    def run(self, key: Any, compute: Callable[[], Awaitable[V]]) -> asyncio.Task[V]:
        task = self._calls.get(key)
        if task is None:
            task = asyncio.ensure_future(compute())
            self._calls[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return task

    def _finished(self, key: Any, task: asyncio.Task[V]) -> None:
        self._calls.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("a shared computation failed", exc_info=task.exception())


class ListingCache:
    """Pages of listings, and whole answers to anonymous reads, cleared together.

    The answers are bounded in bytes (`response_bytes`, keys included); the bodies of requests
    already known to be reads, each with the key of its answer, in a quarter of that again.
    """

    def __init__(
        self,
        *,
        ttl: float,
        response_bytes: int = 32 * 1024 * 1024,
        session_seconds: float = SESSION_SECONDS,
    ) -> None:
        self.enabled = ttl > 0
        self.listings: TtlCache[list[Any]] = TtlCache(ttl=ttl, name="listings")
        self.responses: TtlCache[bytes] = TtlCache(
            ttl=ttl,
            name="responses",
            max_bytes=response_bytes,
            weigh=lambda key, answer: key.weight + len(answer),
        )
        # Request body -> its ReadKey: whether a body is a read never changes, so a body seen
        # before is served without decoding it again (the path of nearly every anonymous read).
        self.read_keys: TtlCache[Any] = TtlCache(
            ttl=float("inf"),
            size=8192,
            max_bytes=response_bytes // 4,
            weigh=lambda body, key: len(body) + key.weight,
        )
        self.filling: SingleFlight[Any] = SingleFlight()
        # The rows of a new post or comment, read once for all the subscriptions of this worker
        # that hear of it at the same moment (a thousand readers of the front page, one query).
        self.events: SingleFlight[Any] = SingleFlight()
        # Community name -> id, which never changes: not cleared with the rest.
        self.community_ids: TtlCache[int] = TtlCache(ttl=24 * 3600, size=100_000)
        # Session token hash -> its session (api.auth.sessions), so a signed-in reader's request
        # does not look its session up in the database each time. Never served stale: an entry
        # is trusted for `session_seconds` at most, the bound on how long a session ended by
        # another worker can still be used here if Redis lost the message that says so.
        self.sessions: TtlCache[Any] = TtlCache(
            ttl=session_seconds, stale=0, size=50_000, name="sessions"
        )

    def clear(self) -> None:
        self.listings.clear()
        self.responses.clear()

    def forget_session(self, token_hash: bytes) -> None:
        """A session ended (signed out): it must not be found here again, nor be stored by a
        lookup that was under way meanwhile (hence the new generation)."""
        self.sessions.discard(token_hash)
        self.sessions.generation += 1
