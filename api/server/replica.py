"""Reads on a streaming replica (`DATABASE_READ_URL`), writes on the primary, by LSN.

A read request is sent to the replica unless its viewer wrote something the replica has not
replayed yet: after a write, the view remembers the primary's WAL position for the writer
(`api.server.own_writes`), and that writer reads the primary until the replica's replay position
reaches it. Each worker keeps the replica's position as it last read it, read again in the
background (at most every `CHECK_SECONDS`) only when a writer's read finds it short of their
write, so a request never waits for it and readers who did not write cost no query at all: a
position read a moment ago is a lower bound of the replica's, which is all routing needs.
A replica that lags keeps serving those who did not write; one that cannot be reached sends every
read to the primary (said once in the log, and once when it is back), and a query that finds it
gone on the way is run on the primary instead.

The same positions stamp what the shared caches keep: an entry holds every transaction up to
the position known when it was filled, so a writer is served from it only once it holds their
write (`Route.stamp`, `api.core.caching.TtlCache.peek`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from agora import sql
from agora.db import Pool, _Acquire

log = logging.getLogger("agora.api")

queries = sql.load(__file__, "replica.sql")

# How old the replica's replay position (and the primary's write position) may be before a
# writer's read, which needs it, has it read again, in the background.
CHECK_SECONDS = 0.1
# While the replica is unreachable, how often it is tried again.
RETRY_SECONDS = 1.0
# A replica that does not answer within this is unreachable; the replica pool's connections and
# waits are bounded by it too, past which the primary answers the query instead.
REPLICA_WAIT_SECONDS = 1.0

# What says the replica (or the connection to it) is gone.
LOST = (
    OSError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
)


def is_lost(error: object) -> bool:
    # (TimeoutError is an OSError, but says the replica is busy, not gone)
    return isinstance(error, LOST) and not isinstance(error, TimeoutError)


# What the primary answers instead: a lost replica, a full or slow one, and a query cancelled by
# a conflict with the replica's recovery (SQLSTATE 40001 on a hot standby).
ELSEWHERE = (*LOST, TimeoutError, asyncpg.SerializationError)


@dataclass(frozen=True, slots=True)
class Route:
    """Where a request reads, and how far (an LSN) its reads are known to have got at least."""

    pool: asyncpg.Pool
    stamp: int


class _FallbackAcquire(_Acquire):
    """A replica connection, or a primary one when the replica cannot give one."""

    __slots__ = ("_instead",)

    async def __aenter__(self) -> Any:
        self._instead: _Acquire | None = None
        replica = cast(ReplicaPool, self.pool)
        try:
            return await super().__aenter__()
        except ELSEWHERE as error:
            replica.trouble(error)
            self._instead = replica.primary.acquire()
            return await self._instead.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        if self._instead is not None:
            await self._instead.__aexit__(*exc)
            return
        if is_lost(exc[1]):
            cast(ReplicaPool, self.pool).trouble(exc[1])
        await super().__aexit__(*exc)


class ReplicaPool(Pool):
    """The replica's pool: a query that finds the replica gone (before or while it runs) is run
    on `primary` instead, and reported to `on_trouble`. Reads only: a query run twice is
    harmless."""

    primary: Pool
    on_trouble: Callable[[BaseException], None]

    def acquire(self, *, timeout: float | None = None, fall_back: bool = True) -> _Acquire:
        if not fall_back:
            return super().acquire(timeout=timeout)
        return _FallbackAcquire(self, self.acquire_timeout if timeout is None else timeout)

    def trouble(self, error: BaseException) -> None:
        self.on_trouble(error)

    async def _here_or_primary(
        self, method: str, query: str, args: tuple[object, ...], options: dict[str, Any]
    ) -> Any:
        try:
            return await getattr(super(), method)(query, *args, **options)
        except ELSEWHERE as error:
            self.trouble(error)
            return await getattr(self.primary, method)(query, *args, **options)

    async def fetch(self, query: str, *args: object, **options: Any) -> Any:
        return await self._here_or_primary("fetch", query, args, options)

    async def fetchrow(self, query: str, *args: object, **options: Any) -> Any:
        return await self._here_or_primary("fetchrow", query, args, options)

    async def fetchval(self, query: str, *args: object, **options: Any) -> Any:
        return await self._here_or_primary("fetchval", query, args, options)

    async def replayed(self) -> int:
        """The replica's replay position, asked of the replica itself (never of the primary)."""
        async with self.acquire(timeout=REPLICA_WAIT_SECONDS, fall_back=False) as conn:
            lsn: int = await conn.fetchval(queries.replayed_lsn, timeout=REPLICA_WAIT_SECONDS)
            return lsn


