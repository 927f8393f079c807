"""What the platform operator does on-chain for the API and the ledger: communities, epochs, and
members' signed ballots it relays."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from agora.chain import send_transaction
from governance import community_id
from governance.deploy import Deployment, contract_at, deployed_contract

POINT = 10**18  # one point in token base units: community tokens have 18 decimals
# What a votes checkpoint costs when it is pushed rather than updated in place: a slot written
# from zero (22,100) and the history's length (2,900). `mintEpoch` updates one checkpoint per
# recipient and one of the total supply, in place when the latest is of the same second.
CHECKPOINT_PUSH_GAS = 25_000
HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    """A community's initial voting settings (`CommunityFactory.CommunitySettings`).

    Afterwards only the community's own proposals change them. Periods are in seconds, the
    threshold in token base units.
    """

    voting_delay: int = DAY
    voting_period: int = 3 * DAY
    proposal_threshold: int = 1 * POINT
    quorum_percent: int = 5

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.voting_delay, self.voting_period, self.proposal_threshold, self.quorum_percent)


DEFAULT_SETTINGS = CommunitySettings()


def token_symbol(name: str) -> str:
    """A token symbol for a community: its name's letters and digits, upper-cased, at most 11."""
    return re.sub(r"[^A-Za-z0-9]", "", name).upper()[:11] or "POINTS"


def create_community_call(
    w3: Web3,
    deployment: Deployment,
    name: str,
    creator: str,
    *,
    settings: CommunitySettings = DEFAULT_SETTINGS,
) -> ContractFunction:
    """The factory call that creates the community `name` with `creator` as its first moderator.
    Its token's symbol is always `token_symbol(name)`: the API shows it without asking the chain."""
    factory = deployed_contract(w3, deployment, "factory")
    return factory.functions.createCommunity(
        name, token_symbol(name), Web3.to_checksum_address(creator), settings.as_tuple()
    )


def community_exists(w3: Web3, deployment: Deployment, name: str) -> bool:
    """Whether the chain has a community named `name` (the registry knows its governor)."""
    registry = deployed_contract(w3, deployment, "registry")
    governor: str = registry.functions.governorOf(community_id(name)).call()
    return int(governor, 16) != 0


def find_community_creation(w3: Web3, deployment: Deployment, name: str) -> dict[str, Any] | None:
    """The creation of the community `name` on-chain, as `creation_in_receipt` gives it; None if
    it does not exist."""
    factory = deployed_contract(w3, deployment, "factory")
    existing = factory.events.CommunityCreated.get_logs(
        from_block=deployment["deployBlock"], argument_filters={"communityId": community_id(name)}
    )
    return _creation(existing[0]) if existing else None


def creation_in_receipt(
    w3: Web3, deployment: Deployment, receipt: TxReceipt
) -> dict[str, Any] | None:
    """`{communityId, token, governor, creator, txHash, blockNumber}` from the `CommunityCreated`
    event of a mined `createCommunity`; None if the receipt has none."""
    factory = deployed_contract(w3, deployment, "factory")
    events = factory.events.CommunityCreated().process_receipt(receipt, errors=DISCARD)
    return _creation(events[0]) if events else None


def create_community_onchain(
    w3: Web3,
    deployment: Deployment,
    operator_key: str,
    name: str,
    creator: str,
    *,
    settings: CommunitySettings = DEFAULT_SETTINGS,
) -> dict[str, Any]:
    """Creates the community `name` on-chain with `creator` as its first moderator, and waits.

    Returns `creation_in_receipt`'s answer. A community that already exists on-chain is not
    created again: its original creation is returned. Raises `agora.chain.TransactionReverted`.
    (The platform's own creations go through the durable sender, `agora send`; this is for
    tools and tests.)
    """
    existing = find_community_creation(w3, deployment, name)
    if existing:
        return existing
    call = create_community_call(w3, deployment, name, creator, settings=settings)
    created = creation_in_receipt(w3, deployment, send_transaction(w3, operator_key, call))
    assert created is not None  # a successful createCommunity always emits it
    return created


def _creation(event: Any) -> dict[str, Any]:
    return {
        "communityId": "0x" + bytes(event["args"]["communityId"]).hex(),
        "token": event["args"]["token"],
        "governor": event["args"]["governor"],
        "creator": event["args"]["creator"],
        "txHash": "0x" + bytes(event["transactionHash"]).hex(),
        "blockNumber": event["blockNumber"],
    }


