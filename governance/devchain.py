"""Controls of a local anvil chain for tests, the gas report and demos: funds, time, snapshots."""

from __future__ import annotations

import time
from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    response = w3.provider.make_request(RPCEndpoint(method), params)
    if "error" in response:
        raise RuntimeError(f"{method} failed: {response['error']}")
    return response.get("result")


def fund(w3: Web3, address: str, wei: int = 10**20) -> None:
    """Sets the balance of `address` (anvil only)."""
    _rpc(w3, "anvil_setBalance", [Web3.to_checksum_address(address), hex(wei)])


def advance_time(w3: Web3, seconds: int) -> int:
    """Moves the clock `seconds` forward and mines a block then; returns the block's timestamp."""
    _rpc(w3, "evm_increaseTime", [seconds])
    _rpc(w3, "evm_mine", [])
    timestamp: int = w3.eth.get_block("latest")["timestamp"]
    return timestamp


def snapshot(w3: Web3) -> str:
    """Snapshots the chain's state; `revert_to` returns to it (once)."""
    snapshot_id: str = _rpc(w3, "evm_snapshot", [])
    return snapshot_id


def revert_to(w3: Web3, snapshot_id: str) -> None:
    if not _rpc(w3, "evm_revert", [snapshot_id]):
        raise RuntimeError(f"no snapshot {snapshot_id}")


def keep_clock(w3: Web3) -> int:
    """Continues the chain's clock from its latest block when the wall clock is behind it, and
    returns by how many seconds it is ahead (0 when it is not).

    anvil restarted from a saved state stamps new blocks with the wall clock again, behind a
    clock that was moved forward (`agora seed`'s demo does): time would run backwards, which
    the tokens' vote checkpoints refuse.
    """
    latest: int = w3.eth.get_block("latest")["timestamp"]
    ahead = latest - int(time.time())
    if ahead < 0:
        return 0
    _rpc(w3, "anvil_setTime", [latest + 1])
    return ahead + 1
