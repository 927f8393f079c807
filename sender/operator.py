"""What the sender's parts share: the operator's key and nonce on one chain, the outbox's
connection, and the reads of the node off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

import asyncpg
from eth_account import Account
from eth_typing import ChecksumAddress
from web3 import Web3

from agora import sql
from agora.service import Outage
from agora.settings import Settings
from governance.deploy import Deployment

log = logging.getLogger("agora.sender")

queries = sql.load(__file__, "queries.sql")

RPC_TIMEOUT_SECONDS = 10.0

T = TypeVar("T")


class ChainUnreachable(Exception):
    """The chain's node did not answer (refused, timed out, or answered with an HTTP error)."""


def hex_or_dash(value: bytes | None) -> str:
    return "0x" + value.hex() if value is not None else "-"


class Operator:
    """The operator's account on the deployment's chain, sending over `db`, a connection that
    holds the sender's lock."""

    def __init__(
        self,
        settings: Settings,
        db: asyncpg.Connection,
        deployment: Deployment,
        rpc_url: str,
        key: str,
    ) -> None:
        self.settings = settings
        self.db = db
        self.deployment = deployment
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}))
        self.key = key
        self.address = ChecksumAddress(Account.from_key(key).address)
        self.chain = Outage(f"the chain at {rpc_url}", log)

    async def read(self, call: Callable[[], T]) -> T:
        """`call()`, which talks to the node, off the event loop."""
        try:
            return await asyncio.to_thread(call)
        except OSError as error:  # requests' ConnectionError, Timeout and HTTPError are OSErrors
            raise ChainUnreachable(str(error) or type(error).__name__) from error

    async def pause(self, point: str) -> None:
        """Stops here forever when SENDER_PAUSE_AFTER names `point` (tests kill it there)."""
        if self.settings.sender_pause_after == point:
            log.warning("paused after the transaction was %s (SENDER_PAUSE_AFTER, tests)", point)
            await asyncio.Event().wait()
