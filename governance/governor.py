"""A community's governor as its members use it: propose, vote, execute, each from their own
wallet (the demo's members, `cli/demo.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from web3 import Web3
from web3.contract import Contract

from agora.chain import send_transaction
from governance import community_id
from governance.deploy import Deployment, contract_at, deployed_contract
from governance.proposals import Proposal, ProposalState, Support, election


class Signer(Protocol):
    """Someone who signs their own transactions."""

    @property
    def address(self) -> str: ...  # checksummed

    @property
    def key(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Ballot:
    member: Signer
    support: Support


class Governor:
    """A community's governor, driven by its members' own transactions (each signs with its
    key): every step first asks the chain whether it is done, so a rerun does nothing twice."""

    def __init__(self, w3: Web3, deployment: Deployment, governor: str, community: str) -> None:
        self.w3 = w3
        self.governor = contract_at(w3, "CommunityGovernor", governor)
        self.registry: Contract = deployed_contract(w3, deployment, "registry")
        self.community = community_id(community)

    def election(self, candidate: Signer, why: str) -> Proposal:
        return election(
            self.registry,
            self.community,
            candidate.address,
            f"Elect {candidate.address} moderator\n\n{why}",
        )

    def exists(self, proposal: Proposal) -> bool:
        return int(self.governor.functions.proposalSnapshot(proposal.id(self.governor)).call()) > 0

    def state(self, proposal: Proposal) -> ProposalState:
        return ProposalState(self.governor.functions.state(proposal.id(self.governor)).call())

    def snapshot(self, proposal: Proposal) -> int:
        return int(self.governor.functions.proposalSnapshot(proposal.id(self.governor)).call())

    def deadline(self, proposal: Proposal) -> int:
        return int(self.governor.functions.proposalDeadline(proposal.id(self.governor)).call())

    def propose(self, proposal: Proposal, proposer: Signer) -> bool:
        if self.exists(proposal):
            return False
        call = self.governor.functions.propose(*proposal.propose_args())
        send_transaction(self.w3, proposer.key, call)
        return True

    def vote(self, proposal: Proposal, ballots: list[Ballot]) -> int:
        """Casts the ballots not cast yet while the proposal is active; how many were cast."""
        if self.state(proposal) != ProposalState.ACTIVE:
            return 0
        proposal_id = proposal.id(self.governor)
        cast = 0
        for ballot in ballots:
            if self.governor.functions.hasVoted(proposal_id, ballot.member.address).call():
                continue
            call = self.governor.functions.castVote(proposal_id, int(ballot.support))
            send_transaction(self.w3, ballot.member.key, call)
            cast += 1
        return cast

    def execute(self, proposal: Proposal, executor: Signer) -> bool:
        if self.state(proposal) != ProposalState.SUCCEEDED:
            return False
        call = self.governor.functions.execute(*proposal.execute_args())
        send_transaction(self.w3, executor.key, call)
        return True
