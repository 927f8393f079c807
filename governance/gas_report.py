"""Measures the gas of governance operations on a fresh anvil chain and prints a table.

    python -m governance.gas_report

Epoch mints are measured per recipient, as the difference between a batch of 2N and a batch of N
recipients divided by N (calldata included), and printed beside the floor set by the storage each
recipient must touch (EIP-2929 / EIP-2200 prices):

- a new holder: four fresh slots at 20,000 + 2,100 (cold) each: its balance, its delegate
  (self-delegation), its checkpoint array's length and first checkpoint. Floor 88,400.
- an existing holder (minted in an earlier block): a fresh checkpoint slot (22,100), its balance
  and its checkpoint array's length rewritten (2,100 + 2,900 each) and two cold reads (its
  delegate, its last checkpoint: 2,100 each). Floor 36,300.

The rest is the events every recipient emits (Transfer, DelegateVotesChanged and, for a new holder,
DelegateChanged: about 3,400 and 5,300 gas), its calldata (about 600) and computation.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from agora.chain import send_transaction
from agora.services import free_port
from agora.settings import ANVIL_OPERATOR_KEY
from governance.anvil import rpc_url, start_anvil, stop_anvil
from governance.deploy import Deployment, contract_at, deploy, deployed_contract
from governance.devchain import advance_time, fund
from governance.operator import (
    DEFAULT_SETTINGS,
    POINT,
    create_community_onchain,
    mint_epoch_onchain,
)
from governance.proposals import Support, election, sign_ballot
from governance.tips import item_ref, sign_permit, sign_tip

FRESH_SLOT = 20_000  # SSTORE of a zero slot
REWRITE = 2_900  # SSTORE of a non-zero slot written earlier in no call of the transaction
COLD_ACCESS = 2_100  # first access of a slot in the transaction
NEW_HOLDER_FLOOR = 4 * (FRESH_SLOT + COLD_ACCESS)
EXISTING_HOLDER_FLOOR = (FRESH_SLOT + COLD_ACCESS) + 2 * (REWRITE + COLD_ACCESS) + 2 * COLD_ACCESS
# A recipient may cost at most this much above its floor.
FLOOR_TOLERANCE = 0.15
COMMUNITY_CREATION_TARGET = 400_000
# A tip between two holders: a transferFrom (the allowance's update included), the check that the
# token is a community's (its name, the registry, the governor's token) and an event.
TIP_TARGET = 150_000
# What a tip costs above a plain transfer of the same points between the same holders.
TIP_OVERHEAD_TARGET = 30_000


def members(count: int, *, seed: str = "agora-gas-report") -> list[LocalAccount]:
    """`count` accounts with keys derived from `seed`: the same calldata every run."""
    return [Account.from_key(keccak(text=f"{seed}-{index}")) for index in range(count)]


def measure_epoch_mints(
    w3: Web3,
    minter_key: str,
    token: str,
    holders: list[str],
    *,
    batch: int = 50,
    first_epoch: int = 1,
) -> tuple[float, float]:
    """Per-recipient gas of epoch mints: (new holders, existing holders).

    Needs `3 * batch` holders that hold no points yet.
    """
    if len(holders) < 3 * batch:
        raise ValueError(f"need {3 * batch} holders")
    amount = 100 * POINT

    def mint(epoch: int, accounts: list[str]) -> int:
        gas: int = mint_epoch_onchain(w3, minter_key, token, epoch, {a: amount for a in accounts})[
            "gasUsed"
        ]
        return gas

    small = mint(first_epoch, holders[:batch])
    large = mint(first_epoch + 1, holders[batch : 3 * batch])
    per_new_holder = (large - small) / batch
    # Later blocks, so that every holder gets a new checkpoint rather than an update of its last.
    advance_time(w3, 60)
    small = mint(first_epoch + 2, holders[:batch])
    advance_time(w3, 60)
    large = mint(first_epoch + 3, holders[: 2 * batch])
    per_existing_holder = (large - small) / batch
    return per_new_holder, per_existing_holder


def measure_tips(
    w3: Web3,
    deployment: Deployment,
    token_address: str,
    tipper: LocalAccount,
    permit_signer: LocalAccount,
    author: LocalAccount,
) -> tuple[int, int, int]:
    """Gas of a tip to an existing holder: after an `approve`, with a permit, and relayed (the
    tipper's permit and signed tip, sent by someone else)."""
    tips = deployed_contract(w3, deployment, "tips")
    token = contract_at(w3, "CommunityToken", token_address)
    send_transaction(w3, tipper.key.hex(), token.functions.approve(tips.address, POINT))
    tip = send_transaction(
        w3,
        tipper.key.hex(),
        tips.functions.tip(token_address, author.address, POINT, item_ref("Post:1")),
    )
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    permit = sign_permit(token, permit_signer.key.hex(), tips.address, POINT, deadline)
    with_permit = send_transaction(
        w3,
        permit_signer.key.hex(),
        tips.functions.tipWithPermit(
            token_address, author.address, POINT, item_ref("Comment:1"), *permit.args()
        ),
    )
    signed = sign_tip(
        tips, token, permit_signer.key.hex(), author.address, POINT, item_ref("Post:2"), deadline
    )
    by_sig = send_transaction(w3, tipper.key.hex(), tips.functions.tipBySig(*signed.args()))
    return tip["gasUsed"], with_permit["gasUsed"], by_sig["gasUsed"]


def measure(
    w3: Web3, deployment: Deployment, operator_key: str, *, batch: int = 50
) -> list[GasFigure]:
    """Runs one community's life on the chain and returns the gas of each step."""
    creator, whale, voter, signer, candidate, *holders = members(5 + 3 * batch)
    created = create_community_onchain(w3, deployment, operator_key, "gas-report", creator.address)
    creation = w3.eth.get_transaction_receipt(created["txHash"])["gasUsed"]
    per_new_holder, per_existing_holder = measure_epoch_mints(
        w3, operator_key, created["token"], [h.address for h in holders], batch=batch
    )

    payouts: dict[str, int] = {
        whale.address: 10_000 * POINT,
        voter.address: 100 * POINT,
        signer.address: 100 * POINT,
    }
    mint_epoch_onchain(w3, operator_key, created["token"], 100, payouts)
    for account in (whale, voter, signer):
        fund(w3, account.address)
    governor = contract_at(w3, "CommunityGovernor", created["governor"])
    registry = deployed_contract(w3, deployment, "registry")
    proposal = election(registry, bytes.fromhex(created["communityId"][2:]), candidate.address)
    advance_time(w3, 1)
    propose = send_transaction(
        w3, whale.key.hex(), governor.functions.propose(*proposal.propose_args())
    )
    proposal_id = proposal.id(governor)
    advance_time(w3, DEFAULT_SETTINGS.voting_delay + 1)
    send_transaction(w3, whale.key.hex(), governor.functions.castVote(proposal_id, Support.FOR))
    vote = send_transaction(
        w3, voter.key.hex(), governor.functions.castVote(proposal_id, Support.FOR)
    )
    signature = sign_ballot(governor, proposal_id, Support.FOR, signer.key.hex())
    vote_by_sig = send_transaction(
        w3,
        operator_key,
        governor.functions.castVoteBySig(proposal_id, Support.FOR, signer.address, signature),
    )
    advance_time(w3, DEFAULT_SETTINGS.voting_period + 1)
    execute = send_transaction(
        w3, whale.key.hex(), governor.functions.execute(*proposal.execute_args())
    )
    tip, tip_with_permit, tip_by_sig = measure_tips(
        w3, deployment, created["token"], voter, signer, whale
    )

    return [
        GasFigure("create a community (token and governor clones, registry)", creation),
        GasFigure("propose (elect a moderator)", propose["gasUsed"]),
        GasFigure("cast a vote (castVote, not the first)", vote["gasUsed"]),
        GasFigure("cast a vote by signature (castVoteBySig, relayed)", vote_by_sig["gasUsed"]),
        GasFigure("execute an election", execute["gasUsed"]),
        GasFigure("tip an author (tip, approved before)", tip),
        GasFigure("tip an author with a permit (tipWithPermit)", tip_with_permit),
        GasFigure("relay a signed tip (tipBySig, gasless)", tip_by_sig),
        GasFigure("epoch mint, per recipient, new holder", round(per_new_holder), NEW_HOLDER_FLOOR),
        GasFigure(
            "epoch mint, per recipient, existing holder",
            round(per_existing_holder),
            EXISTING_HOLDER_FLOOR,
        ),
    ]


@dataclass(frozen=True, slots=True)
class GasFigure:
    """A row of the table: an operation's gas, beside the floor its storage writes set (mints)."""

    operation: str
    gas: int
    floor: int | None = None

    @property
    def over_floor(self) -> float | None:
        return None if self.floor is None else self.gas / self.floor - 1


def render(figures: list[GasFigure]) -> str:
    width = max(len(f.operation) for f in figures)
    lines = [f"{'operation':<{width}}  {'gas':>9}  {'floor':>9}  {'over floor':>10}"]
    lines.append("-" * len(lines[0]))
    for figure in figures:
        floor = f"{figure.floor:>9,}" if figure.floor is not None else " " * 9
        over = f"{figure.over_floor:>+10.1%}" if figure.over_floor is not None else ""
        lines.append(f"{figure.operation:<{width}}  {figure.gas:>9,}  {floor}  {over}".rstrip())
    return "\n".join(lines)


def main() -> int:
    port = free_port()
    anvil = start_anvil(port, None)
    try:
        with tempfile.TemporaryDirectory() as directory:
            deployment = deploy(
                rpc_url(port), ANVIL_OPERATOR_KEY, Path(directory) / "deployment.json"
            )
            figures = measure(
                Web3(Web3.HTTPProvider(rpc_url(port))), deployment, ANVIL_OPERATOR_KEY
            )
    finally:
        stop_anvil(anvil)
    print(render(figures))
    over = [f for f in figures if f.over_floor is not None and f.over_floor > FLOOR_TOLERANCE]
    if over:
        print(
            f"over the {FLOOR_TOLERANCE:.0%} tolerance: {', '.join(f.operation for f in over)}",
            file=sys.stderr,
        )
    if figures[0].gas > COMMUNITY_CREATION_TARGET:
        print(
            f"creating a community costs more than {COMMUNITY_CREATION_TARGET:,}", file=sys.stderr
        )
    return 1 if over or figures[0].gas > COMMUNITY_CREATION_TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
