"""The WebSockets open on this worker: how many each client address holds, and which session each
was opened with, so that the end of a session (signed out on any worker, or expired) closes its
sockets at once instead of leaving them acting as the viewer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator

from api.core.context import Viewer

# Close codes, with the meanings graphql-transport-ws gives them (forbidden; too many): a client
# of graphql-ws retries after 4403 (it may come back as someone else, or anonymous) and, unless
# told to retry whatever the code, gives up after 4429.
SESSION_ENDED = 4403
TOO_MANY_SOCKETS = 4429


class OpenSockets:
    def __init__(self, *, per_ip: int) -> None:
        self._per_ip = per_ip
        self._by_ip: Counter[str] = Counter()
        self._by_session: dict[bytes, set[Callable[[], None]]] = {}

    @contextlib.contextmanager
    def admitted(self, ip: str) -> Iterator[bool]:
        """Whether a new socket from `ip` may open (fewer than `per_ip` are open); counted as
        open while inside if so."""
        if self._by_ip[ip] >= self._per_ip:
            yield False
            return
        self._by_ip[ip] += 1
        try:
            yield True
        finally:
            self._by_ip[ip] -= 1
            if not self._by_ip[ip]:
                del self._by_ip[ip]

    @contextlib.contextmanager
    def signed_in(self, viewer: Viewer, end: Callable[[], None]) -> Iterator[None]:
        """While inside, `end` is called (once) when the viewer's session ends: signed out
        (`session_ended`) or past its expiry."""
        ended = False

        def end_once() -> None:
            nonlocal ended
            if not ended:
                ended = True
                end()

        ends = self._by_session.setdefault(viewer.token_hash, set())
        ends.add(end_once)
        expiry = asyncio.get_running_loop().call_later(
            max(0.0, viewer.expires - time.time()), end_once
        )
        try:
            yield
        finally:
            expiry.cancel()
            ends.discard(end_once)
            if not ends:
                self._by_session.pop(viewer.token_hash, None)

    def session_ended(self, token_hash: bytes) -> None:
        for end in list(self._by_session.get(token_hash, ())):
            end()
