"""Markdown rendered off the event loop, each render with a time limit.

markdown-it is pure Python, and some inputs take it seconds (`"![a" * 13333`, 40 KB, is
quadratic: about a second). On the event loop that stopped every request of the worker,
`/healthz` included, for as long. So every render the API makes while serving runs in a small
pool of worker processes (pebble's, which can kill one worker without the others), and:

- a render running longer than `render_timeout_seconds` has its worker process killed (the pool
  starts another), and so does one still waiting for a worker after four times that;
- a preview (`renderMarkdown`) that overruns is refused with a clear error: the author is there
  to simplify the text;
- stored text (a post's or comment's body, a community's description, a proposal's) that
  overruns is shown as escaped plain text instead, and the overrun logged: the content is kept
  and readable, nothing is lost, and an edit renders it again.

Proposal descriptions never change (the id is a hash of them), so their HTML is remembered per
process by (governor, proposal id): a listing renders each at most once, however often it is
asked for or aliased.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import resource
from collections import OrderedDict
from collections.abc import Hashable

from pebble import ProcessExpired, ProcessPool

from api.core import markdown

log = logging.getLogger("agora.api")

# What one render worker may allocate: far above any render of a 40 KB text, far below what
# would hurt the machine if markdown-it blew up on some input.
WORKER_MEMORY_BYTES = 1024 * 1024 * 1024


class RenderFailed(Exception):
    """The render overran its time (or its memory) and was abandoned."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))


class Renderer:
    def __init__(self, *, workers: int, timeout: float, remembered: int = 512) -> None:
        # forkserver, not fork: the API process has threads (uvicorn's, the tests' servers),
        # and a child forked from a threaded process can deadlock on a lock some thread held.
        # The fork server imports the renderer once; each worker forked from it has it.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([markdown.__name__])
        self._pool = ProcessPool(max_workers=workers, initializer=_limit_memory, context=context)
        self._timeout = timeout
        self._remembered: OrderedDict[Hashable, str] = OrderedDict()
        self._capacity = remembered
        self._rendering: dict[Hashable, asyncio.Future[str]] = {}

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=5)

    async def render(self, source: str) -> str:
        """The sanitized HTML of `source`; RenderFailed if it could not be made in time."""
        future = self._pool.schedule(markdown.render, (source,), timeout=self._timeout)
        try:
            # Cancelling the wait (a timeout here, a client gone) cancels the task: pebble drops
            # it from the queue, or kills the worker running it.
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout * 4)
        except (TimeoutError, ProcessExpired, MemoryError) as error:
            raise RenderFailed(f"rendering {len(source)} characters failed: {error!r}") from None

    async def render_stored(self, source: str) -> str:
        """The HTML of stored text: rendered, or escaped plain text if that failed."""
        try:
            return await self.render(source)
        except RenderFailed as failure:
            log.warning("shown as plain text: %s", failure)
            return markdown.plain(source)

    async def remembered(self, key: Hashable, source: str) -> str:
        """`render_stored(source)`, rendered once per `key` (whose text must never change)."""
        html = self._remembered.get(key)
        if html is not None:
            self._remembered.move_to_end(key)
            return html
        pending = self._rendering.get(key)
        if pending is None:
            pending = self._rendering[key] = asyncio.ensure_future(self._remember(key, source))
        # Shielded: one reader giving up does not cancel the render the others wait for.
        return await asyncio.shield(pending)

    async def _remember(self, key: Hashable, source: str) -> str:
        try:
            html = await self.render_stored(source)
        finally:
            del self._rendering[key]
        self._remembered[key] = html
        if len(self._remembered) > self._capacity:
            self._remembered.popitem(last=False)
        return html
