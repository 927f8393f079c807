"""Deploying is idempotent: a live deployment is reused, a stale file is replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web3 import Web3

from governance.deploy import Deployment, deploy, deployed_contract, is_live

pytestmark = pytest.mark.chain


def test_a_live_deployment_is_reused(
    w3: Web3, chain_rpc_url: str, operator_key: str, deployment_file: Path, deployment: Deployment
) -> None:
    # given
    block = w3.eth.block_number

    # when
    again = deploy(chain_rpc_url, operator_key, deployment_file)

    # then
    assert again == deployment
    assert w3.eth.block_number == block


def test_a_deployment_missing_from_the_chain_is_redone(
    w3: Web3, chain_rpc_url: str, operator_key: str, tmp_path: Path, deployment: Deployment
) -> None:
    # given: a file from another chain
    stale = tmp_path / "deployment.json"
    stale.write_text(json.dumps({**deployment, "chainId": 1}))

    # when
    fresh = deploy(chain_rpc_url, operator_key, stale)

    # then
    assert fresh["contracts"]["factory"]["address"] != deployment["contracts"]["factory"]["address"]
    assert is_live(w3, fresh)
    assert json.loads(stale.read_text()) == fresh


def test_the_operator_may_create_communities_and_mint(w3: Web3, deployment: Deployment) -> None:
    factory = deployed_contract(w3, deployment, "factory")
    operator = deployment["operator"]
    for role in ("OPERATOR_ROLE", "MINTER_ROLE", "DEFAULT_ADMIN_ROLE"):
        assert factory.functions.hasRole(
            getattr(factory.functions, role)().call(), operator
        ).call(), role
