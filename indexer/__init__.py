"""The indexer: the chain's governance mirrored into PostgreSQL (`agora index`; see README.md)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from agora import service
from agora.settings import Settings
from governance.deploy import load_deployment
from indexer import repository
from indexer.follower import Follower
from indexer.node import Node

log = logging.getLogger("agora.indexer")


async def run(settings: Settings, database_url: str, stop: asyncio.Event | None = None) -> None:
    """Follows the chain of the deployment file into the mirror until `stop` is set (or forever).

    Only one indexer writes: a second stands by, saying so once, while another holds the
    advisory lock, and takes over (saying so once) within a second of its end, killed or not.
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
    rpc_url = service.chain_rpc_url(settings, deployment)
    node = Node(rpc_url)
    log.info(
        "indexing chain %s (deployment file %s) into the mirror", rpc_url, settings.deployment_file
    )

    async def follow(conn: asyncpg.Connection) -> None:
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

    await service.run_active(
        lambda: repository.connect(database_url, settings),
        repository.LOCK_KEY,
        follow,
        service="`agora index`",
        log=log,
        stop=stop,
    )
