"""A real anvil chain from the npm binary, with the governance contracts deployed once per session.

Each test runs between `evm_snapshot` and `evm_revert`, so it sees the freshly deployed contracts
whatever the tests before it did.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from agora.chain import connect
from agora.services import free_port
from agora.settings import ANVIL_OPERATOR_KEY
from governance.anvil import rpc_url, start_anvil, stop_anvil
from governance.deploy import Deployment, deploy
from governance.devchain import revert_to, snapshot
from tests.governance.driver import Governance


@pytest.fixture(scope="session")
def chain_rpc_url() -> Iterator[str]:
    port = free_port()
    anvil = start_anvil(port, None)
    yield rpc_url(port)
    stop_anvil(anvil)


@pytest.fixture(scope="session")
def operator_key() -> str:
    return ANVIL_OPERATOR_KEY


@pytest.fixture(scope="session")
def deployment_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chain") / "deployment.json"


@pytest.fixture(scope="session")
def deployment(chain_rpc_url: str, operator_key: str, deployment_file: Path) -> Deployment:
    return deploy(chain_rpc_url, operator_key, deployment_file)


@pytest.fixture
def w3(chain_rpc_url: str, deployment: Deployment) -> Iterator[Web3]:
    """The chain, rolled back after the test."""
    client = connect(chain_rpc_url)
    snapshot_id = snapshot(client)
    yield client
    revert_to(client, snapshot_id)


@pytest.fixture
def gov(w3: Web3, deployment: Deployment, operator_key: str) -> Governance:
    return Governance(w3, deployment, operator_key)
