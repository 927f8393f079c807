"""The PostgreSQL pool every service uses."""

from __future__ import annotations

import json
from typing import Any

import asyncpg


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query (RESET ALL, UNLISTEN *, …) when a connection goes back to the
    pool: our code never changes session state through the pool, and the reset cost one extra
    round trip per query. asyncpg still rolls back any transaction left open."""


class QueryCounter:
    """Counts the statements a pool runs (tests use it to prove a page costs a fixed number)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, record: object) -> None:
        self.count += 1


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 10, counter: QueryCounter | None = None
) -> asyncpg.Pool:
    async def init(conn: asyncpg.Connection) -> None:
        await _init_connection(conn)
        if counter is not None:
            conn.add_query_logger(counter)

    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=init, reset=_keep_session
    )
    assert pool is not None
    return pool


async def fetch_returned(db: Executor, query: str, *args: Any) -> asyncpg.Record:
    """The row of a write that always returns one (`INSERT … RETURNING`, an upsert, an update of
    a row that cannot be gone); its absence is a bug, not a case to handle."""
    row = await db.fetchrow(query, *args)
    if row is None:
        raise RuntimeError(f"the query returned no row: {query.splitlines()[0]}")
    return row


# Anything that runs a query: the pool itself, or a connection taken from it (in a transaction).
Executor = asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
