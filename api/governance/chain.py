"""The API's reads of the chain, for the checks of governance actions alone.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from web3 import Web3
from web3.exceptions import ContractLogicError

from agora.chain import decode_revert
from agora.settings import Settings
from api.core.errors import ChainUnavailable
from governance.deploy import Deployment, contract_at, load_deployment
from governance.operator import cast_vote_by_sig_call

T = TypeVar("T")

# What one relay's reads of the chain may take in all: a person is waiting for the answer.
READ_BUDGET_SECONDS = 3.0


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
            rpc_url = settings.chain_rpc_url or str(deployment["rpcUrl"])
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
