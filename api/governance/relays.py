"""Votes without gas: `relayVote` takes a ballot the voter signed (EIP-712, OpenZeppelin's
`Ballot`, or its `ExtendedBallot` when there is a reason) and records an intent for the
operator's sender to send it with `castVoteBySig`.

Everything that would make the chain refuse it is checked first, from the mirror and with
`eth_call`s (the proposal's state now, whether the voter has voted, and the vote itself as the
sender will send it, which runs the governor's own checks of the signature and the voter's
nonce), so a refusal costs the operator no gas. The governor's nonce is the voter's, spent by a
ballot on any proposal: the outbox takes one unsettled ballot per governor, voter and nonce, and
a failed one holds nothing. The answer waits a moment for the sender to sign the transaction, to
give its hash (`chain.await_signed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, NoReturn

import asyncpg
import strawberry
from web3 import Web3

from api.core import permissions, ratelimit, validation
from api.core.errors import (
    AlreadyVoted,
    BadSignature,
    BadUserInput,
    Conflict,
    NotFound,
    NoVotingPower,
    ProposalNotActive,
)
from api.core.types import Info
from api.governance import chain, repository
from api.governance.types import ProposalState, VoteSupport, decode_proposal_id
from api.users.types import checksummed
from governance.intents import CastVoteBySig
from governance.proposals import ProposalState as ChainProposalState

REASON_MAX_LENGTH = 1_000
# secp256k1's order: OpenZeppelin's ECDSA refuses a signature whose s is in the upper half (the
# malleable twin of a valid one), so the relay does too rather than let the chain refuse it.
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="Where a relayed vote or tip stands.")
class RelayStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Recorded; the operator's sender has not signed it yet."
    )
    SENT = strawberry.enum_value("SENT", description="Signed and broadcast: `txHash` is final.")
    MINED = strawberry.enum_value(
        "MINED", description="On-chain (the mirror shows it once indexed)."
    )
    FAILED = strawberry.enum_value("FAILED", description="The chain refused it; `error` says why.")


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a relayed intent stands, as a relay's answer shows it."""

    status: RelayStatus
    tx_hash: str | None
    error: str | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> Outcome:
        """From an outbox row (`status`, `tx_hash`, `error`)."""
        return cls(
            status=RelayStatus(row["status"].upper()),
            tx_hash="0x" + bytes(row["tx_hash"]).hex() if row["tx_hash"] else None,
            error=row["error"] if row["status"] == "failed" else None,
        )


@strawberry.type(description="A signed ballot the operator sends for the voter.")
class RelayedVote:
    """A signed ballot the operator sends for the voter."""

    proposal_id: str = strawberry.field(
        description="The governor's id of the proposal, in decimal."
    )
    voter: str = strawberry.field(description="The voter's address (EIP-55).")
    support: VoteSupport = strawberry.field(description="Their choice.")
    status: RelayStatus = strawberry.field(description="Where it stands.")
    # The transaction that carries the vote; null while PENDING.
    tx_hash: str | None = strawberry.field(
        description="The transaction that carries the vote; null while PENDING."
    )
    error: str | None = strawberry.field(description="Why the chain refused it, when FAILED.")


def _signature(value: str) -> bytes:
    """The ballot's signature in the form the governor takes, or BadSignature where the governor
    would refuse it whatever it signs (OpenZeppelin 5's ECDSA.tryRecover: 65 bytes r, s, v).

    `v` is 27 or 28 for the chain (it hands it to `ecrecover` as it is). Wallets and libraries
    that give 0 or 1 mean the same recovery bit, so those are normalised to 27 or 28, and the
    normalised bytes are what is recorded and sent: a signature the chain then accepts, of the
    same ballot. Any other `v` (35 and above is EIP-155's form for transactions, not typed data)
    and an `s` in the upper half of the curve's order (the malleable twin of a valid signature,
    refused by the governor) are refused.
    """
    raw = chain.signature_bytes(value, field="signature")
    v = raw[64]
    if v in (0, 1):
        raw = raw[:64] + bytes([v + 27])
    elif v not in (27, 28):
        raise BadSignature(
            f"That signature's v is {v}: the governor takes 27 or 28 (or 0 or 1, the same)."
        )
    if int.from_bytes(raw[32:64], "big") > _SECP256K1_N // 2:
        raise BadSignature("That signature is not in the canonical form the governor accepts.")
    return raw


