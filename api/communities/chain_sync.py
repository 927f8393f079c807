"""Creating a community on-chain after it is created here.

The platform's operator key submits the factory call in the background; the community shows
its token and governor addresses once the transaction is mined (status PENDING -> CONFIRMED, or
FAILED with the reason logged). Without a deployment (no chain configured) communities stay
PENDING and the forum works as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import asyncpg

from agora.chain import connect
from agora.settings import ANVIL_OPERATOR_KEY, Settings
from api.communities import repository
from governance.operator import create_community_onchain

log = logging.getLogger("agora.chain")


class ChainSync:
    def __init__(self, settings: Settings, pool: asyncpg.Pool) -> None:
        self._settings = settings
        self._pool = pool
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()  # one operator nonce: submit one transaction at a time

    def deployment(self) -> dict[str, Any] | None:
        path = Path(self._settings.deployment_file)
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def community_created(self, community_id: int, name: str, creator: str) -> None:
        if self.deployment() is None:
            return
        task = asyncio.create_task(self._create(community_id, name, creator))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _create(self, community_id: int, name: str, creator: str) -> None:
        deployment = self.deployment()
        assert deployment is not None
        rpc_url: str = self._settings.chain_rpc_url or deployment["rpcUrl"]
        key = self._settings.operator_key or ANVIL_OPERATOR_KEY
        try:
            async with self._lock:
                result = await asyncio.to_thread(
                    lambda: create_community_onchain(
                        connect(rpc_url), deployment, key, name, creator
                    )
                )
        except Exception:
            log.exception("creating c/%s on-chain failed", name)
            await repository.set_community_chain(
                self._pool,
                community_id=community_id,
                status="FAILED",
                token_address=None,
                governor_address=None,
            )
            return
        await repository.set_community_chain(
            self._pool,
            community_id=community_id,
            status="CONFIRMED",
            token_address=result["token"],
            governor_address=result["governor"],
        )
        log.info(
            "c/%s is on-chain: token %s, governor %s", name, result["token"], result["governor"]
        )

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
