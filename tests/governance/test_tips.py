"""Tips: a member pays an author in a community's points, for the item they liked."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.logs import DISCARD

from agora.chain import TransactionReverted
from governance.deploy import deployed_contract
from governance.devchain import advance_time
from governance.gas_report import TIP_OVERHEAD_TARGET, TIP_TARGET
from governance.operator import POINT
from governance.tips import item_ref, sign_permit, sign_tip
from tests.governance.driver import Governance

pytestmark = pytest.mark.chain


def tips(gov: Governance) -> Contract:
    return deployed_contract(gov.w3, gov.deployment, "tips")


def balances(gov: Governance, token: Contract, *accounts: Account) -> list[int]:
    return [token.functions.balanceOf(a.address).call() // POINT for a in accounts]


def deadline(gov: Governance) -> int:
    return int(gov.w3.eth.get_block("latest")["timestamp"]) + 3600


def test_a_tip_moves_points_from_the_tipper_to_the_author_and_says_for_what(
    gov: Governance,
) -> None:
    # given
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10})
    gov.send(tipper, community.token.functions.approve(tips(gov).address, 3 * POINT))

    # when
    receipt = gov.send(
        tipper,
        tips(gov).functions.tip(
            community.token.address, author.address, 3 * POINT, item_ref("Post:42")
        ),
    )

    # then
    assert balances(gov, community.token, tipper, author) == [7, 3]
    (tipped,) = tips(gov).events.Tipped().process_receipt(receipt, errors=DISCARD)
    assert dict(tipped["args"]) == {
        "token": community.token.address,
        "from": tipper.address,
        "to": author.address,
        "amount": 3 * POINT,
        "itemRef": item_ref("Post:42"),
    }
    assert gov.votes(community, author) == 3


def test_a_tip_with_a_permit_needs_no_approval_first(gov: Governance) -> None:
    # given
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10})
    permit = sign_permit(
        community.token, tipper.key.to_0x_hex(), tips(gov).address, 4 * POINT, deadline(gov)
    )

    # when
    receipt = gov.send(
        tipper,
        tips(gov).functions.tipWithPermit(
            community.token.address,
            author.address,
            4 * POINT,
            item_ref("Comment:7"),
            *permit.args(),
        ),
    )

    # then
    assert balances(gov, community.token, tipper, author) == [6, 4]
    (tipped,) = tips(gov).events.Tipped().process_receipt(receipt, errors=DISCARD)
    assert tipped["args"]["itemRef"] == item_ref("Comment:7")


def test_a_permit_used_before_the_tip_still_pays_the_tip(gov: Governance) -> None:
    # given someone sent the permit from the mempool first
    community = gov.create_community()
    tipper, author, front_runner = gov.members(3)
    gov.pay(community, {tipper: 10})
    permit = sign_permit(
        community.token, tipper.key.to_0x_hex(), tips(gov).address, 2 * POINT, deadline(gov)
    )
    gov.send(
        front_runner,
        community.token.functions.permit(
            tipper.address, tips(gov).address, 2 * POINT, *permit.args()
        ),
    )

    # when
    gov.send(
        tipper,
        tips(gov).functions.tipWithPermit(
            community.token.address, author.address, 2 * POINT, item_ref("Post:1"), *permit.args()
        ),
    )

    # then
    assert balances(gov, community.token, tipper, author) == [8, 2]


def test_a_permit_for_less_than_the_tip_pays_nothing(gov: Governance) -> None:
    # given
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10})
    permit = sign_permit(
        community.token, tipper.key.to_0x_hex(), tips(gov).address, 1 * POINT, deadline(gov)
    )

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            tipper,
            tips(gov).functions.tipWithPermit(
                community.token.address,
                author.address,
                5 * POINT,
                item_ref("Post:1"),
                *permit.args(),
            ),
        )

    # then
    assert reverted.value.error_name == "ERC20InsufficientAllowance"
    assert balances(gov, community.token, tipper, author) == [10, 0]


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("to oneself", "TipsSelfTip"),
        ("nothing", "TipsZeroAmount"),
        ("more than one holds", "ERC20InsufficientBalance"),
        ("to nobody", "TipsInvalidRecipient"),
    ],
)
def test_a_tip_is_refused(gov: Governance, case: str, error: str) -> None:
    # given
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10})
    gov.send(tipper, community.token.functions.approve(tips(gov).address, 100 * POINT))
    to, amount = {
        "to oneself": (tipper.address, POINT),
        "nothing": (author.address, 0),
        "more than one holds": (author.address, 11 * POINT),
        "to nobody": ("0x" + "00" * 20, POINT),
    }[case]

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            tipper,
            tips(gov).functions.tip(community.token.address, to, amount, item_ref("Post:1")),
        )

    # then
    assert reverted.value.error_name == error
    assert balances(gov, community.token, tipper, author) == [10, 0]


def lookalike_token(gov: Governance, deployer: LocalAccount, name: str, symbol: str) -> str:
    """A clone of the token implementation with a real community's arguments, made outside the
    factory: its name, symbol and factory all read like the community's token."""
    implementation, _ = gov.factory.functions.implementations().call()
    args = (
        bytes.fromhex(gov.factory.address[2:])
        + bytes([len(symbol)])
        + symbol.encode()
        + name.encode()
    )
    creation_code = (
        b"\x61"
        + (len(args) + 0x2D).to_bytes(2, "big")
        + bytes.fromhex("3d81600a3d39f3363d3d373d3d3d363d73")
        + bytes.fromhex(implementation[2:])
        + bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
        + args
    )
    receipt = gov.send_calldata(deployer, None, creation_code)
    address: str = receipt["contractAddress"]
    return address


