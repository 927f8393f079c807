"""Drafts of proposals (`proposeModeratorElection`, `proposeImpeachment`) for the member's
wallet to submit.

A draft writes nothing: it checks what the mirror says (the community is on-chain, the viewer's
voting power reaches the governor's proposal threshold, the candidate is or is not a moderator)
and gives the exact arguments of the governor's `propose`, with the id the governor will give the
proposal. The member's wallet sends it, and pays for it: proposing is rare, and who proposes is
on the record.

Whom a draft names is given by wallet address, as `User.address` shows it (see
`validation.person_address`): display names are not unique, and someone who never signed in to
the forum can still be elected (the chain knows addresses only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from web3 import Web3

from api.core import permissions, validation
from api.core.errors import (
    AlreadyModerator,
    BadUserInput,
    BelowProposalThreshold,
    Conflict,
    NotFound,
    NotModerator,
    NotOnChain,
    shown,
)
from api.core.permissions import require_viewer
from api.core.scalars import BigInt
from api.core.types import CommunityName, Info
from api.governance import chain, repository
from api.governance.types import encode_proposal_id
from api.users.types import checksummed
from governance import community_id as chain_community_id
from governance.deploy import contract_at
from governance.operator import POINT
from governance.proposals import Proposal, election, impeachment

DESCRIPTION_MAX_LENGTH = 10_000
# OpenZeppelin's Governor lets a description end with this to reserve it to one proposer.
_PROPOSER_SUFFIX = "#proposer=0x"


@strawberry.type(
    description=(
        "What the wallet passes to the governor's `propose(targets, values, "
        "calldatas, description)`, and the id the governor will give the "
        "proposal."
    )
)
class ProposalDraft:
    """What the wallet passes to the governor's `propose(targets, values, calldatas,
    description)`, and the id the governor will give the proposal."""

    governor_address: str = strawberry.field(
        description="The governor to send `propose` to (EIP-55)."
    )
    targets: list[str] = strawberry.field(description="The contracts the proposal calls.")
    values: list[BigInt] = strawberry.field(description="The wei sent with each call.")
    calldatas: list[str] = strawberry.field(description="The data of each call (0x-hex).")
    description: str = strawberry.field(description="The description, exactly as to send it.")
    # The governor's uint256 id (hashProposal), in decimal, as `Proposal.proposalId`.
    proposal_id: str = strawberry.field(
        description=(
            "The governor's uint256 id of it (hashProposal), in decimal, as `Proposal.proposalId`."
        )
    )
    # The proposal's id in `Query.proposal` once it is proposed and indexed.
    id: strawberry.ID = strawberry.field(
        description="Its id in `Query.proposal` once it is proposed and indexed."
    )


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
    member = validation.person_address(account, field=field)
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


DraftDescription = Annotated[
    str | None,
    strawberry.argument(
        description="The proposal's description; null for one naming whom it is about."
    ),
]


# Its arguments as the schema declares them: alike in shape by design (see api/core/types.py).
async def propose_moderator_election(
    info: Info,
    community: CommunityName,
    candidate: Annotated[str, strawberry.argument(description="The candidate's wallet address.")],
    description: DraftDescription = None,
) -> ProposalDraft:
    """The proposal to make `candidate` (a wallet address) a moderator of `community`, for the
    viewer's wallet to submit; the description defaults to one naming them."""
    return await _draft(
        info, community=community, account=candidate, description=description, electing=True
    )


# Its arguments as the schema declares them: alike in shape by design (see api/core/types.py).
async def propose_impeachment(
    info: Info,
    community: CommunityName,
    moderator: Annotated[str, strawberry.argument(description="The moderator's wallet address.")],
    description: DraftDescription = None,
) -> ProposalDraft:
    """The proposal to remove `moderator` (a wallet address) from the moderators of `community`,
    for the viewer's wallet to submit; the description defaults to one naming them."""
    return await _draft(
        info, community=community, account=moderator, description=description, electing=False
    )