def mint_epoch_call(
    w3: Web3,
    token: str,
    epoch_id: int,
    recipients: Sequence[str],
    amounts: Sequence[int],
    root: bytes = bytes(32),
) -> ContractFunction:
    """The token's `mintEpoch` call: `amounts[i]` base units to `recipients[i]`, as part of the
    published distribution whose merkle root is `root` (recorded in `EpochMinted`)."""
    contract = contract_at(w3, "CommunityToken", token)
    return contract.functions.mintEpoch(
        epoch_id, root, [Web3.to_checksum_address(a) for a in recipients], list(amounts)
    )


def mint_epoch_gas_headroom(recipients: int) -> int:
    """Gas a `mintEpoch` to `recipients` accounts may need beyond its estimate: estimated in the
    second of an earlier mint, it updates every checkpoint in place, but mined a second later it
    pushes each one anew (three recipients ran out of gas, 189,894 used of 192,459)."""
    return CHECKPOINT_PUSH_GAS * (recipients + 1)


def epoch_minted(w3: Web3, token: str, epoch_id: int) -> bool:
    """Whether the token has minted its epoch `epoch_id`."""
    minted: bool = contract_at(w3, "CommunityToken", token).functions.epochMinted(epoch_id).call()
    return minted


def find_epoch_mint(w3: Web3, token: str, epoch_id: int, from_block: int) -> dict[str, Any] | None:
    """`{txHash, blockNumber}` of the token's mint of epoch `epoch_id`; None if not minted."""
    contract = contract_at(w3, "CommunityToken", token)
    logs = contract.events.EpochMinted.get_logs(
        from_block=from_block, argument_filters={"epochId": epoch_id}
    )
    if not logs:
        return None
    return {
        "txHash": "0x" + bytes(logs[0]["transactionHash"]).hex(),
        "blockNumber": logs[0]["blockNumber"],
    }


def mint_epoch_onchain(
    w3: Web3,
    minter_key: str,
    token: str,
    epoch_id: int,
    payouts: Mapping[str, int] | Sequence[tuple[str, int]],
    root: bytes = bytes(32),
) -> dict[str, Any]:
    """Mints one reward epoch of a community's token: `payouts` maps accounts to base units.

    The token refuses an epoch it already minted (`CommunityTokenEpochAlreadyMinted`), which makes
    a payout exactly-once on-chain. Returns `{txHash, blockNumber, gasUsed}`. (The platform's own
    mints go through the durable sender, `agora send`; this is for tools and tests.)
    """
    items = list(payouts.items()) if isinstance(payouts, Mapping) else list(payouts)
    call = mint_epoch_call(w3, token, epoch_id, [a for a, _ in items], [n for _, n in items], root)
    receipt = send_transaction(w3, minter_key, call, headroom=mint_epoch_gas_headroom(len(items)))
    return {
        "txHash": "0x" + bytes(receipt["transactionHash"]).hex(),
        "blockNumber": receipt["blockNumber"],
        "gasUsed": receipt["gasUsed"],
    }


def cast_vote_by_sig_call(
    w3: Web3,
    governor: str,
    proposal_id: int,
    support: int,
    voter: str,
    signature: bytes,
    *,
    reason: str | None = None,
) -> ContractFunction:
    """The governor call that casts `voter`'s signed ballot: `castVoteBySig`, or with a reason
    `castVoteWithReasonAndParamsBySig` (empty params: simple counting takes none), whose ballot
    (`ExtendedBallot`) signs the reason too."""
    contract = contract_at(w3, "CommunityGovernor", governor)
    account = Web3.to_checksum_address(voter)
    if reason is None:
        return contract.functions.castVoteBySig(proposal_id, support, account, signature)
    return contract.functions.castVoteWithReasonAndParamsBySig(
        proposal_id, support, account, reason, b"", signature
    )


def has_voted(w3: Web3, governor: str, proposal_id: int, voter: str) -> bool:
    """Whether the governor has counted a vote of `voter` on the proposal."""
    contract = contract_at(w3, "CommunityGovernor", governor)
    voted: bool = contract.functions.hasVoted(proposal_id, Web3.to_checksum_address(voter)).call()
    return voted


def find_vote(
    w3: Web3, governor: str, proposal_id: int, voter: str, from_block: int
) -> dict[str, Any] | None:
    """`{txHash, blockNumber}` of `voter`'s vote on the proposal; None if not cast."""
    contract = contract_at(w3, "CommunityGovernor", governor)
    for event in (contract.events.VoteCast, contract.events.VoteCastWithParams):
        logs = event.get_logs(
            from_block=from_block, argument_filters={"voter": Web3.to_checksum_address(voter)}
        )
        for log in logs:
            if int(log["args"]["proposalId"]) == proposal_id:
                return {
                    "txHash": "0x" + bytes(log["transactionHash"]).hex(),
                    "blockNumber": log["blockNumber"],
                }
    return None