class ReadRouter:
    """Which pool a request reads from, per worker: see the module's docstring."""

    def __init__(self, primary: Pool, replica: ReplicaPool | None, *, replica_name: str) -> None:
        self._primary = primary
        self._replica = replica
        self._name = replica_name
        self._replayed = 0  # the replica's replay position, as last read
        self._written = 0  # the primary's write position, as last read or written
        self._up: bool | None = None  # None until the replica was first asked
        self._replica_checked = 0.0
        self._written_checked = 0.0
        self._checking: dict[str, asyncio.Task[None]] = {}
        if replica is not None:
            replica.primary = primary
            replica.on_trouble = self._trouble

    @property
    def replica(self) -> ReplicaPool | None:
        return self._replica

    async def start(self) -> None:
        """Read both positions once, so the first requests are routed knowingly (and the log
        says at once whether the replica answers)."""
        await self._check_written()
        if self._replica is not None:
            await self._check_replica()

    async def aclose(self) -> None:
        for task in list(self._checking.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def route(self, own_write: int | None) -> Route:
        """Where a read by someone whose latest write is at `own_write` (None: wrote nothing
        lately) sees everything they wrote: the replica once it has replayed that far."""
        now = time.monotonic()
        replica = self._replica
        if replica is not None:
            # Positions are read again only when someone's read depends on it: a writer the
            # replica has not caught up with, or a replica to try again. Nobody else's does.
            if self._up is False:
                if now - self._replica_checked > RETRY_SECONDS:
                    self._in_background("replica", self._check_replica)
            elif own_write is not None and self._replayed < own_write:
                if now - self._replica_checked > CHECK_SECONDS:
                    self._in_background("replica", self._check_replica)
            if self._up and (own_write is None or self._replayed >= own_write):
                return Route(replica, self._replayed)
        # (a write made through another worker: this one's position of the primary is older)
        if own_write is not None and self._written < own_write:
            if now - self._written_checked > CHECK_SECONDS:
                self._in_background("primary", self._check_written)
        return Route(self._primary, max(self._written, own_write or 0))

    def writes(self) -> Route:
        """The primary, for writes and for what must see them at once (subscriptions)."""
        return Route(self._primary, self._written)

    async def written(self) -> int:
        """The primary's write position now: at or past every commit that returned before."""
        lsn: int = await self._primary.fetchval(queries.written_lsn)
        self._written = max(self._written, lsn)
        return lsn

    def wrote(self, lsn: int) -> int:
        """`lsn`, a write position of the primary read after a commit (as `written` reads it)."""
        self._written = max(self._written, lsn)
        return lsn

    def _in_background(self, name: str, check: Callable[[], Awaitable[None]]) -> None:
        if name not in self._checking:
            task = asyncio.ensure_future(check())
            self._checking[name] = task
            task.add_done_callback(lambda _: self._checking.pop(name, None))

    async def _check_written(self) -> None:
        try:
            await self.written()
        except ELSEWHERE:
            pass  # the primary's trouble is every request's, and said by them
        finally:
            self._written_checked = time.monotonic()

    async def _check_replica(self) -> None:
        assert self._replica is not None
        try:
            lsn = await asyncio.wait_for(self._replica.replayed(), REPLICA_WAIT_SECONDS)
        except (*ELSEWHERE, asyncpg.PostgresError) as error:
            self._trouble(error, unreachable=True)
        else:
            self._replayed = lsn
            if self._up is not True:
                if self._up is None:
                    log.info("read replica: %s answers; reads go to it", self._name)
                else:
                    log.info("read replica: %s is back; reads go to it again", self._name)
                self._up = True
        finally:
            self._replica_checked = time.monotonic()

    def _trouble(self, error: BaseException, *, unreachable: bool = False) -> None:
        """A query found the replica gone (or the check could not reach it): reads go to the
        primary until a check reaches it again. A timeout (a full or slow replica, or one that
        no longer answers at all) sends that query to the primary and has the replica checked:
        it is unreachable only if the check, one short query, times out too."""
        if self._up is False:
            return
        if not (unreachable or is_lost(error)):
            if time.monotonic() - self._replica_checked > CHECK_SECONDS:
                self._in_background("replica", self._check_replica)
            return
        self._up = False
        self._replica_checked = time.monotonic()
        log.warning(
            "read replica: %s is unreachable (%s); reads go to the primary until it is back",
            self._name,
            type(error).__name__ if not str(error) else f"{type(error).__name__}: {error}",
        )
