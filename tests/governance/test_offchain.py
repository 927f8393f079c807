"""What needs no chain: community ids, token symbols, the storage the token writes directly."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from governance import CONTRACTS_DIR, community_id
from governance.operator import token_symbol


def test_a_community_id_is_the_keccak_of_the_utf8_name() -> None:
    assert community_id("python") == keccak(b"python")
    assert community_id("café") == keccak("café".encode())


@pytest.mark.parametrize(
    ("name", "symbol"), [("python", "PYTHON"), ("r/ask-science 2", "RASKSCIENCE"), ("☕", "POINTS")]
)
def test_a_token_symbol_is_derived_from_the_name(name: str, symbol: str) -> None:
    assert token_symbol(name) == symbol


def test_the_storage_the_batch_mint_writes_is_openzeppelins() -> None:
    # ERC-7201: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff))
    def location(namespace: str) -> str:
        slot = keccak((int.from_bytes(keccak(text=namespace), "big") - 1).to_bytes(32, "big"))
        return "0x" + (int.from_bytes(slot, "big") & ~0xFF).to_bytes(32, "big").hex()

    source = (CONTRACTS_DIR / "CommunityToken.sol").read_text()
    assert f"_ERC20_STORAGE = {location('openzeppelin.storage.ERC20')};" in source
    assert f"_VOTES_STORAGE = {location('openzeppelin.storage.Votes')};" in source
