"""A small driver of the governance contracts on a test chain: the arrangement most tests share."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from agora.chain import Transactable, send_transaction
from governance import community_id
from governance.deploy import Deployment, contract_at, deployed_contract
from governance.devchain import advance_time, fund
from governance.operator import (
    POINT,
    CommunitySettings,
    create_community_onchain,
    mint_epoch_onchain,
)
from governance.proposals import Proposal, ProposalState, Support, election, impeachment

# Short periods keep the arithmetic readable; the clock is moved anyway.
TEST_SETTINGS = CommunitySettings(
    voting_delay=60, voting_period=3600, proposal_threshold=1 * POINT, quorum_percent=5
)

_names = itertools.count()
_epochs = itertools.count(1)


@dataclass(frozen=True)
class Community:
    name: str
    id: bytes
    token: Contract
    governor: Contract
    creator: LocalAccount
    settings: CommunitySettings


class Governance:
    """Creates communities, pays points, and walks proposals through their life, as the platform and
    its members would."""

    def __init__(self, w3: Web3, deployment: Deployment, operator_key: str) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.operator_key = operator_key
        self.factory = deployed_contract(w3, deployment, "factory")
        self.registry = deployed_contract(w3, deployment, "registry")

    # --- accounts and communities -------------------------------------------------------------

    def member(self) -> LocalAccount:
        """A new account with ether for gas."""
        account: LocalAccount = Account.create()
        fund(self.w3, account.address)
        return account

    def members(self, count: int) -> list[LocalAccount]:
        return [self.member() for _ in range(count)]

    def create_community(
        self,
        name: str | None = None,
        *,
        creator: LocalAccount | None = None,
        settings: CommunitySettings = TEST_SETTINGS,
    ) -> Community:
        name = name or f"community-{next(_names)}"
        creator = creator or self.member()
        created = create_community_onchain(
            self.w3, self.deployment, self.operator_key, name, creator.address, settings=settings
        )
        return Community(
            name=name,
            id=community_id(name),
            token=contract_at(self.w3, "CommunityToken", created["token"]),
            governor=contract_at(self.w3, "CommunityGovernor", created["governor"]),
            creator=creator,
            settings=settings,
        )

    def pay(
        self, community: Community, points: dict[LocalAccount, int], *, epoch: int | None = None
    ) -> dict[str, Any]:
        """Mints one reward epoch: whole points per account."""
        payouts = {account.address: amount * POINT for account, amount in points.items()}
        return mint_epoch_onchain(
            self.w3, self.operator_key, community.token.address, epoch or next(_epochs), payouts
        )

    def votes(self, community: Community, account: LocalAccount) -> int:
        """Current voting power, in whole points."""
        votes: int = community.token.functions.getVotes(account.address).call()
        return votes // POINT

    def moderators(self, community: Community) -> set[str]:
        return set(self.registry.functions.moderators(community.id).call())

    # --- proposals ------------------------------------------------------------------------------

    def election(self, community: Community, candidate: LocalAccount) -> Proposal:
        return election(self.registry, community.id, candidate.address)

    def impeachment(self, community: Community, moderator: LocalAccount) -> Proposal:
        return impeachment(self.registry, community.id, moderator.address)

    def propose(self, community: Community, proposal: Proposal, *, by: LocalAccount) -> int:
        # The threshold counts the proposer's votes one second ago: points paid in this very second
        # (anvil mines blocks within the same second) would not count yet.
        advance_time(self.w3, 1)
        self.send(by, community.governor.functions.propose(*proposal.propose_args()))
        return proposal.id(community.governor)

    def open_voting(self, community: Community) -> None:
        """Moves the clock past the voting delay: the snapshot is taken, votes are open."""
        advance_time(self.w3, community.settings.voting_delay + 1)

    def close_voting(self, community: Community) -> None:
        """Moves the clock past the voting period."""
        advance_time(self.w3, community.settings.voting_period + 1)

    def vote(
        self,
        community: Community,
        proposal_id: int,
        voter: LocalAccount,
        support: Support = Support.FOR,
    ) -> TxReceipt:
        return self.send(voter, community.governor.functions.castVote(proposal_id, support))

    def execute(self, community: Community, proposal: Proposal, *, by: LocalAccount) -> TxReceipt:
        return self.send(by, community.governor.functions.execute(*proposal.execute_args()))

    def state(self, community: Community, proposal_id: int) -> ProposalState:
        return ProposalState(community.governor.functions.state(proposal_id).call())

    def pass_proposal(
        self, community: Community, proposal: Proposal, *, voter: LocalAccount
    ) -> int:
        """Proposes, votes for with `voter` (who must hold the quorum) and executes `proposal`."""
        proposal_id = self.propose(community, proposal, by=voter)
        self.open_voting(community)
        self.vote(community, proposal_id, voter, Support.FOR)
        self.close_voting(community)
        self.execute(community, proposal, by=voter)
        return proposal_id

    # --- transactions ---------------------------------------------------------------------------

    def send(self, account: LocalAccount | str, call: Transactable) -> TxReceipt:
        """Sends `call` signed by `account` (or a private key)."""
        key = account if isinstance(account, str) else account.key.to_0x_hex()
        return send_transaction(self.w3, key, call)

    def send_calldata(self, account: LocalAccount, to: str, data: bytes) -> TxReceipt:
        """Sends calldata encoded by the caller (web3 will not encode a `string` that is not
        UTF-8, but the chain takes any bytes: a string is encoded as bytes are)."""
        tx: dict[str, Any] = {
            "from": account.address,
            "to": to,
            "data": "0x" + data.hex(),
            "value": 0,
            "nonce": self.w3.eth.get_transaction_count(account.address),
            "chainId": self.w3.eth.chain_id,
            "gasPrice": self.w3.eth.gas_price,
        }
        tx["gas"] = self.w3.eth.estimate_gas(tx) * 2  # type: ignore[arg-type]
        sent = self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(sent)
        assert receipt["status"] == 1, receipt
        return receipt
