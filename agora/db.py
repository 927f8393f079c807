"""The PostgreSQL pool every service uses."""

from __future__ import annotations

import json
import time
from contextvars import ContextVar, Token
from typing import Any

import asyncpg
from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy

from agora import metrics
from agora.settings import Settings

# Set while the current task holds a pool connection (see `Pool`).
_holding: ContextVar[bool] = ContextVar("agora_db_holding", default=False)

APPLICATION_NAME = "agora"


class SecondConnection(RuntimeError):
    """A task asked for a pool connection while it already held one."""


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query (RESET ALL, UNLISTEN *, …) when a connection goes back to the
    pool: our code never changes session state through the pool, and the reset cost one extra
    round trip per query. asyncpg still rolls back any transaction left open."""


class _Acquire(PoolAcquireContext):
    __slots__ = ("_token",)

    async def __aenter__(self) -> PoolConnectionProxy[asyncpg.Record]:
        if _holding.get():
            # Waiting for a second connection while holding one (and perhaps its row locks)
            # deadlocks the whole pool once every connection is held by such a waiter: all
            # requests, /healthz included, then hang. Check first (loaders, the pool), then take
            # one connection and do everything on it.
            raise SecondConnection(
                "this task already holds a pool connection; use it, or check before taking it"
            )
        pool = self.pool
        waits = pool.get_idle_size() == 0 and pool.get_size() >= pool.get_max_size()
        started = time.monotonic() if waits else 0.0
        connection = await super().__aenter__()
        if waits:
            metrics.POOL_WAITS.add()
            metrics.POOL_WAIT_SECONDS.add(time.monotonic() - started)
        metrics.POOL_IN_USE.value += 1
        self._token: Token[bool] = _holding.set(True)
        return connection

    async def __aexit__(self, *exc: object) -> None:
        _holding.reset(self._token)
        metrics.POOL_IN_USE.value -= 1
        await super().__aexit__(*exc)


class Pool(asyncpg.Pool):
    """asyncpg's pool with two rules: a wait for a free connection ends after `acquire_timeout`
    seconds (asyncpg waits forever by default), and a task holding a connection that asks for
    another one (directly, or through `pool.fetch…` and the loaders) gets `SecondConnection` at
    once instead of a deadlock under load. `pool.fetch…` hold their connection for one query."""

    def __init__(self, *args: Any, acquire_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> _Acquire:
        return _Acquire(self, self.acquire_timeout if timeout is None else timeout)


class QueryCounter:
    """Counts the statements a pool runs (tests use it to prove a page costs a fixed number)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, record: object) -> None:
        self.count += 1


def server_settings(settings: Settings, application_name: str) -> dict[str, str]:
    """The session settings of every connection Agora opens: the standard timeouts, and a name,
    so an operator (or a test) can find each service's sessions in pg_stat_activity."""
    return {
        "application_name": application_name,
        "statement_timeout": str(settings.db_statement_timeout_ms),
        "lock_timeout": str(settings.db_lock_timeout_ms),
        "idle_in_transaction_session_timeout": str(settings.db_idle_in_transaction_timeout_ms),
    }


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    counter: QueryCounter | None = None,
    settings: Settings | None = None,
    pool_class: type[Pool] = Pool,
) -> Pool:
    """A pool whose connections carry the timeouts of `settings` (the defaults when None)."""
    settings = settings or Settings()

    async def init(conn: asyncpg.Connection) -> None:
        await _init_connection(conn)
        if counter is not None:
            conn.add_query_logger(counter)

    pool = pool_class(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        init=init,
        reset=_keep_session,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        acquire_timeout=settings.db_acquire_timeout_seconds,
        # Connecting is part of acquiring when a connection was lost, so the same bound.
        timeout=settings.db_acquire_timeout_seconds,
        server_settings=server_settings(settings, APPLICATION_NAME),
    )
    await pool
    return pool


async def fetch_one(db: Executor, query: str, *args: Any) -> asyncpg.Record:
    """The one row `query` always returns (`INSERT … RETURNING`, an upsert, a read or update of
    a row that cannot be gone); its absence is a bug, not a case to handle."""
    row = await db.fetchrow(query, *args)
    if row is None:
        raise RuntimeError(f"the query returned no row: {query.splitlines()[0]}")
    return row


# Anything that runs a query: the pool itself, or a connection taken from it (in a transaction).
Executor = asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
