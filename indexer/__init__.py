"""The indexer: the chain's governance mirrored into PostgreSQL (`agora index`; see README.md)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from agora.settings import Settings
from governance.deploy import load_deployment
from indexer import repository
from indexer.follower import Follower
from indexer.node import Node

log = logging.getLogger("agora.indexer")

LOCK_POLL_SECONDS = 1.0
MAX_RECONNECT_BACKOFF = 5.0

# What PostgreSQL going away looks like to asyncpg: the socket refused or reset, the session
# terminated (pg_terminate_backend, a shutdown or a crash), the server not accepting yet.
_LOST = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


def _connection_lost(error: Exception, conn: asyncpg.Connection | None) -> bool:
    return isinstance(error, _LOST) or (conn is not None and conn.is_closed())


async def run(settings: Settings, database_url: str, stop: asyncio.Event | None = None) -> None:
    """Follows the chain of the deployment file into the mirror until `stop` is set (or forever).

    Only one indexer writes: this waits, saying so, while another holds the advisory lock.
    When PostgreSQL goes away it reconnects with a backoff, saying so once when the connection
    is lost and once when it is back, takes the lock again (another indexer may have taken over
    meanwhile) and resumes from the checkpoint: a range is committed with its checkpoint or not
    at all, so nothing was half-applied.
    """
    if not settings.deployment_file.exists():
        raise SystemExit(
            f"no deployment file at {settings.deployment_file}: deploy the contracts first "
            "(`agora deploy`, or `agora up`), or set AGORA_DEPLOYMENT_FILE"
        )
    deployment = load_deployment(settings.deployment_file)
    rpc_url = settings.chain_rpc_url or deployment["rpcUrl"]
    node = Node(rpc_url)
    log.info(
        "indexing chain %s (deployment file %s) into the mirror", rpc_url, settings.deployment_file
    )
    lost = False
    backoff = 0.2
    while stop is None or not stop.is_set():
        conn: asyncpg.Connection | None = None
        try:
            conn = await repository.connect(database_url)
            locked = await repository.try_lock(conn)
            if lost:
                lost, backoff = False, 0.2
                log.info("PostgreSQL answers again; resuming from the mirror's checkpoint")
            if not locked and not await _wait_for_lock(conn, stop):
                return
            follower = Follower(
                conn,
                node,
                deployment,
                finality=settings.indexer_finality_blocks,
                confirmations=settings.indexer_confirmations,
                poll_seconds=settings.indexer_poll_seconds,
                max_range=settings.indexer_max_log_range,
            )
            await follower.run(stop)
            return
        except Exception as error:
            if not _connection_lost(error, conn):
                raise
            if not lost:
                lost = True
                log.warning(
                    "PostgreSQL connection lost (%s: %s); reconnecting until it answers",
                    type(error).__name__,
                    error,
                )
        finally:
            if conn is not None and not conn.is_closed():
                try:
                    await conn.close(timeout=2)
                except Exception:
                    conn.terminate()  # a half-dead socket: the session ends with it anyway
        await _sleep(backoff, stop)
        backoff = min(backoff * 2, MAX_RECONNECT_BACKOFF)


async def _wait_for_lock(conn: asyncpg.Connection, stop: asyncio.Event | None) -> bool:
    """Waits, saying so, until this session holds the indexer lock; False if stopped first."""
    log.info("another `agora index` holds the indexer lock; waiting until it stops")
    while not await repository.try_lock(conn):
        if stop is not None and stop.is_set():
            return False
        await asyncio.sleep(LOCK_POLL_SECONDS)
    log.info("indexer lock acquired")
    return True


async def _sleep(seconds: float, stop: asyncio.Event | None) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