def test_a_token_the_factory_did_not_make_is_refused_even_under_a_communitys_name(
    gov: Governance,
) -> None:
    # given
    community = gov.create_community("Lookalike Land")
    tipper, author = gov.members(2)
    symbol = community.token.functions.symbol().call()
    fake = gov.w3.eth.contract(
        address=lookalike_token(gov, tipper, "Lookalike Land", symbol),
        abi=community.token.abi,
    )
    assert fake.functions.name().call() == "Lookalike Land"

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(
            tipper,
            tips(gov).functions.tip(fake.address, author.address, POINT, item_ref("Post:1")),
        )

    # then
    assert reverted.value.error == f"TipsUnknownToken({fake.address})"
    assert tips(gov).functions.isCommunityToken(community.token.address).call()
    assert not tips(gov).functions.isCommunityToken(fake.address).call()
    assert not tips(gov).functions.isCommunityToken(author.address).call()


def test_a_tip_costs_little_more_than_a_transfer(gov: Governance) -> None:
    # given two holders, and the same move as a plain transfer for comparison
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10, author: 1})
    gov.send(tipper, community.token.functions.approve(tips(gov).address, 10 * POINT))
    advance_time(gov.w3, 60)
    transfer = gov.send(tipper, community.token.functions.transfer(author.address, POINT))
    advance_time(gov.w3, 60)

    # when
    receipt = gov.send(
        tipper,
        tips(gov).functions.tip(community.token.address, author.address, POINT, item_ref("Post:1")),
    )

    # then
    assert receipt["gasUsed"] <= TIP_TARGET
    assert receipt["gasUsed"] - transfer["gasUsed"] <= TIP_OVERHEAD_TARGET


def test_a_signed_tip_is_paid_by_whoever_sends_it(gov: Governance) -> None:
    # given
    community = gov.create_community()
    tipper, author, relayer = gov.members(3)
    gov.pay(community, {tipper: 10})
    signed = sign_tip(
        tips(gov),
        community.token,
        tipper.key.to_0x_hex(),
        author.address,
        2 * POINT,
        item_ref("Post:3"),
        deadline(gov),
    )

    # when
    gov.send(relayer, tips(gov).functions.tipBySig(*signed.args()))

    # then
    assert balances(gov, community.token, tipper, author, relayer) == [8, 2, 0]
    assert tips(gov).functions.nonces(tipper.address).call() == 1


def test_a_signed_tip_sent_to_someone_else_is_refused(gov: Governance) -> None:
    # given the tipper signed a tip to the author, and someone sends it to themselves
    community = gov.create_community()
    tipper, author, thief = gov.members(3)
    gov.pay(community, {tipper: 10})
    signed = sign_tip(
        tips(gov),
        community.token,
        tipper.key.to_0x_hex(),
        author.address,
        2 * POINT,
        item_ref("Post:3"),
        deadline(gov),
    )
    stolen = (*signed.args()[:2], thief.address, *signed.args()[3:])

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(thief, tips(gov).functions.tipBySig(*stolen))

    # then
    assert reverted.value.error == f"TipsInvalidSignature({tipper.address})"
    assert balances(gov, community.token, tipper, thief) == [10, 0]


def test_a_signed_tip_past_its_deadline_is_refused(gov: Governance) -> None:
    # given
    community = gov.create_community()
    tipper, author = gov.members(2)
    gov.pay(community, {tipper: 10})
    signed = sign_tip(
        tips(gov),
        community.token,
        tipper.key.to_0x_hex(),
        author.address,
        POINT,
        item_ref("Post:3"),
        deadline(gov),
    )
    advance_time(gov.w3, 3601)

    # when
    with pytest.raises(TransactionReverted) as reverted:
        gov.send(author, tips(gov).functions.tipBySig(*signed.args()))

    # then
    assert reverted.value.error_name == "TipsExpiredSignature"
