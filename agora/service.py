"""The service kit: what every long-running service (`agora index`, `agora send`, the API's
listeners, the ledger) does alike, written once.

- `Outage`: the back-off while something it needs is away, with its two log lines (lost once,
  back once), never one per try.
- `connect`: a service's own database connection, with the standard timeouts of the pool's.
- `database_lost`: whether an error means the database went away (reconnect, not a bug).
- `chain_rpc_url`: which node a service talks to.
- `stand_by`: one active instance per lock; a second waits, and takes over when it dies.
- `run_active`: all of these around a service's work, for its whole life.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

import asyncpg

from agora import sql
from agora.db import server_settings
from agora.settings import Settings

queries = sql.load(__file__, "service.sql")

BACKOFF_START_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
# How often a standby asks for the lock: it takes over within this of the active one's end.
STANDBY_POLL_SECONDS = 0.5
# A standby learns that the active one's host vanished (not just its process, whose socket the
# kernel closes at once) when PostgreSQL's keepalives give up on its connection: within
# idle + interval × count seconds, here 20.
_KEEPALIVES = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}


class Outage:
    """Backs off (doubling up to a cap) while `what` is away; logs once when it is lost and once
    when it is back, not once per try."""

    def __init__(self, what: str, log: logging.Logger, *, cap: float = BACKOFF_CAP_SECONDS):
        self.what = what
        self.log = log
        self.cap = cap
        self.since: float | None = None
        self.delay = BACKOFF_START_SECONDS

    @property
    def is_lost(self) -> bool:
        return self.since is not None

    async def lost(self, error: BaseException, stop: asyncio.Event | None = None) -> None:
        """Says once that `what` is unreachable, then waits before the next try (less if
        `stop` is set meanwhile)."""
        if self.since is None:
            self.since = time.monotonic()
            self.log.warning(
                "%s is unreachable (%s: %s); retrying until it answers, backing off up to %.0f s",
                self.what,
                type(error).__name__,
                error,
                self.cap,
            )
        await _sleep(self.delay, stop)
        self.delay = min(self.delay * 2, self.cap)

    def back(self) -> None:
        if self.since is not None:
            self.log.info("%s answers again after %.1f s", self.what, time.monotonic() - self.since)
        self.since = None
        self.delay = BACKOFF_START_SECONDS


# What PostgreSQL going away looks like to asyncpg: the socket refused or reset, the session
# terminated (pg_terminate_backend, a shutdown or a crash), the server not accepting yet.
_DATABASE_LOST = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


def database_lost(error: BaseException, conn: asyncpg.Connection | None = None) -> bool:
    """Whether `error` means the database went away (connect again), not a bug."""
    return isinstance(error, _DATABASE_LOST) or (conn is not None and conn.is_closed())


async def connect(
    database_url: str, settings: Settings, *, name: str, statement_timeout: bool = True
) -> asyncpg.Connection:
    """A service's own connection (not the pool's), named `name` in pg_stat_activity, with the
    pool's timeouts; without `statement_timeout` for one that waits on a lock or writes a large
    range in one statement."""
    options = server_settings(settings, name) | _KEEPALIVES
    if not statement_timeout:
        options["statement_timeout"] = "0"
    conn: asyncpg.Connection = await asyncpg.connect(
        database_url, timeout=settings.db_acquire_timeout_seconds, server_settings=options
    )
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return conn


async def close(conn: asyncpg.Connection | None) -> None:
    """Closes `conn` if open; a half-dead socket is cut (its session ends with it anyway)."""
    if conn is None or conn.is_closed():
        return
    try:
        await conn.close(timeout=2)
    except Exception:
        conn.terminate()


def chain_rpc_url(settings: Settings, deployment: Mapping[str, object]) -> str:
    """The node a service talks to: CHAIN_RPC_URL if set, else the one the contracts were
    deployed through (the deployment file's `rpcUrl`)."""
    return settings.chain_rpc_url or str(deployment["rpcUrl"])


async def stand_by(
    conn: asyncpg.Connection,
    lock_key: int,
    *,
    service: str,
    log: logging.Logger,
    stop: asyncio.Event | None = None,
) -> bool:
    """Takes the advisory lock that makes one `service` active; while another holds it, stands
    by (saying so once) and takes over (saying so once) when it ends, within
    STANDBY_POLL_SECONDS. False if `stop` is set first. The lock lives as long as `conn`."""
    if await try_lock(conn, lock_key):
        return True
    log.info(
        "another %s is active (it holds advisory lock %#x); standing by to take over",
        service,
        lock_key,
    )
    waited = time.monotonic()
    while not await try_lock(conn, lock_key):
        if stop is not None and stop.is_set():
            return False
        await _sleep(STANDBY_POLL_SECONDS, stop)
    log.info(
        "the active %s stopped; this one takes over (it waited %.1f s)",
        service,
        time.monotonic() - waited,
    )
    return True


async def run_active(
    connect: Callable[[], Awaitable[asyncpg.Connection]],
    lock_key: int,
    work: Callable[[asyncpg.Connection], Awaitable[None]],
    *,
    service: str,
    log: logging.Logger,
    stop: asyncio.Event | None = None,
) -> None:
    """The life of a service with one active instance: `work` runs on a connection (`connect`)
    that holds `lock_key`, standing by while another instance holds it (`stand_by`). When the
    database goes away it connects again, backing off and saying so once (`Outage`), and takes
    the lock again before any work: another instance may have taken over meanwhile. Returns when
    `work` does, or once `stop` is set."""
    database = Outage("PostgreSQL", log)
    while stop is None or not stop.is_set():
        conn: asyncpg.Connection | None = None
        try:
            conn = await connect()
            database.back()
            if not await stand_by(conn, lock_key, service=service, log=log, stop=stop):
                return
            await work(conn)
            return
        except Exception as error:
            if not database_lost(error, conn):
                raise
            lost = error
        finally:
            await close(conn)
        await database.lost(lost, stop)


async def try_lock(conn: asyncpg.Connection, key: int) -> bool:
    """Takes the advisory lock `key` for `conn`'s session if it is free; whether it did."""
    locked: bool = await conn.fetchval(queries.try_lock, key)
    return locked


async def _sleep(seconds: float, stop: asyncio.Event | None) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