async def _proposal_of(info: Info, proposal_id: str) -> tuple[bytes, int, asyncpg.Record]:
    """(governor, id, row) of the proposal named by its global id (`Proposal.id`) or by the
    governor's id alone (`Proposal.proposalId`, decimal) when no two governors share it."""
    value = proposal_id.strip()
    governor: bytes | None = None
    if value.isdecimal() and len(value) <= 78 and int(value) < 2**256:
        number = int(value)
    else:
        governor, number = decode_proposal_id(value)
    rows = await repository.get_proposals_of_id(
        info.context.pool, governor=governor, proposal_id=number
    )
    if not rows:
        raise NotFound(
            "There is no such proposal (a proposal made a moment ago shows once it is indexed)."
        )
    if len(rows) > 1:
        raise BadUserInput(
            "Two communities have a proposal of that number: give the proposal's id instead.",
            field="proposalId",
        )
    return bytes(rows[0]["governor"]), number, rows[0]


def _refuse_as_the_chain_would(facts: chain.BallotFacts) -> None:
    if facts.state is None:
        raise NotFound("The chain has no such proposal (it went with a reorganisation).")
    state = ProposalState[ChainProposalState(facts.state).name]
    if state is not ProposalState.ACTIVE:
        raise ProposalNotActive(
            f"Voting on this proposal is not open: it is {state.value.lower()}.",
            state=state.value,
        )
    if facts.has_voted:
        raise AlreadyVoted("You have voted on this proposal already.")
    if facts.refusal is None:
        return
    if facts.refusal.startswith("GovernorInvalidSignature("):
        raise BadSignature(
            "That signature is not your ballot for this proposal and choice (signed with another "
            "account, for another choice or reason, or with an old nonce): sign it again. "
            f"Your current nonce is {facts.nonce}."
        )
    raise Conflict(f"The governor would refuse this ballot now: {facts.refusal}.")


