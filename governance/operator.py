"""What the platform operator does on-chain for the API and the ledger: communities, epochs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.logs import DISCARD

from agora.chain import send_transaction
from governance import community_id
from governance.deploy import Deployment, contract_at, deployed_contract

POINT = 10**18  # one point in token base units: community tokens have 18 decimals
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


def create_community_onchain(
    w3: Web3,
    deployment: Deployment,
    operator_key: str,
    name: str,
    creator: str,
    *,
    symbol: str | None = None,
    settings: CommunitySettings = DEFAULT_SETTINGS,
) -> dict[str, Any]:
    """Creates the community `name` on-chain with `creator` as its first moderator.

    Returns `{communityId, token, governor, txHash, blockNumber}` (communityId and txHash 0x-hex).
    A community that already exists on-chain is not created again: its original creation is
    returned, so a retried background job is harmless. Raises `agora.chain.TransactionReverted`.
    """
    factory = deployed_contract(w3, deployment, "factory")
    cid = community_id(name)
    existing = factory.events.CommunityCreated.get_logs(
        from_block=deployment["deployBlock"], argument_filters={"communityId": cid}
    )
    if existing:
        return _creation(existing[0])
    call = factory.functions.createCommunity(
        name, symbol or token_symbol(name), Web3.to_checksum_address(creator), settings.as_tuple()
    )
    receipt = send_transaction(w3, operator_key, call)
    (created,) = factory.events.CommunityCreated().process_receipt(receipt, errors=DISCARD)
    return _creation(created)


def _creation(event: Any) -> dict[str, Any]:
    return {
        "communityId": "0x" + bytes(event["args"]["communityId"]).hex(),
        "token": event["args"]["token"],
        "governor": event["args"]["governor"],
        "txHash": "0x" + bytes(event["transactionHash"]).hex(),
        "blockNumber": event["blockNumber"],
    }


def mint_epoch_onchain(
    w3: Web3,
    minter_key: str,
    token: str,
    epoch_id: int,
    payouts: Mapping[str, int] | Sequence[tuple[str, int]],
) -> dict[str, Any]:
    """Mints one reward epoch of a community's token: `payouts` maps accounts to base units.

    The token refuses an epoch it already minted (`CommunityTokenEpochAlreadyMinted`), which makes
    a payout exactly-once on-chain. Returns `{txHash, blockNumber, gasUsed}`.
    """
    items = list(payouts.items()) if isinstance(payouts, Mapping) else list(payouts)
    contract = contract_at(w3, "CommunityToken", token)
    recipients = [Web3.to_checksum_address(account) for account, _ in items]
    amounts = [amount for _, amount in items]
    receipt = send_transaction(
        w3, minter_key, contract.functions.mintEpoch(epoch_id, recipients, amounts)
    )
    return {
        "txHash": "0x" + bytes(receipt["transactionHash"]).hex(),
        "blockNumber": receipt["blockNumber"],
        "gasUsed": receipt["gasUsed"],
    }
