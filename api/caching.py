"""Short-lived, shared caches of what every anonymous reader asks for.

Listing pages are the same for everyone (the viewer's own votes are joined per request by a
loader), so one fetch serves every request for a couple of seconds. New, edited, deleted or
removed posts and comments invalidate at once: the writer clears its own process, and a Redis
message clears the other workers'. Votes only change scores and order; those show within the
time-to-live (as on Reddit, a score may lag a vote by a moment).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Generic, TypeVar

V = TypeVar("V")

INVALIDATION_CHANNEL = "agora:cache:invalidate"


class TtlCache(Generic[V]):
    """An LRU of at most `size` entries, each living `ttl` seconds."""

    def __init__(self, *, ttl: float, size: int = 2048) -> None:
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[Any, tuple[float, V]] = OrderedDict()

    def get(self, key: Any) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            del self._entries[key]
            return None
        return value

    def put(self, key: Any, value: V) -> None:
        self._entries[key] = (time.monotonic() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class ListingCache:
    """Pages of listings, and whole responses to anonymous queries, cleared together."""

    def __init__(self, *, ttl: float) -> None:
        self.enabled = ttl > 0
        self.listings: TtlCache[list[Any]] = TtlCache(ttl=ttl)
        self.responses: TtlCache[bytes] = TtlCache(ttl=ttl)

    def clear(self) -> None:
        self.listings.clear()
        self.responses.clear()
