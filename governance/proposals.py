"""Proposals a community votes on, and ballots signed off-chain for `castVoteBySig`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak
from web3.contract import Contract

from governance import eip712
from governance.eip712 import Domain


class Support(IntEnum):
    """A vote's direction (GovernorCountingSimple)."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2


class ProposalState(IntEnum):
    """`IGovernor.ProposalState`."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7


@dataclass(frozen=True, slots=True)
class Proposal:
    """The calls a proposal executes if it passes, and its description (markdown)."""

    targets: tuple[str, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    def propose_args(self) -> tuple[list[str], list[int], list[bytes], str]:
        """The arguments of `governor.propose`."""
        return list(self.targets), list(self.values), list(self.calldatas), self.description

    def execute_args(self) -> tuple[list[str], list[int], list[bytes], bytes]:
        """The arguments of `governor.execute` (and `queue`, `cancel`, `getProposalId`)."""
        return list(self.targets), list(self.values), list(self.calldatas), self.description_hash

    def offchain_id(self) -> int:
        """The id any governor gives this proposal, computed here as OpenZeppelin 5's
        `hashProposal` does: keccak256(abi.encode(targets, values, calldatas, descriptionHash))."""
        encoded = abi_encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [list(self.targets), list(self.values), list(self.calldatas), self.description_hash],
        )
        return int.from_bytes(keccak(encoded), "big")

    def id(self, governor: Contract) -> int:
        """The proposal's id in `governor`."""
        proposal_id: int = governor.functions.getProposalId(*self.execute_args()).call()
        return proposal_id


def _registry_call(
    registry: Contract, function: str, community: bytes, account: str, description: str
) -> Proposal:
    calldata = registry.encode_abi(function, args=[community, account])
    return Proposal((registry.address,), (0,), (bytes.fromhex(calldata[2:]),), description)


def election(
    registry: Contract, community: bytes, account: str, description: str | None = None
) -> Proposal:
    """A proposal to make `account` a moderator of the community `community` (its id)."""
    return _registry_call(
        registry, "electModerator", community, account, description or f"Elect {account} moderator"
    )


def impeachment(
    registry: Contract, community: bytes, account: str, description: str | None = None
) -> Proposal:
    """A proposal to remove `account` from the moderators of the community `community` (its id)."""
    return _registry_call(
        registry,
        "impeachModerator",
        community,
        account,
        description or f"Impeach moderator {account}",
    )


BALLOT_TYPE = [
    {"name": "proposalId", "type": "uint256"},
    {"name": "support", "type": "uint8"},
    {"name": "voter", "type": "address"},
    {"name": "nonce", "type": "uint256"},
]
# `castVoteWithReasonAndParamsBySig`'s ballot: simple counting takes no params (empty).
EXTENDED_BALLOT_TYPE = [
    *BALLOT_TYPE,
    {"name": "reason", "type": "string"},
    {"name": "params", "type": "bytes"},
]


def sign_ballot(
    governor: Contract,
    proposal_id: int,
    support: int,
    voter_key: str,
    *,
    reason: str | None = None,
    nonce: int | None = None,
) -> bytes:
    """A voter's signature of its ballot (with its reason, if any), for anyone to submit with
    `castVoteBySig` (`castVoteWithReasonAndParamsBySig`); `nonce` defaults to the voter's next."""
    voter = Account.from_key(voter_key).address
    if nonce is None:
        nonce = governor.functions.nonces(voter).call()
    message: dict[str, Any] = {
        "proposalId": proposal_id,
        "support": support,
        "voter": voter,
        "nonce": nonce,
    }
    primary, fields = "Ballot", BALLOT_TYPE
    if reason is not None:
        primary, fields = "ExtendedBallot", EXTENDED_BALLOT_TYPE
        message |= {"reason": reason, "params": b""}
    return bytes(eip712.sign(voter_key, Domain.of(governor), primary, fields, message).signature)
