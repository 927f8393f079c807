"""Points: minted once per epoch by the platform's minter, votes from their first receipt."""

from __future__ import annotations

import pytest
from eth_account.messages import encode_typed_data
from web3.logs import DISCARD

from agora.chain import TransactionReverted
from governance.devchain import advance_time
from governance.eip712 import EIP712_DOMAIN
from governance.operator import POINT
from tests.governance.driver import Governance

pytestmark = pytest.mark.chain


def test_a_first_receipt_delegates_the_holder_to_itself(gov: Governance) -> None:
    # given
    community = gov.create_community()
    (alice,) = gov.members(1)

    # when
    gov.pay(community, {alice: 7})

    # then
    assert community.token.functions.delegates(alice.address).call() == alice.address
    assert gov.votes(community, alice) == 7


def test_a_transfer_moves_votes_to_a_new_holder(gov: Governance) -> None:
    # given
    community = gov.create_community()
    alice, bob = gov.members(2)
    gov.pay(community, {alice: 10})

    # when
    gov.send(alice, community.token.functions.transfer(bob.address, 4 * POINT))

    # then
    assert (gov.votes(community, alice), gov.votes(community, bob)) == (6, 4)
    assert community.token.functions.delegates(bob.address).call() == bob.address


def test_an_epoch_is_minted_once(gov: Governance) -> None:
    # given
    community = gov.create_community()
    (alice,) = gov.members(1)
    gov.pay(community, {alice: 10}, epoch=42)

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.pay(community, {alice: 10}, epoch=42)

    # then
    assert reverted.value.error == "CommunityTokenEpochAlreadyMinted(42)"
    assert community.token.functions.epochMinted(42).call()
    assert gov.votes(community, alice) == 10


@pytest.mark.parametrize("minter", ["creator", "member"])
def test_only_the_platform_minter_mints(gov: Governance, minter: str) -> None:
    # given
    community = gov.create_community()
    account = community.creator if minter == "creator" else gov.member()

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            account, community.token.functions.mintEpoch(1, bytes(32), [account.address], [POINT])
        )

    # then
    assert reverted.value.error == f"CommunityTokenUnauthorizedMinter({account.address})"
    assert community.token.functions.totalSupply().call() == 0


def test_a_minter_granted_by_the_factory_mints_in_every_community(gov: Governance) -> None:
    # given
    first, second = gov.create_community(), gov.create_community()
    ledger = gov.member()
    gov.send(
        gov.operator_key,
        gov.factory.functions.grantRole(gov.factory.functions.MINTER_ROLE().call(), ledger.address),
    )

    # when
    for community in (first, second):
        gov.send(
            ledger, community.token.functions.mintEpoch(1, bytes(32), [ledger.address], [POINT])
        )

    # then
    assert [gov.votes(c, ledger) for c in (first, second)] == [1, 1]


