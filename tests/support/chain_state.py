"""The truth the mirror is held to: the governance state read straight from the contracts with
`eth_call`, and the same state as the mirror's views show it, in one comparable shape.

The chain cannot list its holders nor its proposals, so the reference reads the accounts,
communities and proposals a test knows of; the mirror's side lists everything it holds. A holder,
delegation or proposal the mirror invents, or one it misses, makes the two differ. Zero balances
and zero voting power are left out on both sides (the mirror keeps a row for an account that
sent everything away; the chain cannot tell it from one that never held anything).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import asyncpg
from web3 import Web3
from web3.contract import Contract
from web3.types import BlockIdentifier

from governance.deploy import contract_at
from governance.proposals import ProposalState

ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class Tally:
    state: str
    for_votes: int
    against_votes: int
    abstain_votes: int
    # The governor refuses `quorum` at a snapshot still in the future: None while PENDING.
    quorum: int | None


@dataclass
class GovernanceState:
    """Addresses and ids are lower-case 0x-hex; amounts in base units."""

    balances: dict[tuple[str, str], int] = field(default_factory=dict)  # (token, holder)
    total_supply: dict[str, int] = field(default_factory=dict)  # token
    voting_power: dict[tuple[str, str], int] = field(default_factory=dict)  # (token, delegate)
    delegations: dict[tuple[str, str], str] = field(default_factory=dict)  # (token, delegator)
    moderators: dict[str, set[str]] = field(default_factory=dict)  # community id -> accounts
    proposals: dict[tuple[str, int], Tally] = field(default_factory=dict)  # (governor, id)


def _hex(value: bytes | str) -> str:
    return ("0x" + value.hex()) if isinstance(value, bytes) else value.lower()


def read_chain(
    w3: Web3,
    registry: Contract,
    *,
    communities: Iterable[bytes],
    accounts: Iterable[str],
    proposals: Iterable[int],
    block: BlockIdentifier,
) -> GovernanceState:
    """The state at `block` of the `communities` (on-chain ids), for the `accounts` and the
    `proposals` (ids, looked for in every community's governor)."""
    accounts = [Web3.to_checksum_address(a) for a in accounts]
    proposals = list(proposals)
    state = GovernanceState()
    for community in communities:
        moderators = registry.functions.moderators(community).call(block_identifier=block)
        state.moderators[_hex(community)] = {_hex(m) for m in moderators}
        governor = contract_at(
            w3,
            "CommunityGovernor",
            registry.functions.governorOf(community).call(block_identifier=block),
        )
        token = contract_at(
            w3, "CommunityToken", governor.functions.token().call(block_identifier=block)
        )
        t = _hex(token.address)
        state.total_supply[t] = token.functions.totalSupply().call(block_identifier=block)
        for account in accounts:
            a = _hex(account)
            balance = token.functions.balanceOf(account).call(block_identifier=block)
            if balance:
                state.balances[t, a] = balance
            votes = token.functions.getVotes(account).call(block_identifier=block)
            if votes:
                state.voting_power[t, a] = votes
            delegatee = token.functions.delegates(account).call(block_identifier=block)
            if delegatee != ZERO_ADDRESS:
                state.delegations[t, a] = _hex(delegatee)
        g = _hex(governor.address)
        for proposal_id in proposals:
            proposer = governor.functions.proposalProposer(proposal_id).call(block_identifier=block)
            if proposer == ZERO_ADDRESS:
                continue  # another community's proposal
            name = ProposalState(
                governor.functions.state(proposal_id).call(block_identifier=block)
            ).name
            against, for_, abstain = governor.functions.proposalVotes(proposal_id).call(
                block_identifier=block
            )
            quorum = None
            if name != "PENDING":
                snapshot = governor.functions.proposalSnapshot(proposal_id).call(
                    block_identifier=block
                )
                quorum = governor.functions.quorum(snapshot).call(block_identifier=block)
            state.proposals[g, proposal_id] = Tally(name, for_, against, abstain, quorum)
    return state


async def read_mirror(conn: asyncpg.Connection) -> GovernanceState:
    """The same state as the mirror's views show it (what the API reads)."""
    state = GovernanceState()
    for r in await conn.fetch("SELECT * FROM chain_token_balances WHERE balance <> 0"):
        state.balances[_hex(bytes(r["token"])), _hex(bytes(r["holder"]))] = int(r["balance"])
    # The total supply as the API computes it (api/governance/queries.sql): mints minus burns.
    for r in await conn.fetch(
        """SELECT c.token, coalesce(sum(CASE WHEN x.sender = $1 THEN x.value ELSE -x.value END)
                                    FILTER (WHERE x.sender = $1 OR x.recipient = $1), 0) AS supply
             FROM chain_communities AS c LEFT JOIN chain_transfers AS x ON x.token = c.token
            GROUP BY c.token""",
        bytes(20),
    ):
        state.total_supply[_hex(bytes(r["token"]))] = int(r["supply"])
    for r in await conn.fetch("SELECT * FROM chain_voting_power WHERE votes <> 0"):
        state.voting_power[_hex(bytes(r["token"])), _hex(bytes(r["delegate"]))] = int(r["votes"])
    for r in await conn.fetch("SELECT * FROM chain_delegations WHERE delegatee <> $1", bytes(20)):
        state.delegations[_hex(bytes(r["token"])), _hex(bytes(r["delegator"]))] = _hex(
            bytes(r["delegatee"])
        )
    for r in await conn.fetch("SELECT community_id FROM chain_communities"):
        state.moderators[_hex(bytes(r["community_id"]))] = set()
    for r in await conn.fetch("SELECT community_id, account FROM chain_moderators"):
        state.moderators[_hex(bytes(r["community_id"]))].add(_hex(bytes(r["account"])))
    for r in await conn.fetch("SELECT * FROM proposal_views"):
        state.proposals[_hex(bytes(r["governor"])), int(r["proposal_id"])] = Tally(
            r["state"],
            int(r["for_votes"]),
            int(r["against_votes"]),
            int(r["abstain_votes"]),
            None if r["state"] == "PENDING" else int(r["quorum"]),
        )
    return state
