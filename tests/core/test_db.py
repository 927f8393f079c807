"""The pool: nothing waits on the database forever, and no task holds two connections."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from agora import service
from agora.db import Pool, SecondConnection, create_pool
from agora.settings import Settings

QUICK = Settings(
    db_statement_timeout_ms=300,
    db_lock_timeout_ms=200,
    db_idle_in_transaction_timeout_ms=400,
    db_acquire_timeout_seconds=0.3,
)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await create_pool(database_url, min_size=1, max_size=2, settings=QUICK)
    yield pool
    await pool.close()


async def test_every_connection_carries_the_timeouts_of_the_settings(pool: Pool) -> None:
    async with pool.acquire() as conn:
        shown = [
            await conn.fetchval(f"SHOW {name}")
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
        ]
    assert shown == ["300ms", "200ms", "400ms"]


async def test_a_services_own_connection_carries_the_same_timeouts_and_its_name(
    database_url: str,
) -> None:
    # given the connections `agora send` and `agora index` open beside the pool
    sender = await service.connect(database_url, QUICK, name="agora-send")
    indexer = await service.connect(
        database_url, QUICK, name="agora-indexer", statement_timeout=False
    )
    try:
        # then each carries the pool's timeouts (the indexer's large ranges: no statement one)
        # and says in pg_stat_activity which service it is
        for conn, statement, name in (
            (sender, "300ms", "agora-send"),
            (indexer, "0", "agora-indexer"),
        ):
            shown = [
                await conn.fetchval(f"SHOW {setting}")
                for setting in (
                    "statement_timeout",
                    "lock_timeout",
                    "idle_in_transaction_session_timeout",
                    "application_name",
                )
            ]
            assert shown == [statement, "200ms", "400ms", name]
    finally:
        await sender.close()
        await indexer.close()


async def test_a_long_statement_is_cancelled(pool: Pool) -> None:
    with pytest.raises(asyncpg.QueryCanceledError):
        await pool.execute("SELECT pg_sleep(5)")


async def test_a_wait_for_a_row_lock_ends(pool: Pool, db: asyncpg.Connection) -> None:
    # given a lock someone else holds
    await db.execute("CREATE TABLE IF NOT EXISTS lock_probe (id int PRIMARY KEY)")
    await db.execute("INSERT INTO lock_probe VALUES (1) ON CONFLICT DO NOTHING")
    async with db.transaction():
        await db.execute("SELECT * FROM lock_probe WHERE id = 1 FOR UPDATE")
        # when the pool wants it, then it gives up after the lock timeout
        started = time.monotonic()
        with pytest.raises(asyncpg.LockNotAvailableError):
            await pool.execute("UPDATE lock_probe SET id = 1 WHERE id = 1")
    assert time.monotonic() - started < 2


async def test_a_transaction_left_idle_is_ended_by_the_server(pool: Pool) -> None:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await asyncio.sleep(1)
        with pytest.raises((asyncpg.IdleInTransactionSessionTimeoutError, asyncpg.InterfaceError)):
            await conn.fetchval("SELECT 1")
    # and the pool replaces the lost connection
    assert await pool.fetchval("SELECT 1") == 1


async def test_a_wait_for_a_free_connection_ends(pool: Pool) -> None:
    # given every connection of the pool held, each by a task of its own
    release = asyncio.Event()
    held = [asyncio.Event(), asyncio.Event()]

    async def hold(acquired: asyncio.Event) -> None:
        async with pool.acquire():
            acquired.set()
            await release.wait()

    holders = [asyncio.create_task(hold(acquired)) for acquired in held]
    for acquired in held:
        await acquired.wait()
    # when one more is asked for
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await pool.fetchval("SELECT 1")
    # then the wait was the acquire timeout, not forever
    assert time.monotonic() - started < 2
    release.set()
    await asyncio.gather(*holders)
    assert await pool.fetchval("SELECT 1") == 1


async def test_a_task_holding_a_connection_cannot_take_a_second(pool: Pool) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(SecondConnection):
            await pool.fetchval("SELECT 1")
        # nor through a task it starts meanwhile (a DataLoader's batch, say)
        with pytest.raises(SecondConnection):
            await asyncio.create_task(pool.fetchval("SELECT 1"))
        assert await conn.fetchval("SELECT 1") == 1
    # once it gave the connection back, it may take one again
    assert await pool.fetchval("SELECT 2") == 2
