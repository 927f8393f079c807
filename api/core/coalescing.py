"""Many small calls to a shared store made at the same moment, sent as one.

A hot read (every signed-in reader's latest write, in Redis) or write (the positions of every
voter a vote batch answers at once) costs more in the client library than on the wire: each
call takes a pooled connection, retries, timeouts and a parse of its own. Here the calls made
while one round trip is under way wait for it to end and then go together in the next one, so
under load a round trip serves every request that arrived meanwhile, and alone a call goes at
once (it waits for no timer).

A call never shares a round trip that began before it was made: whatever that round trip reads
or writes happens after the call, as if it had been made on its own.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")

# The most calls one round trip carries: its command stays small, and a crowd larger than this
# goes in consecutive round trips.
MAX_CALLS = 500


class Coalescer(Generic[K, R]):
    """Calls of `send` (given the items of many calls, it answers one result per item, in their
    order), made together when they come at the same moment."""

    def __init__(self, send: Callable[[list[K]], Awaitable[list[R]]]) -> None:
        self._send = send
        self._waiting: list[tuple[K, asyncio.Future[R]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def __call__(self, item: K) -> R:
        loop = asyncio.get_running_loop()
        if self._sender is not None and self._sender.get_loop() is not loop:
            # (left unfinished by an event loop that ended: a test's, say)
            self._sender, self._waiting = None, []
        answer: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, answer))
        if self._sender is None:
            # A context of its own: the sender outlives the request that started it, and must
            # not inherit its state.
            self._sender = asyncio.create_task(self._send_all(), context=contextvars.Context())
        # Sent even if this caller goes away meanwhile (like a command already written): its
        # answer is then cancelled, and left unset.
        return await answer

    async def _send_all(self) -> None:
        try:
            while self._waiting:
                calls = self._waiting[:MAX_CALLS]
                del self._waiting[:MAX_CALLS]
                try:
                    results = await self._send([item for item, _ in calls])
                    if len(results) != len(calls):
                        raise RuntimeError(f"{len(calls)} calls sent, {len(results)} answers")
                except Exception as error:  # noqa: BLE001 - every caller of the round trip hears it
                    for _, answer in calls:
                        if not answer.done():
                            answer.set_exception(error)
                    continue
                except BaseException:  # cancelled: the process is stopping
                    self._waiting[:0] = calls
                    raise
                for (_, answer), result in zip(calls, results, strict=True):
                    if not answer.done():
                        answer.set_result(result)
        finally:
            self._sender = None
            for _, answer in self._waiting:  # (left by a cancellation)
                if not answer.done():
                    answer.cancel()
            self._waiting.clear()