def test_a_batch_mint_keeps_openzeppelins_accounting(gov: Governance) -> None:
    # given: a holder who delegated elsewhere, a fresh recipient listed twice
    community = gov.create_community()
    token = community.token
    alice, bob, carol, dave = gov.members(4)
    gov.pay(community, {alice: 10, bob: 5})
    gov.send(bob, token.functions.delegate(alice.address))
    advance_time(gov.w3, 10)

    # when
    minted = gov.send(
        gov.operator_key,
        token.functions.mintEpoch(
            7,
            bytes(32),
            [alice.address, bob.address, carol.address, carol.address],
            [
                1 * POINT,
                2 * POINT,
                3 * POINT,
                4 * POINT,
            ],
        ),
    )
    minted_at = gov.w3.eth.get_block(minted["blockNumber"])["timestamp"]
    advance_time(gov.w3, 10)

    # then
    holders = (alice, bob, carol, dave)
    assert [token.functions.balanceOf(h.address).call() // POINT for h in holders] == [11, 7, 7, 0]
    assert [token.functions.getVotes(h.address).call() // POINT for h in holders] == [18, 0, 7, 0]
    assert [
        token.functions.getPastVotes(h.address, minted_at - 1).call() // POINT for h in holders
    ] == [15, 0, 0, 0]
    assert token.functions.totalSupply().call() == 25 * POINT
    assert token.functions.getPastTotalSupply(minted_at).call() == 25 * POINT
    assert token.functions.getPastTotalSupply(minted_at - 1).call() == 15 * POINT
    assert token.functions.numCheckpoints(carol.address).call() == 1  # two receipts, one timepoint
    last = token.functions.numCheckpoints(alice.address).call() - 1
    assert token.functions.checkpoints(alice.address, last).call() == (minted_at, 18 * POINT)


def test_a_batch_beyond_the_votes_supply_cap_reverts(gov: Governance) -> None:
    # given: ERC20Votes caps the supply at 2**208 - 1; each amount alone would fit in a checkpoint
    community = gov.create_community()
    alice, bob = gov.members(2)
    amounts = [2**207, 2**207]

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            gov.operator_key,
            community.token.functions.mintEpoch(
                1, bytes(32), [alice.address, bob.address], amounts
            ),
        )

    # then
    assert reverted.value.error == f"ERC20ExceededSafeSupply({2**208}, {2**208 - 1})"
    assert not community.token.functions.epochMinted(1).call()


def test_minting_to_the_zero_address_reverts(gov: Governance) -> None:
    community = gov.create_community()
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            gov.operator_key,
            community.token.functions.mintEpoch(1, bytes(32), ["0x" + "00" * 20], [POINT]),
        )
    assert (
        reverted.value.error == "ERC20InvalidReceiver(0x0000000000000000000000000000000000000000)"
    )


def test_the_clock_is_the_block_timestamp(gov: Governance) -> None:
    community = gov.create_community()
    now = gov.w3.eth.get_block("latest")["timestamp"]
    assert community.token.functions.CLOCK_MODE().call() == "mode=timestamp"
    assert community.governor.functions.CLOCK_MODE().call() == "mode=timestamp"
    assert community.token.functions.clock().call() == now
    assert community.governor.functions.clock().call() == now


def test_a_permit_signed_for_the_communitys_domain_is_accepted(gov: Governance) -> None:
    # given
    community = gov.create_community("Permit Lovers")
    owner, spender = gov.members(2)
    deadline = gov.w3.eth.get_block("latest")["timestamp"] + 3600
    permit = {
        "types": {
            "EIP712Domain": EIP712_DOMAIN,
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "Permit Lovers",
            "version": "1",
            "chainId": 31337,
            "verifyingContract": community.token.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender.address,
            "value": 5,
            "nonce": 0,
            "deadline": deadline,
        },
    }
    signed = owner.sign_message(encode_typed_data(full_message=permit))

    # when
    gov.send(
        spender,
        community.token.functions.permit(
            owner.address,
            spender.address,
            5,
            deadline,
            signed.v,
            signed.r.to_bytes(32, "big"),
            signed.s.to_bytes(32, "big"),
        ),
    )

    # then
    assert community.token.functions.allowance(owner.address, spender.address).call() == 5
    assert community.token.functions.eip712Domain().call()[1:3] == ["Permit Lovers", "1"]


def test_a_mint_records_the_root_of_the_distribution_it_is_part_of(gov: Governance) -> None:
    # given
    community = gov.create_community()
    alice, bob = gov.members(2)
    root = bytes(range(32))

    # when
    receipt = gov.send(
        gov.operator_key,
        community.token.functions.mintEpoch(
            3000, root, [alice.address, bob.address], [2 * POINT, POINT]
        ),
    )

    # then
    (event,) = community.token.events.EpochMinted().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["epochId"] == 3000
    assert event["args"]["root"] == root
    assert (event["args"]["recipients"], event["args"]["amount"]) == (2, 3 * POINT)
