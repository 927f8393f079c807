"""Which proposals changed, for the `proposalUpdated` subscription.

A proposal's tally changes with the votes the indexer mirrors, and its state with its events
and with time alone: a vote opens and closes when the chain's clock passes its start and end,
with no event at all. Both show in the indexer's checkpoint, which moves in the transaction of
every block range applied (its block and that block's time): so each API worker watches the
checkpoint, and when it moves from (block a, time s) to (block b, time t), the proposals that may
have changed are those with a vote or event in blocks a+1..b, and those whose vote opened or
closed between s and t (`list_proposals_changed`). The state it shows is the one the mirror
computes at the indexed head, as every read does.

The checkpoint is read (one single-row query) every `POLL_SECONDS` by one task per API worker,
and only while someone subscribes; every subscription of the worker shares the task. Reading it
rather than hearing a NOTIFY of the indexer leaves the indexer's write path untouched, survives
a lost database connection without any resubscribing, and catches the moves of time the same
way. When the checkpoint moves back (a reorganisation), what changed is not known: the
community's open proposals are all given again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import asyncpg

from api.governance import repository

log = logging.getLogger("agora.api")

POLL_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class Head:
    block: int
    time: int


async def _head(pool: asyncpg.Pool) -> Head | None:
    row = await repository.get_indexer_state(pool)
    return Head(row["block_number"], row["block_timestamp"]) if row else None


class _Watch:
    """The checkpoint of one pool's database, read while anyone listens; each listener is given
    every checkpoint read that differs from the one read before it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.listeners: set[asyncio.Queue[Head]] = set()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        last: Head | None = None
        while True:
            try:
                head = await _head(self.pool)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.debug("proposal updates: the checkpoint could not be read (%s)", error)
                head = None
            if head is not None and head != last:
                for queue in self.listeners:
                    queue.put_nowait(head)
                last = head
            await asyncio.sleep(POLL_SECONDS)


_watches: dict[int, _Watch] = {}


async def head_moves(pool: asyncpg.Pool) -> AsyncGenerator[tuple[Head, Head], None]:
    """Each move of the indexer's checkpoint from now on, as (before, after). "Now" is this
    listener's own first read, so a move is not lost while a shared watch is starting."""
    last = await _head(pool)
    watch = _watches.get(id(pool))
    if watch is None:
        watch = _watches[id(pool)] = _Watch(pool)
    queue: asyncio.Queue[Head] = asyncio.Queue()
    watch.listeners.add(queue)
    if watch.task is None:
        watch.task = asyncio.create_task(watch.run(), name="proposal-updates")
    try:
        while True:
            head = await queue.get()
            if last is not None and head != last:
                yield last, head
            last = head
    finally:
        watch.listeners.discard(queue)
        if not watch.listeners:
            _watches.pop(id(pool), None)
            if watch.task is not None:
                watch.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch.task


async def proposal_changes(
    pool: asyncpg.Pool, community_id: bytes
) -> AsyncGenerator[asyncpg.Record, None]:
    """The proposal_views rows of the community's proposals whose tally or state may have
    changed, as the indexer moves on; nothing until the community's creation is indexed."""
    governor: bytes | None = None
    async for before, after in head_moves(pool):
        if governor is None:
            row = await repository.get_chain_community(pool, community_id=community_id)
            if row is None:
                continue
            governor = bytes(row["governor"])
        if after.block < before.block:
            rows = await repository.list_open_proposals(pool, governor=governor)
        else:
            rows = await repository.list_proposals_changed(
                pool,
                governor=governor,
                blocks=(before.block, after.block),
                times=(before.time, after.time),
            )
        for row in rows:
            yield row
