"""agora.chain: reverts come back named, with their arguments."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from web3.exceptions import ContractCustomError

from agora.chain import TransactionReverted, decode_revert, send_transaction
from tests.governance.driver import Governance


def _revert(signature: str, types: list[str], values: list[object]) -> str:
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, values)).hex()


def test_a_custom_error_is_named_with_its_arguments() -> None:
    data = _revert("GovernorAlreadyCastVote(address)", ["address"], ["0x" + "ab" * 20])
    assert decode_revert(ContractCustomError(data, data=data)) == (
        "GovernorAlreadyCastVote(0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB)"
    )


def test_an_error_of_an_openzeppelin_library_is_named() -> None:
    data = _revert(
        "SafeCastOverflowedUintDowncast(uint8,uint256)", ["uint8", "uint256"], [48, 2**60]
    )
    assert decode_revert(data) == f"SafeCastOverflowedUintDowncast(48, {2**60})"


def test_a_reason_string_and_a_panic_are_named() -> None:
    assert decode_revert(_revert("Error(string)", ["string"], ["nope"])) == 'Error("nope")'
    assert decode_revert(_revert("Panic(uint256)", ["uint256"], [0x11])) == "Panic(17)"


def test_unknown_or_missing_data_is_reported_as_such() -> None:
    assert decode_revert("0xdeadbeef") == "unknown error 0xdeadbeef"
    assert decode_revert(None) == "execution reverted"


@pytest.mark.chain
def test_a_transaction_that_reverts_on_chain_is_named_too(gov: Governance) -> None:
    # given: a fixed gas limit skips the estimate, so the failing transaction is mined
    community = gov.create_community()
    member = gov.member()

    # when
    with pytest.raises(TransactionReverted) as reverted:
        send_transaction(
            gov.w3,
            member.key.to_0x_hex(),
            community.token.functions.mintEpoch(1, bytes(32), [member.address], [1]),
            gas=200_000,
        )

    # then
    assert reverted.value.receipt is not None and reverted.value.receipt["status"] == 0
    assert reverted.value.error == f"CommunityTokenUnauthorizedMinter({member.address})"
