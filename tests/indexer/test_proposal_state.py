"""A proposal's state in the mirror is the governor's own, as time passes without any event."""

from __future__ import annotations

import asyncpg
import pytest

from governance.deploy import Deployment
from governance.proposals import Proposal, ProposalState, Support, election
from tests.governance.driver import Community, Governance
from tests.indexer.conftest import catch_up

pytestmark = pytest.mark.chain


async def _mirrored(mirror: asyncpg.Connection, ids: list[int]) -> list[tuple[str, int | None]]:
    rows = {
        int(r["proposal_id"]): (r["state"], None if r["state"] == "PENDING" else int(r["quorum"]))
        for r in await mirror.fetch("SELECT proposal_id, state, quorum FROM chain_proposal_states")
    }
    return [rows[i] for i in ids]


def _onchain(gov: Governance, community: Community, ids: list[int]) -> list[tuple[str, int | None]]:
    """Each proposal's state and quorum (None while its snapshot is in the future: the governor
    cannot know it yet)."""
    governor = community.governor.functions
    now = gov.w3.eth.get_block("latest")["timestamp"]
    answers: list[tuple[str, int | None]] = []
    for i in ids:
        snapshot = governor.proposalSnapshot(i).call()
        quorum = governor.quorum(snapshot).call() if snapshot < now else None
        answers.append((ProposalState(governor.state(i).call()).name, quorum))
    return answers


async def test_proposal_states_and_quorums_match_the_governor_at_every_stage(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given: alice holds 60 points, bob 40; three proposals
    community = gov.create_community()
    alice, bob, candidate = gov.members(3)
    gov.pay(community, {alice: 60, bob: 40})

    def propose(description: str) -> tuple[int, Proposal]:
        proposal = election(gov.registry, community.id, candidate.address, description)
        return gov.propose(community, proposal, by=alice), proposal

    (passes, passing), (rejected, _), (ignored, _) = (
        propose("passes"),
        propose("rejected"),
        propose("nobody votes"),
    )
    ids = [passes, rejected, ignored]

    async def check(expected: list[str]) -> None:
        await catch_up(database_url, chain_rpc_url, deployment)
        onchain = _onchain(gov, community, ids)
        assert [state for state, _ in onchain] == expected
        assert await _mirrored(mirror, ids) == onchain

    await check(["PENDING", "PENDING", "PENDING"])

    # when voting opens and alice and bob vote
    gov.open_voting(community)
    gov.vote(community, passes, alice, Support.FOR)
    gov.vote(community, rejected, alice, Support.AGAINST)
    gov.vote(community, rejected, bob, Support.ABSTAIN)
    await check(["ACTIVE", "ACTIVE", "ACTIVE"])

    # when the period ends: no event, only time
    gov.close_voting(community)
    await check(["SUCCEEDED", "DEFEATED", "DEFEATED"])

    # when the passing one is executed, and a new one is proposed
    gov.execute(community, passing, by=bob)
    late, _ = propose("too late for this round")
    ids.append(late)
    await check(["EXECUTED", "DEFEATED", "DEFEATED", "PENDING"])
