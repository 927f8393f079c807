"""Markdown rendered off the event loop, each render with a time limit.

markdown-it is pure Python, and some inputs take it seconds (`"![a" * 13333`, 40 KB, is
quadratic: about a second). On the event loop that stopped every request of the worker,
`/healthz` included, for as long. So every render the API makes while serving runs in a small
pool of worker processes (pebble's, which can kill one worker without the others), and:

- a render running longer than `render_timeout_seconds` has its worker process killed (the pool
  starts another), and so does one still waiting for a worker after four times that;
- previews and stored text have a pool each (`render_workers` processes apiece, at a lower CPU
  priority than the API), so that a flood of previews never delays a post or a proposal;
- a preview (`renderMarkdown`) that overruns is refused with a clear error: the author is there
  to simplify the text;
- stored text (a post's or comment's body, a community's description, a proposal's) that
  overruns is shown as escaped plain text instead, and the overrun logged: the content is kept
  and readable, nothing is lost, and an edit renders it again.

Proposal descriptions never change (the id is a hash of them), so their HTML is remembered per
process by (governor, proposal id): a listing renders each at most once, however often it is
asked for or aliased (a failed render is not remembered: it is tried again on the next request).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
from collections import OrderedDict
from collections.abc import Hashable

from pebble import ProcessExpired, ProcessPool

from api.core import markdown

log = logging.getLogger("agora.api")

# What one render worker may allocate: far above any render of a 40 KB text, far below what
# would hurt the machine if markdown-it blew up on some input.
WORKER_MEMORY_BYTES = 1024 * 1024 * 1024
WORKER_NICENESS = 10


class RenderFailed(Exception):
    """The render overran its time (or its memory) and was abandoned."""


def _start_worker() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    # Renders yield the CPU to the API's event loops: on a busy machine a render may wait, a
    # health check or a listing should not.
    os.nice(WORKER_NICENESS)


class Renderer:
    """Two pools of `workers` render processes: one for previews, one for stored text, so that
    a flood of previews (anyone can ask for them) never delays a post or a proposal."""

    def __init__(self, *, workers: int, timeout: float, remembered: int = 512) -> None:
        # forkserver, not fork: the API process has threads (uvicorn's, the tests' servers),
        # and a child forked from a threaded process can deadlock on a lock some thread held.
        # The fork server imports the renderer once; each worker forked from it has it.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([markdown.__name__])
        self._previews, self._stored = (
            ProcessPool(max_workers=workers, initializer=_start_worker, context=context)
            for _ in range(2)
        )
        self._timeout = timeout
        self._remembered: OrderedDict[Hashable, str] = OrderedDict()
        self._capacity = remembered
        self._rendering: dict[Hashable, asyncio.Future[str | None]] = {}

    def close(self) -> None:
        for pool in (self._previews, self._stored):
            pool.stop()
            pool.join(timeout=5)

    async def preview(self, source: str) -> str:
        """The sanitized HTML of `source`; RenderFailed if it could not be made in time."""
        return await self._render(self._previews, source)

    async def render_stored(self, source: str) -> str:
        """The HTML of stored text: rendered, or escaped plain text if that failed."""
        return await self._rendered_or_none(source) or markdown.plain(source)

    async def remembered(self, key: Hashable, source: str) -> str:
        """`render_stored(source)`, rendered once per `key` (whose text must never change).

        A render that failed is not remembered (its plain text is answered this time): on a
        busy machine it may have failed only for waiting too long for a worker."""
        html = self._remembered.get(key)
        if html is not None:
            self._remembered.move_to_end(key)
            return html
        pending = self._rendering.get(key)
        if pending is None:
            pending = self._rendering[key] = asyncio.ensure_future(self._remember(key, source))
        # Shielded: one reader giving up does not cancel the render the others wait for.
        return await asyncio.shield(pending) or markdown.plain(source)

    async def _render(self, pool: ProcessPool, source: str) -> str:
        future = pool.schedule(markdown.render, (source,), timeout=self._timeout)
        try:
            # Cancelling the wait (a timeout here, a client gone) cancels the task: pebble drops
            # it from the queue, or kills the worker running it.
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout * 4)
        except (TimeoutError, ProcessExpired, MemoryError) as error:
            raise RenderFailed(f"rendering {len(source)} characters failed: {error!r}") from None

    async def _rendered_or_none(self, source: str) -> str | None:
        try:
            return await self._render(self._stored, source)
        except RenderFailed as failure:
            log.warning("shown as plain text: %s", failure)
            return None

    async def _remember(self, key: Hashable, source: str) -> str | None:
        try:
            html = await self._rendered_or_none(source)
        finally:
            del self._rendering[key]
        if html is not None:
            self._remembered[key] = html
            if len(self._remembered) > self._capacity:
                self._remembered.popitem(last=False)
        return html
