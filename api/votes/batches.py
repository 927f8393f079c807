"""Votes cast on one target at the same moment are written together, in one statement.

Every vote updates its target's score row, and a row is locked until its transaction commits
(the commit waits for the disk): written one by one, the votes on a hot post queue behind each
other's commits, at a few hundred a second. Here each process keeps one writer per target: a
vote that arrives while the target's previous statement runs waits for it, and then all the
votes that waited go in the next statement (the triggers of migration 0034 update the score and
the author's karma once per statement). Each voter still gets their answer only once their vote
has committed, and the score read after it.

A person's own votes on a target keep their order: a second vote of theirs arriving while the
first still waits goes in the statement after it. A statement that fails is tried again vote by
vote, so each voter gets the outcome of their own vote.

The statement also checks what a vote depends on (the target still there and not removed, the
voter not banned from its community) and writes only the votes that pass: a refused voter gets
the reason as their error, and the batch costs no query per vote.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from dataclasses import dataclass, field

import asyncpg

from api.core import permissions
from api.core.errors import AgoraError, BadUserInput, NotFound
from api.votes import repository

# The most votes one statement writes: its arrays stay small, and a crowd larger than this is
# written in consecutive statements.
MAX_BATCH = 200


@dataclass(frozen=True, slots=True)
class _Cast:
    user_id: int
    value: int
    answer: asyncio.Future[asyncpg.Record]


@dataclass(slots=True)
class _Target:
    waiting: list[_Cast] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class VoteWriter:
    """The writer of one process's votes (one per database pool, see `writer_for`)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._targets: dict[tuple[str, int], _Target] = {}

    async def cast(self, *, kind: str, target_id: int, user_id: int, value: int) -> asyncpg.Record:
        """Record `value` (1, -1, or 0 to withdraw) as the user's only vote on the target, and
        answer the target's score once it has committed."""
        key = (kind, target_id)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = _Target()
        answer: asyncio.Future[asyncpg.Record] = asyncio.get_running_loop().create_future()
        target.waiting.append(_Cast(user_id, value, answer))
        if target.writer is None:
            # A context of its own: the writer outlives the request that started it, and must
            # not inherit its state (such as holding a pool connection).
            target.writer = asyncio.create_task(
                self._write(key, target), context=contextvars.Context()
            )
        # The vote is written even if this request goes away meanwhile (like a statement sent).
        return await asyncio.shield(answer)

    async def _write(self, key: tuple[str, int], target: _Target) -> None:
        try:
            while target.waiting:
                batch = _next_batch(target)
                await self._write_batch(key, batch)
        finally:
            target.writer = None
            if not target.waiting:
                del self._targets[key]

    async def _write_batch(self, key: tuple[str, int], batch: list[_Cast]) -> None:
        kind, target_id = key
        try:
            target = await repository.set_votes(
                self._pool,
                kind=kind,
                target_id=target_id,
                user_ids=[c.user_id for c in batch],
                values=[c.value for c in batch],
            )
        except asyncpg.PostgresError as error:
            # The database refused the statement (a deadlock with another process's votes, say):
            # each vote alone, so that one vote's failure is its voter's only.
            if len(batch) > 1:
                for cast in batch:
                    await self._write_batch(key, [cast])
                return
            _settle(batch, error=error)
            return
        except Exception as error:  # noqa: BLE001 - the database is unreachable: for everyone
            _settle(batch, error=error)
            return
        banned = set(target["banned"]) if target is not None else set()
        taken = []
        for cast in batch:
            # (an error of its own per voter: each is raised in its voter's request)
            refusal = _refusal(kind, target) or (
                permissions.banned_from() if cast.user_id in banned else None
            )
            if refusal is None:
                taken.append(cast)
            else:
                _settle([cast], error=refusal)
        if not taken:
            return
        batch = taken
        try:
            score = await repository.get_score(self._pool, kind=kind, target_id=target_id)
            assert score is not None  # targets are never deleted, only marked so
        except Exception as error:  # noqa: BLE001 - the votes are in; the answer is lost
            _settle(batch, error=error)
            return
        _settle(batch, score=score)


def _refusal(kind: str, target: asyncpg.Record | None) -> AgoraError | None:
    """Why the target took none of the votes, if it took none."""
    if target is None or target["deleted_at"] is not None:
        return NotFound(f"That {kind.lower()} does not exist.")
    if target["removed_at"] is not None:
        return BadUserInput(f"A moderator removed this {kind.lower()}; it takes no votes.")
    return None


def _next_batch(target: _Target) -> list[_Cast]:
    """The first waiting vote of each voter, in order, up to MAX_BATCH; the others wait on."""
    batch: list[_Cast] = []
    later: list[_Cast] = []
    voters: set[int] = set()
    for cast in target.waiting:
        if cast.user_id in voters or len(batch) >= MAX_BATCH:
            later.append(cast)
        else:
            voters.add(cast.user_id)
            batch.append(cast)
    target.waiting = later
    return batch


def _settle(
    batch: list[_Cast], *, score: asyncpg.Record | None = None, error: Exception | None = None
) -> None:
    for cast in batch:
        if cast.answer.done():
            continue
        if error is not None:
            cast.answer.set_exception(error)
        else:
            assert score is not None
            cast.answer.set_result(score)


_WRITERS: weakref.WeakKeyDictionary[asyncpg.Pool, VoteWriter] = weakref.WeakKeyDictionary()


def writer_for(pool: asyncpg.Pool) -> VoteWriter:
    """The vote writer of `pool` (the process's pool: one writer per target per process)."""
    writer = _WRITERS.get(pool)
    if writer is None:
        writer = _WRITERS[pool] = VoteWriter(pool)
    return writer
