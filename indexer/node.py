"""The indexer's view of the node: raw JSON-RPC through web3.py's HTTP provider, with retries.

While the node does not answer, every call waits and tries again with a backoff (capped at
`MAX_BACKOFF` seconds), saying so in the log once when the node is lost and once when it is back.
An error the node answers with (a JSON-RPC error) is not retried here: `get_logs` turns a refused
range into `RangeRefused` so that the follower shrinks it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

import requests
from web3 import Web3
from web3.types import RPCEndpoint

from agora.service import BACKOFF_CAP_SECONDS, Outage
from indexer.events import RawLog

log = logging.getLogger("agora.indexer")

MAX_BACKOFF = BACKOFF_CAP_SECONDS


class NodeError(RuntimeError):
    """The node answered a call with an error."""


class RangeRefused(NodeError):
    """The node refused an eth_getLogs range; `suggested` is the end block it proposes, if any."""

    def __init__(self, message: str, suggested: int | None) -> None:
        super().__init__(message)
        self.suggested = suggested


@dataclass(frozen=True, slots=True)
class Header:
    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int


# Alchemy: "… this block range should work: [0x1, 0x2]"; Infura: "… Try with this block range
# [0x1, 0x2]."; both give the range the node would accept.
_SUGGESTED = re.compile(r"\[(0x[0-9a-fA-F]+),\s*(0x[0-9a-fA-F]+)\]")


class Node:
    def __init__(self, rpc_url: str, *, timeout: float = 30.0) -> None:
        self.rpc_url = rpc_url
        # No retries inside web3.py: this loop retries, and logs the outage once.
        self._w3 = Web3(
            Web3.HTTPProvider(
                rpc_url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None
            )
        )
        self._outage = Outage(f"the chain node at {rpc_url}", log, cap=MAX_BACKOFF)

    async def call(self, method: str, params: list[Any]) -> Any:
        """`method(params)`'s result, retried while the node is unreachable."""
        while True:
            try:
                response = await asyncio.to_thread(
                    self._w3.provider.make_request, RPCEndpoint(method), params
                )
            except (requests.ConnectionError, requests.Timeout, OSError) as error:
                await self._outage.lost(error)
                continue
            self._outage.back()
            if "error" in response:
                refusal = response["error"]
                message = (
                    refusal.get("message", str(refusal)) if isinstance(refusal, dict) else refusal
                )
                raise NodeError(f"{method}: {message}")
            return response.get("result")

    async def chain_id(self) -> int:
        return int(await self.call("eth_chainId", []), 16)

    async def block_number(self) -> int:
        return int(await self.call("eth_blockNumber", []), 16)

    async def header(self, number: int) -> Header | None:
        """The block `number` of the node's current chain; None past its head."""
        block = await self.call("eth_getBlockByNumber", [hex(number), False])
        if block is None:
            return None
        return Header(
            number=int(block["number"], 16),
            hash=bytes.fromhex(block["hash"][2:]),
            parent_hash=bytes.fromhex(block["parentHash"][2:]),
            timestamp=int(block["timestamp"], 16),
        )

    async def get_logs(
        self, from_block: int, to_block: int, addresses: list[str], topics: list[str]
    ) -> list[RawLog]:
        params = {
            "fromBlock": hex(from_block),
            "toBlock": hex(to_block),
            "address": addresses,
            "topics": [topics],
        }
        try:
            logs: list[RawLog] = await self.call("eth_getLogs", [params])
        except NodeError as error:
            match = _SUGGESTED.search(str(error))
            suggested = int(match.group(2), 16) if match else None
            raise RangeRefused(str(error), suggested) from error
        return logs
