"""Creating a community on-chain: token and governor clones, registered, creator as moderator."""

from __future__ import annotations

import pytest

from agora.chain import TransactionReverted
from governance import community_id
from governance.operator import DEFAULT_SETTINGS, POINT, create_community_onchain
from tests.governance.driver import Governance

pytestmark = pytest.mark.chain


@pytest.mark.parametrize("name", ["python", "Ünïcødé Café ☕", "a" * 100])
def test_the_community_id_is_the_same_in_solidity_and_python(gov: Governance, name: str) -> None:
    assert gov.factory.functions.communityIdOf(name).call() == community_id(name)


def test_creating_a_community_deploys_and_registers_it(gov: Governance) -> None:
    # given
    creator = gov.member()

    # when
    created = create_community_onchain(
        gov.w3, gov.deployment, gov.operator_key, "Rust Lang", creator.address
    )

    # then
    token_address, governor_address = gov.factory.functions.predictCommunity(
        "Rust Lang", "RUSTLANG"
    ).call()
    assert created["communityId"] == "0x" + community_id("Rust Lang").hex()
    assert (created["token"], created["governor"]) == (token_address, governor_address)
    assert gov.registry.functions.governorOf(community_id("Rust Lang")).call() == governor_address
    assert gov.registry.functions.moderators(community_id("Rust Lang")).call() == [creator.address]
    assert (
        gov.w3.eth.get_transaction_receipt(created["txHash"])["blockNumber"]
        == created["blockNumber"]
    )


def test_a_community_has_its_name_and_the_default_settings(gov: Governance) -> None:
    # when
    community = gov.create_community("Rust Lang", settings=DEFAULT_SETTINGS)

    # then
    token, governor = community.token.functions, community.governor.functions
    assert (token.name().call(), token.symbol().call(), token.decimals().call()) == (
        "Rust Lang",
        "RUSTLANG",
        18,
    )
    assert governor.name().call() == "Rust Lang"
    assert governor.token().call() == community.token.address
    assert governor.votingDelay().call() == 24 * 3600
    assert governor.votingPeriod().call() == 3 * 24 * 3600
    assert governor.proposalThreshold().call() == 1 * POINT
    assert governor.quorumNumerator().call() == 5
    assert token.factory().call() == gov.factory.address


def test_a_name_is_created_once(gov: Governance) -> None:
    # given
    first = create_community_onchain(
        gov.w3, gov.deployment, gov.operator_key, "solidity", gov.member().address
    )

    # when: the background job runs again, and someone calls the factory directly
    again = create_community_onchain(
        gov.w3, gov.deployment, gov.operator_key, "solidity", gov.member().address
    )
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            gov.operator_key,
            gov.factory.functions.createCommunity(
                "solidity", "SOL", gov.member().address, DEFAULT_SETTINGS.as_tuple()
            ),
        )

    # then
    assert again == first
    assert reverted.value.error == f"CommunityFactoryCommunityExists({first['communityId']})"


def test_only_the_operator_creates_communities(gov: Governance) -> None:
    # given
    intruder = gov.member()

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            intruder,
            gov.factory.functions.createCommunity(
                "squatted", "SQ", intruder.address, DEFAULT_SETTINGS.as_tuple()
            ),
        )

    # then
    assert reverted.value.error_name == "AccessControlUnauthorizedAccount"


def test_a_governor_clone_cannot_be_initialized_again(gov: Governance) -> None:
    community = gov.create_community()
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(gov.operator_key, community.governor.functions.initialize(0, 1, 0, 100))
    assert reverted.value.error == "InvalidInitialization()"


def test_invalid_settings_are_refused(gov: Governance) -> None:
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            gov.operator_key,
            gov.factory.functions.createCommunity("bad", "BAD", gov.member().address, (0, 0, 0, 5)),
        )
    assert reverted.value.error == "GovernorInvalidVotingPeriod(0)"
