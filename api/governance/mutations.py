"""Members govern from the forum: draft a proposal for their wallet to submit, and vote without gas
by having the operator relay the ballot they signed.

Drafts (`proposeModeratorElection`, `proposeImpeachment`) write nothing: they check what the
mirror says (the community is on-chain, the viewer's voting power reaches the governor's proposal
threshold, the candidate is or is not a moderator) and give the exact arguments of the governor's
`propose`, with the id the governor will give the proposal. The member's wallet sends it, and
pays for it: proposing is rare, and who proposes is on the record.

`relayVote` takes a ballot the voter signed (EIP-712, OpenZeppelin's `Ballot`, or its
`ExtendedBallot` when there is a reason) and records an intent for the operator's sender to send
it with `castVoteBySig`. Everything that would make the chain refuse it is checked first, from the
mirror and with `eth_call`s (the proposal's state now, whether the voter has voted, and the vote
itself as the sender will send it, which runs the governor's own checks of the signature and the
voter's nonce), so a refusal costs the operator no gas. The governor's nonce is the voter's, spent
by a ballot on any proposal: the outbox takes one unsettled ballot per governor, voter and nonce,
and a failed one holds nothing. The answer waits a moment for the sender to sign the transaction,
to give its hash.

Whom an action names (candidate, moderator, voter) is given by wallet address, as `User.address`
shows it: any letter case, and a mixed-case address must carry a valid EIP-55 checksum. Display
names are not unique, so they name nobody; someone who never signed in to the forum can still be
elected (the chain knows addresses only).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from enum import Enum
from typing import Any, NoReturn

import strawberry
from web3 import Web3

from api.core import permissions, ratelimit, validation
from api.core.errors import (
    AlreadyModerator,
    AlreadyVoted,
    BadSignature,
    BadUserInput,
    BelowProposalThreshold,
    Conflict,
    NotFound,
    NotModerator,
    NotOnChain,
    NoVotingPower,
    ProposalNotActive,
    shown,
)
from api.core.permissions import require_viewer
from api.core.scalars import BigInt
from api.core.types import Info
from api.governance import chain, repository
from api.governance.types import (
    Delegate,
    ProposalState,
    VoteSupport,
    decode_proposal_id,
    encode_proposal_id,
)
from api.users.types import checksummed
from governance import community_id as chain_community_id
from governance.deploy import contract_at
from governance.intents import CastVoteBySig
from governance.operator import POINT
from governance.proposals import Proposal, election, impeachment
from governance.proposals import ProposalState as ChainProposalState

DESCRIPTION_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 1_000
STATEMENT_MAX_LENGTH = 2_000
# How long relayVote waits for the sender to sign the transaction (it sends one intent at a
# time, in order: behind a long queue the answer comes without a hash, status PENDING).
RELAY_WAIT_SECONDS = 5.0
RELAY_POLL_SECONDS = 0.05
# secp256k1's order: OpenZeppelin's ECDSA refuses a signature whose s is in the upper half (the
# malleable twin of a valid one), so the relay does too rather than let the chain refuse it.
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# OpenZeppelin's Governor lets a description end with this to reserve it to one proposer.
_PROPOSER_SUFFIX = "#proposer=0x"


@strawberry.type
class ProposalDraft:
    """What the wallet passes to the governor's `propose(targets, values, calldatas,
    description)`, and the id the governor will give the proposal."""

    governor_address: str
    targets: list[str]
    values: list[BigInt]
    calldatas: list[str]
    description: str
    # The governor's uint256 id (hashProposal), in decimal, as `Proposal.proposalId`.
    proposal_id: str
    # The proposal's id in `Query.proposal` once it is proposed and indexed.
    id: strawberry.ID


@strawberry.enum
class RelayStatus(Enum):
    PENDING = "PENDING"  # recorded; the sender has not signed it yet
    SENT = "SENT"  # signed and broadcast: `txHash` is final
    MINED = "MINED"  # the vote is on-chain (the mirror shows it once indexed)
    FAILED = "FAILED"  # the chain refused it; `error` says why


@strawberry.type
class RelayedVote:
    """A signed ballot the operator sends for the voter."""

    proposal_id: str
    voter: str
    support: VoteSupport
    status: RelayStatus
    # The transaction that carries the vote; null while PENDING.
    tx_hash: str | None
    error: str | None


# --- drafts -------------------------------------------------------------------------------------


def _address(value: str, *, field: str) -> str:
    """A person's wallet address, lower-case '0x…': checked as any address, and not the zero
    address, which no one holds (the registry reverts an election of it at execution, and no
    one can sign for it)."""
    address = validation.address(value, field=field)
    if address == validation.ZERO_ADDRESS:
        raise BadUserInput("The zero address belongs to no one.", field=field)
    return address


def _description(value: str | None, default: str, proposer: str) -> str:
    if value is None:
        return default
    value = value.strip()
    if not value:
        raise BadUserInput(
            "The description cannot be empty: say why, or leave it out for the default one.",
            field="description",
        )
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise BadUserInput(
            f"The description is too long ({len(value)} characters; the limit is "
            f"{DESCRIPTION_MAX_LENGTH}).",
            field="description",
        )
    suffix = value.rfind(_PROPOSER_SUFFIX)
    if suffix != -1 and value[suffix + len("#proposer=") :].lower() != proposer:
        # The governor would refuse it (GovernorRestrictedProposer): only that account may.
        raise BadUserInput(
            "The description ends with '#proposer=' and another address: only that account "
            "could propose it.",
            field="description",
        )
    return value


def _points(amount: int) -> str:
    whole, rest = divmod(amount, POINT)
    number = f"{whole}" if not rest else f"{amount / POINT:.4f}".rstrip("0").rstrip(".")
    return f"{number} point" if amount == POINT else f"{number} points"


async def _draft(
    info: Info,
    *,
    community: str,
    account: str,
    description: str | None,
    electing: bool,
) -> ProposalDraft:
    viewer = require_viewer(info)
    # Each draft reads the mirror a few times: limited as writes are, though it writes nothing.
    await permissions.limit_writes(info, account=viewer.user_id)
    field = "candidate" if electing else "moderator"
    member = _address(account, field=field)
    name = community.strip().lower()
    if not name or len(name) > 100 or not name.isprintable():
        raise BadUserInput("That is not a community name.", field="community")
    pool = info.context.pool
    row = await repository.get_chain_community(pool, community_id=chain_community_id(name))
    if row is None:
        if await repository.forum_community_exists(pool, name=name):
            raise NotOnChain(
                f"c/{name} is not on-chain yet: its proposals open once the chain has created it "
                "and the forum has seen it (usually within a minute)."
            )
        raise NotFound(f"There is no community named c/{shown(name)}.")
    viewer_bytes = bytes.fromhex(viewer.address.removeprefix("0x"))
    # The governor counts the proposer's votes of one second before the proposal: points that
    # arrive in that very second pass here and not there (the wallet then shows the revert).
    power = await repository.get_voting_power(pool, token=bytes(row["token"]), account=viewer_bytes)
    threshold = int(row["proposal_threshold"] or 0)
    if power < threshold:
        raise BelowProposalThreshold(
            f"Proposing in c/{name} takes {_points(threshold)} of voting power; you have "
            f"{_points(power)}. Points count once delegated: delegate yours to yourself, or ask "
            "members to delegate to you.",
            threshold=str(threshold),
            votingPower=str(power),
        )
    community_bytes = bytes(row["community_id"])
    moderator = await repository.is_chain_moderator(
        pool, community_id=community_bytes, account=bytes.fromhex(member[2:])
    )
    shown_member = checksummed(member)
    if electing and moderator:
        raise AlreadyModerator(f"{shown_member} is already a moderator of c/{name}.", field=field)
    if not electing and not moderator:
        raise NotModerator(f"{shown_member} is not a moderator of c/{name}.", field=field)
    # The time makes a new default description, and so a new proposal id, for an election
    # proposed again after one was defeated (the governor refuses an id it has seen).
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    default = (
        f"Elect {shown_member} moderator of c/{name} (proposed {today})"
        if electing
        else f"Impeach moderator {shown_member} of c/{name} (proposed {today})"
    )
    text = _description(description, default, viewer.address.lower())
    # Only to encode the call: nothing is sent to the node.
    on_chain = chain.chain_of(info.context.settings)
    registry = contract_at(on_chain.w3, "ModeratorRegistry", on_chain.registry)
    build = election if electing else impeachment
    proposal: Proposal = build(registry, community_bytes, Web3.to_checksum_address(member), text)
    proposal_id = proposal.offchain_id()
    governor = bytes(row["governor"])
    if await repository.proposal_exists(pool, governor=governor, proposal_id=proposal_id):
        raise Conflict(
            "The same proposal exists already: change its description to propose it again.",
            field="description",
        )
    return ProposalDraft(
        governor_address=checksummed("0x" + governor.hex()),
        targets=list(proposal.targets),
        values=[BigInt(value) for value in proposal.values],
        calldatas=["0x" + data.hex() for data in proposal.calldatas],
        description=text,
        proposal_id=str(proposal_id),
        id=strawberry.ID(encode_proposal_id(governor, proposal_id)),
    )


async def propose_moderator_election(
    info: Info, community: str, candidate: str, description: str | None = None
) -> ProposalDraft:
    """The proposal to make `candidate` (a wallet address) a moderator of `community`, for the
    viewer's wallet to submit; the description defaults to one naming them."""
    return await _draft(
        info, community=community, account=candidate, description=description, electing=True
    )


async def propose_impeachment(
    info: Info, community: str, moderator: str, description: str | None = None
) -> ProposalDraft:
    """The proposal to remove `moderator` (a wallet address) from the moderators of `community`,
    for the viewer's wallet to submit; the description defaults to one naming them."""
    return await _draft(
        info, community=community, account=moderator, description=description, electing=False
    )


# --- relayed votes ------------------------------------------------------------------------------


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
    try:
        raw = bytes.fromhex(value.strip().removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 65:
        raise BadUserInput(
            "A signature is 65 bytes in hexadecimal (0x and 130 digits), as the wallet gives it.",
            field="signature",
        )
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


async def _proposal_of(info: Info, proposal_id: str) -> tuple[bytes, int, Any]:
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


async def relay_vote(
    info: Info,
    proposal_id: str,
    support: VoteSupport,
    voter: str,
    signature: str,
    reason: str | None = None,
) -> RelayedVote:
    """Sends the voter's signed ballot with the operator's gas. `proposalId` is the proposal's
    `id` or its `proposalId`; `signature` is the voter's EIP-712 signature of the governor's
    `Ballot(proposalId, support, voter, nonce)` with their current nonce (`nonces(voter)`), or,
    with a `reason`, of `ExtendedBallot(proposalId, support, voter, nonce, reason, params)` with
    empty params. No session is needed: the signature is the voter's consent."""
    ctx = info.context
    voter_address = _address(voter, field="voter")
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
            on_chain, governor_address, number, support.value, voter_address, ballot, reason
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
        support.value,
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
    settled = await _await_signed(info, int(recorded["id"]))
    return RelayedVote(
        proposal_id=str(number),
        voter=checksummed(voter_address),
        support=support,
        status=RelayStatus(settled["status"].upper()),
        tx_hash="0x" + bytes(settled["tx_hash"]).hex() if settled["tx_hash"] else None,
        error=settled["error"] if settled["status"] == "failed" else None,
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


async def _await_signed(info: Info, relay_id: int) -> Any:
    """The intent once the sender has signed it (or settled it), or as it stands after
    RELAY_WAIT_SECONDS."""
    deadline = time.monotonic() + RELAY_WAIT_SECONDS
    while True:
        row = await repository.get_vote_relay_by_id(info.context.pool, relay_id=relay_id)
        assert row is not None  # intents are never deleted
        if row["status"] != "pending" or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(RELAY_POLL_SECONDS)


async def set_delegate_statement(info: Info, community: str, statement: str) -> Delegate:
    """What the signed-in person says, as a delegate, in `community` (markdown, at most
    2,000 characters; read back rendered and sanitized as `Delegate.statementHtml`)."""
    viewer = await permissions.require_writer(info)
    text = validation.text(
        statement, field="statement", label="A statement", max_length=STATEMENT_MAX_LENGTH
    )
    pool = info.context.pool
    forum = await repository.get_forum_community(pool, name=community)
    if forum is None:
        raise NotFound(f"There is no community named '{shown(community)}'.")
    chain_row = await repository.get_chain_community(
        pool, community_id=chain_community_id(community)
    )
    if chain_row is None:
        raise NotOnChain(f"{community} is not on-chain yet: it has no delegates until it is.")
    await repository.upsert_delegate_statement(
        pool, community_id=forum["id"], user_id=viewer.user_id, statement=text
    )
    row = await repository.get_delegate(
        pool,
        token=bytes(chain_row["token"]),
        governor=bytes(chain_row["governor"]),
        account=bytes.fromhex(viewer.address.removeprefix("0x")),
        community_id=forum["id"],
    )
    return Delegate.from_row(row, seen_at=row["first_power"] or int(time.time()))


@strawberry.type
class GovernanceMutation:
    set_delegate_statement = strawberry.mutation(resolver=set_delegate_statement)
    propose_moderator_election = strawberry.mutation(resolver=propose_moderator_election)
    propose_impeachment = strawberry.mutation(resolver=propose_impeachment)
    relay_vote = strawberry.mutation(resolver=relay_vote)
