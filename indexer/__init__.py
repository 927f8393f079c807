"""The indexer: the chain's governance mirrored into PostgreSQL (`agora index`; see README.md)."""

from __future__ import annotations

import asyncio
import logging

from agora.settings import Settings

log = logging.getLogger("agora.indexer")

LOCK_POLL_SECONDS = 1.0


async def run(settings: Settings, database_url: str, stop: asyncio.Event | None = None) -> None:
    """Follows the chain of the deployment file into the mirror until `stop` is set (or forever).

    Only one indexer writes: this waits, saying so, while another holds the advisory lock.
    """
    from governance.deploy import load_deployment
    from indexer import repository
    from indexer.follower import Follower
    from indexer.node import Node

    if not settings.deployment_file.exists():
        raise SystemExit(
            f"no deployment file at {settings.deployment_file}: deploy the contracts first "
            "(`agora deploy`, or `agora up`), or set AGORA_DEPLOYMENT_FILE"
        )
    deployment = load_deployment(settings.deployment_file)
    rpc_url = settings.chain_rpc_url or deployment["rpcUrl"]
    conn = await repository.connect(database_url)
    try:
        if not await repository.try_lock(conn):
            log.info("another `agora index` holds the indexer lock; waiting until it stops")
            while not await repository.try_lock(conn):
                if stop is not None and stop.is_set():
                    return
                await asyncio.sleep(LOCK_POLL_SECONDS)
            log.info("indexer lock acquired")
        log.info(
            "indexing chain %s (deployment file %s) into the mirror",
            rpc_url,
            settings.deployment_file,
        )
        follower = Follower(
            conn,
            Node(rpc_url),
            deployment,
            finality=settings.indexer_finality_blocks,
            confirmations=settings.indexer_confirmations,
            poll_seconds=settings.indexer_poll_seconds,
            max_range=settings.indexer_max_log_range,
        )
        await follower.run(stop)
    finally:
        await conn.close()
