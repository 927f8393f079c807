"""Only a community's own governor changes its moderators (ModeratorRegistry)."""

from __future__ import annotations

import pytest

from agora.chain import TransactionReverted
from governance.proposals import ProposalState, Support, election
from tests.governance.driver import Governance

pytestmark = pytest.mark.chain


def test_the_creator_is_the_first_moderator(gov: Governance) -> None:
    # when
    community = gov.create_community()

    # then
    assert gov.moderators(community) == {community.creator.address}
    assert gov.registry.functions.governorOf(community.id).call() == community.governor.address


@pytest.mark.parametrize("caller", ["operator", "creator"])
def test_no_account_changes_moderators_directly(gov: Governance, caller: str) -> None:
    # given
    community = gov.create_community()
    intruder = gov.member()
    account = gov.operator_key if caller == "operator" else community.creator

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(account, gov.registry.functions.electModerator(community.id, intruder.address))

    # then
    assert reverted.value.error_name == "ModeratorRegistryUnauthorized"
    assert gov.moderators(community) == {community.creator.address}


def test_the_creator_cannot_impeach_a_moderator(gov: Governance) -> None:
    # given
    community = gov.create_community()

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            community.creator,
            gov.registry.functions.impeachModerator(community.id, community.creator.address),
        )

    # then
    assert reverted.value.error_name == "ModeratorRegistryUnauthorized"


def test_another_communitys_governor_cannot_change_moderators(gov: Governance) -> None:
    # given: community B passes a proposal electing someone in community A
    a = gov.create_community()
    b = gov.create_community()
    (member_of_b,) = gov.members(1)
    intruder = gov.member()
    gov.pay(b, {member_of_b: 100})
    proposal = election(gov.registry, a.id, intruder.address)
    proposal_id = gov.propose(b, proposal, by=member_of_b)
    gov.open_voting(b)
    gov.vote(b, proposal_id, member_of_b, Support.FOR)
    gov.close_voting(b)

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.execute(b, proposal, by=member_of_b)

    # then
    assert (
        reverted.value.error
        == f"ModeratorRegistryUnauthorized(0x{a.id.hex()}, {b.governor.address})"
    )
    assert gov.state(b, proposal_id) == ProposalState.SUCCEEDED
    assert gov.moderators(a) == {a.creator.address}


def test_only_the_factory_registers_communities(gov: Governance) -> None:
    # given
    intruder = gov.member()

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            intruder,
            gov.registry.functions.registerCommunity(
                b"\x01" * 32, intruder.address, intruder.address
            ),
        )

    # then
    assert reverted.value.error_name == "ModeratorRegistryUnauthorized"


def test_electing_a_sitting_moderator_fails_the_proposal_execution(gov: Governance) -> None:
    # given
    community = gov.create_community()
    (alice,) = gov.members(1)
    gov.pay(community, {alice: 100})

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.pass_proposal(community, gov.election(community, community.creator), voter=alice)

    # then
    assert reverted.value.error_name == "ModeratorRegistryAlreadyModerator"
