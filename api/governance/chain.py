"""The API's reads of the chain, for the checks of governance actions and the mirror's lag.

A read of the forum never calls the chain (it reads the indexer's mirror), but relaying a signed
ballot must know what the mirror may not have caught up with yet: the voter's nonce, whether the
proposal is still open, whether the voter has voted. Those are `eth_call`s, made here before
anything is recorded, so a refused relay costs the operator nothing. web3's client is
synchronous: each read runs in a thread, off the event loop, as the sender's do.

A node that hangs (accepts the connection, never answers) must not hold a request: each read is
bounded as a whole by READ_BUDGET_SECONDS, and the HTTP client neither waits longer than that
nor retries (web3's default retries made a hung node answer after 27 s).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception

from agora import service
from agora.chain import decode_revert
from agora.settings import Settings
from api.core.errors import BadUserInput, ChainUnavailable
from governance.deploy import Deployment, contract_at, load_deployment
from governance.operator import cast_vote_by_sig_call

T = TypeVar("T")

# What one relay's reads of the chain may take in all: a person is waiting for the answer.
READ_BUDGET_SECONDS = 3.0
# How long a relay (a vote, a tip) waits for the sender to sign its transaction (it sends one
# intent at a time, in order: behind a long queue the answer comes without a hash, PENDING).
RELAY_WAIT_SECONDS = 5.0
RELAY_POLL_SECONDS = 0.05


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
    """What the governor says now about a voter, a proposal and the voter's ballot."""

    state: int | None  # IGovernor.ProposalState; None if the governor has no such proposal
    has_voted: bool
    nonce: int
    # None if the governor would count the ballot now; else its revert, decoded (e.g.
    # `GovernorInvalidSignature(0x…)`).
    refusal: str | None


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
            rpc_url = service.chain_rpc_url(settings, deployment)
            provider = Web3.HTTPProvider(
                rpc_url,
                request_kwargs={"timeout": READ_BUDGET_SECONDS},
                exception_retry_configuration=None,
            )
            w3 = Web3(provider)
            chain = _chains[key] = Chain(deployment, w3)
    return chain


async def read(call: Callable[[], T]) -> T:
    """`call()`, which talks to the node, in a thread; ChainUnavailable if the node is away or
    does not answer within READ_BUDGET_SECONDS (the thread ends with its own timeout)."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(call), READ_BUDGET_SECONDS)
    # requests' ConnectionError, Timeout and HTTPError are OSErrors
    except (OSError, TimeoutError):
        raise ChainUnavailable(
            "The chain cannot be reached right now; try again in a moment."
        ) from None


def ballot_facts(
    chain: Chain,
    governor: str,
    proposal_id: int,
    support: int,
    voter: str,
    signature: bytes,
    reason: str | None,
) -> BallotFacts:
    """The proposal's state, whether `voter` has voted on it, the voter's ballot nonce, and what
    the governor says to this very ballot, sent as the sender will send it.

    The last is an `eth_call` of the vote itself: the chain runs its own checks (the signature's
    form, its signer, the nonce, the state), so no ballot the chain would refuse is recorded
    because a check of ours differs from the chain's (a contract voter's signature, which the
    governor checks with ERC-1271, is judged as the chain judges it too)."""
    contract = contract_at(chain.w3, "CommunityGovernor", governor)
    checksummed = Web3.to_checksum_address(voter)
    try:
        state: int | None = contract.functions.state(proposal_id).call()
    except ContractLogicError:  # GovernorNonexistentProposal: the mirror is ahead of a reorg
        state = None
    has_voted: bool = contract.functions.hasVoted(proposal_id, checksummed).call()
    nonce: int = contract.functions.nonces(checksummed).call()
    call = cast_vote_by_sig_call(
        chain.w3, governor, proposal_id, support, checksummed, signature, reason=reason
    )
    refusal: str | None = None
    try:
        call.call()
    except ContractLogicError as error:
        refusal = decode_revert(error)
    return BallotFacts(state, has_voted, nonce, refusal)


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


def signature_bytes(value: str, *, field: str) -> bytes:
    """A wallet's signature (hexadecimal, with or without 0x) as the 65 bytes r, s, v the chain
    takes; BadUserInput naming `field` for anything else."""
    try:
        raw = bytes.fromhex(value.strip().removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 65:
        raise BadUserInput(
            "A signature is 65 bytes in hexadecimal (0x and 130 digits), as the wallet gives it.",
            field=field,
        )
    return raw


async def await_signed(
    read_intent: Callable[[], Awaitable[asyncpg.Record | None]],
) -> asyncpg.Record:
    """The relayed intent `read_intent` reads, once the sender has signed it (or settled it),
    or as it stands after RELAY_WAIT_SECONDS."""
    deadline = time.monotonic() + RELAY_WAIT_SECONDS
    while True:
        row = await read_intent()
        assert row is not None  # intents are never deleted
        if row["status"] != "pending" or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(RELAY_POLL_SECONDS)
