"""The API's reads of the chain, for the checks of governance actions and the mirror's lag.

A read of the forum never calls the chain (it reads the indexer's mirror), but relaying a signed
ballot must know what the mirror may not have caught up with yet: the voter's nonce, whether the
proposal is still open, whether the voter has voted. Those are `eth_call`s, made here before
anything is recorded, so a refused relay costs the operator nothing. web3's client is
synchronous: each read runs in a thread, off the event loop, as the sender's do.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception

from agora.settings import Settings
from api.core.errors import ChainUnavailable
from governance.deploy import Deployment, contract_at, load_deployment

T = TypeVar("T")

RPC_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Chain:
    deployment: Deployment
    w3: Web3

    @property
    def chain_id(self) -> int:
        return int(self.deployment["chainId"])

    @property
    def registry(self) -> str:
        return str(self.deployment["contracts"]["registry"]["address"])


@dataclass(frozen=True, slots=True)
class BallotFacts:
    """What the governor says now about a voter and a proposal."""

    state: int | None  # IGovernor.ProposalState; None if the governor has no such proposal
    has_voted: bool
    nonce: int


_lock = threading.Lock()
# The deployment file's chain, by (file, its modification time, RPC URL): `agora up` deploys
# anew on a fresh chain, rewriting the file.
_chains: dict[tuple[str, int, str | None], Chain] = {}


def chain_of(settings: Settings) -> Chain:
    """The chain the platform is deployed on; ChainUnavailable when there is no deployment."""
    path = settings.deployment_file
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise ChainUnavailable(
            "Governance actions are unavailable: this forum is not connected to a chain."
        ) from None
    key = (str(path), mtime, settings.chain_rpc_url)
    with _lock:
        chain = _chains.get(key)
        if chain is None:
            deployment = load_deployment(path)
            rpc_url = settings.chain_rpc_url or str(deployment["rpcUrl"])
            w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}))
            chain = _chains[key] = Chain(deployment, w3)
    return chain


async def read(call: Callable[[], T]) -> T:
    """`call()`, which talks to the node, in a thread; ChainUnavailable if the node is away."""
    try:
        return await asyncio.to_thread(call)
    except OSError:  # requests' ConnectionError, Timeout and HTTPError are OSErrors
        raise ChainUnavailable(
            "The chain cannot be reached right now; try again in a moment."
        ) from None


def ballot_facts(chain: Chain, governor: str, proposal_id: int, voter: str) -> BallotFacts:
    """The proposal's state, whether `voter` has voted on it, and the voter's ballot nonce."""
    contract = contract_at(chain.w3, "CommunityGovernor", governor)
    checksummed = Web3.to_checksum_address(voter)
    try:
        state: int | None = contract.functions.state(proposal_id).call()
    except ContractLogicError:  # GovernorNonexistentProposal: the mirror is ahead of a reorg
        state = None
    has_voted: bool = contract.functions.hasVoted(proposal_id, checksummed).call()
    nonce: int = contract.functions.nonces(checksummed).call()
    return BallotFacts(state, has_voted, nonce)


# `Query.indexer` compares the mirror with the chain's head now: asked of the node at most once
# per HEAD_CACHE_SECONDS per worker (one request at a time), and not waited for longer than
# HEAD_TIMEOUT_SECONDS (a hung node must not hang the field: the head is then unknown).
HEAD_CACHE_SECONDS = 1.0
HEAD_TIMEOUT_SECONDS = 2.0


class _Head:
    def __init__(self) -> None:
        self.value: int | None = None
        self.read_at = float("-inf")
        self.fetch: asyncio.Future[int] | None = None

    async def now(self, settings: Settings) -> int | None:
        loop = asyncio.get_running_loop()
        if loop.time() - self.read_at < HEAD_CACHE_SECONDS:
            return self.value
        if self.fetch is None or self.fetch.done() or self.fetch.get_loop() is not loop:
            self.fetch = asyncio.ensure_future(_block_number(settings))
            # Retrieved here if nobody waits for it to the end (a timeout): no warning.
            self.fetch.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            self.value = await asyncio.wait_for(asyncio.shield(self.fetch), HEAD_TIMEOUT_SECONDS)
        except (TimeoutError, ChainUnavailable, Web3Exception, ValueError):
            self.value = None
        self.read_at = loop.time()
        return self.value


async def _block_number(settings: Settings) -> int:
    chain = chain_of(settings)
    return await read(lambda: chain.w3.eth.block_number)


# By deployment file and RPC URL: one process may serve several apps (the tests do).
_heads: dict[tuple[str, str | None], _Head] = {}


async def head_now(settings: Settings) -> int | None:
    """The chain's head block as the node answers now; None when there is no chain or the node
    does not answer in time."""
    key = (str(settings.deployment_file), settings.chain_rpc_url)
    head = _heads.get(key)
    if head is None:
        head = _heads[key] = _Head()
    return await head.now(settings)
