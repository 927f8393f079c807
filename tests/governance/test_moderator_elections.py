"""Members elect and impeach moderators by proposals and votes (CommunityGovernor)."""

from __future__ import annotations

import pytest

from agora.chain import TransactionReverted
from governance.proposals import Proposal, ProposalState, Support, sign_ballot
from tests.governance.driver import Governance

pytestmark = pytest.mark.chain


def test_members_elect_a_moderator(gov: Governance) -> None:
    # given
    community = gov.create_community()
    alice, bob, candidate = gov.members(3)
    gov.pay(community, {alice: 60, bob: 40})
    proposal = gov.election(community, candidate)

    # when
    proposal_id = gov.propose(community, proposal, by=alice)
    gov.open_voting(community)
    gov.vote(community, proposal_id, alice, Support.FOR)
    gov.vote(community, proposal_id, bob, Support.AGAINST)
    gov.close_voting(community)
    assert gov.state(community, proposal_id) == ProposalState.SUCCEEDED
    gov.execute(community, proposal, by=bob)

    # then
    assert gov.state(community, proposal_id) == ProposalState.EXECUTED
    assert gov.moderators(community) == {community.creator.address, candidate.address}


def test_members_impeach_a_moderator(gov: Governance) -> None:
    # given
    community = gov.create_community()
    (alice,) = gov.members(1)
    gov.pay(community, {alice: 100})

    # when
    gov.pass_proposal(community, gov.impeachment(community, community.creator), voter=alice)

    # then
    assert gov.moderators(community) == set()
    assert not gov.registry.functions.isModerator(community.id, community.creator.address).call()


def test_a_proposal_short_of_quorum_is_defeated(gov: Governance) -> None:
    # given: 5% quorum, and the only voter holds 4% of the points
    community = gov.create_community()
    voter, whale, candidate = gov.members(3)
    gov.pay(community, {voter: 4, whale: 96})
    proposal = gov.election(community, candidate)
    proposal_id = gov.propose(community, proposal, by=voter)
    gov.open_voting(community)

    # when
    gov.vote(community, proposal_id, voter, Support.FOR)
    gov.close_voting(community)

    # then
    assert gov.state(community, proposal_id) == ProposalState.DEFEATED
    with pytest.raises(TransactionReverted) as reverted:
        gov.execute(community, proposal, by=voter)
    assert reverted.value.error_name == "GovernorUnexpectedProposalState"
    assert candidate.address not in gov.moderators(community)


def test_a_proposal_with_more_votes_against_is_defeated(gov: Governance) -> None:
    # given
    community = gov.create_community()
    alice, bob, candidate = gov.members(3)
    gov.pay(community, {alice: 45, bob: 55})
    proposal_id = gov.propose(community, gov.election(community, candidate), by=alice)
    gov.open_voting(community)

    # when
    gov.vote(community, proposal_id, alice, Support.FOR)
    gov.vote(community, proposal_id, bob, Support.AGAINST)
    gov.close_voting(community)

    # then
    assert gov.state(community, proposal_id) == ProposalState.DEFEATED


def test_a_member_cannot_vote_twice(gov: Governance) -> None:
    # given
    community = gov.create_community()
    (alice,) = gov.members(1)
    gov.pay(community, {alice: 10})
    proposal_id = gov.propose(community, gov.election(community, gov.member()), by=alice)
    gov.open_voting(community)
    gov.vote(community, proposal_id, alice, Support.FOR)

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.vote(community, proposal_id, alice, Support.AGAINST)

    # then
    assert reverted.value.error == f"GovernorAlreadyCastVote({alice.address})"


def test_points_minted_after_the_snapshot_do_not_count(gov: Governance) -> None:
    # given: bob earns his points once the vote is open
    community = gov.create_community()
    alice, bob, candidate = gov.members(3)
    gov.pay(community, {alice: 10})
    proposal_id = gov.propose(community, gov.election(community, candidate), by=alice)
    gov.open_voting(community)
    gov.pay(community, {bob: 1_000})

    # when
    gov.vote(community, proposal_id, alice, Support.FOR)
    gov.vote(community, proposal_id, bob, Support.AGAINST)
    gov.close_voting(community)

    # then
    against, in_favour, abstain = community.governor.functions.proposalVotes(proposal_id).call()
    assert (against, in_favour // 10**18, abstain) == (0, 10, 0)
    assert gov.state(community, proposal_id) == ProposalState.SUCCEEDED


def test_a_vote_by_signature_counts_for_the_signer(gov: Governance) -> None:
    # given: the voter holds points but no ether; the operator relays its signed ballot
    community = gov.create_community()
    proposer, candidate = gov.members(2)
    voter = gov.member()
    gov.pay(community, {proposer: 1, voter: 99})
    proposal = gov.election(community, candidate)
    proposal_id = gov.propose(community, proposal, by=proposer)
    gov.open_voting(community)
    signature = sign_ballot(community.governor, proposal_id, Support.FOR, voter.key.to_0x_hex())

    # when
    gov.send(
        gov.operator_key,
        community.governor.functions.castVoteBySig(
            proposal_id, Support.FOR, voter.address, signature
        ),
    )

    # then
    assert community.governor.functions.hasVoted(proposal_id, voter.address).call()
    assert community.governor.functions.proposalVotes(proposal_id).call()[1] == 99 * 10**18
    with pytest.raises(TransactionReverted) as replayed:  # the nonce was used
        gov.send(
            gov.operator_key,
            community.governor.functions.castVoteBySig(
                proposal_id, Support.FOR, voter.address, signature
            ),
        )
    assert replayed.value.error == f"GovernorInvalidSignature({voter.address})"


def test_a_community_changes_its_own_voting_period(gov: Governance) -> None:
    # given
    community = gov.create_community()
    (alice,) = gov.members(1)
    gov.pay(community, {alice: 100})
    governor = community.governor

    calldata = bytes.fromhex(governor.encode_abi("setVotingPeriod", args=[7 * 24 * 3600])[2:])
    proposal = Proposal((governor.address,), (0,), (calldata,), "A week to vote")

    # when
    gov.pass_proposal(community, proposal, voter=alice)

    # then
    assert governor.functions.votingPeriod().call() == 7 * 24 * 3600


def test_only_the_community_changes_its_settings(gov: Governance) -> None:
    # given
    community = gov.create_community()

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(gov.operator_key, community.governor.functions.updateQuorumNumerator(1))

    # then
    assert reverted.value.error_name == "GovernorOnlyExecutor"
    assert community.governor.functions.quorumNumerator().call() == 5
