"""The local chain: anvil from the npm package, its state kept in a directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from agora.chain import connect
from agora.services import free_port
from governance.anvil import anvil_binary, rpc_url, start_anvil, stop_anvil

pytestmark = pytest.mark.chain


def test_the_binary_ships_in_the_npm_package() -> None:
    assert "node_modules" in anvil_binary().parts and anvil_binary().is_file()


def test_a_chain_with_a_state_dir_survives_a_restart(tmp_path: Path) -> None:
    # given
    port = free_port()
    anvil = start_anvil(port, tmp_path)
    w3 = connect(rpc_url(port))
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    stop_anvil(anvil)

    # when
    anvil = start_anvil(port, tmp_path)
    try:
        # then
        assert connect(rpc_url(port)).eth.block_number == 2
        assert connect(rpc_url(port)).eth.chain_id == 31337
    finally:
        stop_anvil(anvil)