# Its arguments as the schema declares them: alike in shape by design (see api/core/types.py).
async def relay_vote(
    info: Info,
    proposal_id: Annotated[
        str,
        strawberry.argument(
            description="The proposal's `id`, or its `proposalId` when no two communities share it."
        ),
    ],
    support: Annotated[
        VoteSupport, strawberry.argument(description="The choice the ballot carries.")
    ],
    voter: Annotated[str, strawberry.argument(description="The voter's wallet address.")],
    signature: Annotated[
        str,
        strawberry.argument(
            description=(
                "The voter's EIP-712 signature of the governor's Ballot (or "
                "ExtendedBallot, with a reason) at their current nonce (0x-hex, 65 "
                "bytes)."
            )
        ),
    ],
    reason: Annotated[
        str | None,
        strawberry.argument(
            description=(
                "The reason the ballot carries, exactly as signed; null for a ballot without one."
            )
        ),
    ] = None,
) -> RelayedVote:
    """Sends the voter's signed ballot with the operator's gas. `proposalId` is the proposal's
    `id` or its `proposalId`; `signature` is the voter's EIP-712 signature of the governor's
    `Ballot(proposalId, support, voter, nonce)` with their current nonce (`nonces(voter)`), or,
    with a `reason`, of `ExtendedBallot(proposalId, support, voter, nonce, reason, params)` with
    empty params. No session is needed: the signature is the voter's consent."""
    ctx = info.context
    voter_address = validation.person_address(voter, field="voter")
    # The reason is part of what the voter signed: taken as it is, spaces and all (an empty one
    # is still an ExtendedBallot's).
    if reason is not None and len(reason) > REASON_MAX_LENGTH:
        raise BadUserInput(
            f"The reason is too long ({len(reason)} characters; the limit is {REASON_MAX_LENGTH}).",
            field="reason",
        )
    # Per IP (and account) before any read of the chain: each relay costs the node a few calls.
    # The voter's own limit waits for a ballot the chain would take: counted before, anyone's
    # junk naming a voter would lock that voter out.
    await permissions.limit_writes(info, account=ctx.viewer.user_id if ctx.viewer else None)
    ballot = _signature(signature)
    governor, number, row = await _proposal_of(info, proposal_id)
    governor_address = Web3.to_checksum_address("0x" + governor.hex())
    voter_bytes = bytes.fromhex(voter_address[2:])
    if await repository.has_mirrored_vote(
        ctx.pool, governor=governor, proposal_id=number, voter=voter_bytes
    ):
        raise AlreadyVoted("You have voted on this proposal already.")
    if await repository.get_live_vote_relay(
        ctx.pool, governor=governor_address, proposal_id=number, voter=voter_address
    ):
        raise AlreadyVoted("Your vote on this proposal is on its way already.")
    # Anyone can make keys: without this, ballots of weight zero would spend the operator's gas.
    weight = await repository.get_votes_at(
        ctx.pool, token=bytes(row["token"]), account=voter_bytes, timepoint=int(row["vote_start"])
    )
    if weight == 0:
        # Addressed to the signer (the voter, whoever relays it): short enough for a phone.
        raise NoVotingPower(
            "You had no votes when this vote opened, so yours would count for nothing: "
            "it was not sent."
        )
    on_chain = chain.chain_of(ctx.settings)
    facts = await chain.read(
        lambda: chain.ballot_facts(
            on_chain, governor_address, number, support.number, voter_address, ballot, reason
        )
    )
    _refuse_as_the_chain_would(facts)
    await ratelimit.hit(
        ctx.redis,
        [f"relay:{voter_address}"],
        limit=ctx.settings.write_rate_limit,
        window=ctx.settings.write_rate_window_seconds,
    )
    intent = CastVoteBySig(
        governor_address,
        number,
        support.number,
        Web3.to_checksum_address(voter_address),
        ballot,
        reason,
        facts.nonce,
    )
    recorded = await repository.record_vote_relay(
        ctx.pool, key_prefix=intent.dedupe_key(), payload=intent.payload()
    )
    if recorded is None:
        await _refuse_second_ballot_at(info, governor_address, number, voter_address, facts.nonce)
    relay_id = int(recorded["id"])
    outcome = Outcome.of(
        await chain.await_signed(
            lambda: repository.get_vote_relay_by_id(ctx.pool, relay_id=relay_id)
        )
    )
    return RelayedVote(
        proposal_id=str(number),
        voter=checksummed(voter_address),
        support=support,
        status=outcome.status,
        tx_hash=outcome.tx_hash,
        error=outcome.error,
    )


async def _refuse_second_ballot_at(
    info: Info, governor: str, proposal_id: int, voter: str, nonce: int
) -> NoReturn:
    """Refuses a ballot whose nonce an unsettled ballot of the same voter holds already."""
    other = await repository.get_unsettled_ballot_at_nonce(
        info.context.pool, governor=governor, voter=voter, nonce=nonce
    )
    if other is None:  # settled a moment ago
        raise Conflict(
            "Another ballot of this voter at the same nonce was being relayed a moment ago: "
            "try again."
        )
    if other["proposal_id"] == str(proposal_id):
        raise AlreadyVoted("Your vote on this proposal is on its way already.")
    raise Conflict(
        f"A ballot of {checksummed(voter)} on another proposal (proposalId {other['proposal_id']}) "
        f"is being relayed with the same nonce ({nonce}), and the governor counts one ballot per "
        "nonce. Sign this ballot again once that one is on-chain (with the next nonce)."
    )
