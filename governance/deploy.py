"""Deploys Agora's governance contracts and records them in a deployment file.

    python -m governance.deploy [--rpc-url http://127.0.0.1:8545] [--deployment-file PATH]

Deploys the `CommunityToken` and `CommunityGovernor` implementations (cloned per community) and the
`CommunityFactory`, which deploys the `ModeratorRegistry`, and `Tips`, which moves any of the
factory's community tokens from a tipper to an author. The operator key becomes the factory's
admin and receives `OPERATOR_ROLE` (creates communities) and `MINTER_ROLE` (mints reward epochs in
every community's token: the ledger signs with it). The operator key defaults to `OPERATOR_KEY`,
else anvil's first dev account.

The deployment file (JSON):

    {
      "chainId": 31337,
      "rpcUrl": "http://127.0.0.1:8545",    # where it was deployed
      "deployBlock": 1,                     # first block to index from
      "operator": "0x…",
      "solc": "0.8.37+commit…",
      "contracts": {
        "factory": {"address": "0x…", "artifact": "CommunityFactory"},
        "registry": {"address": "0x…", "artifact": "ModeratorRegistry"},
        "tokenImplementation": {"address": "0x…", "artifact": "CommunityToken"},
        "governorImplementation": {"address": "0x…", "artifact": "CommunityGovernor"},
        "tips": {"address": "0x…", "artifact": "Tips"}
      }
    }

Every community's token and governor answer to the ABIs of the implementations' artifacts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from agora.chain import connect, deploy_contract, send_transaction
from agora.settings import ANVIL_OPERATOR_KEY, Settings
from governance import load_artifact

Deployment = dict[str, Any]


def contract_at(w3: Web3, artifact: str, address: str) -> Contract:
    """The contract at `address` with the ABI of the artifact `artifact`."""
    return w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=load_artifact(artifact)["abi"]
    )


def deployed_contract(w3: Web3, deployment: Deployment, key: str) -> Contract:
    """One of the deployment's contracts: `factory`, `registry`, `tokenImplementation`, …"""
    entry = deployment["contracts"][key]
    return contract_at(w3, entry["artifact"], entry["address"])


def load_deployment(deployment_file: Path) -> Deployment:
    deployment: Deployment = json.loads(deployment_file.read_text())
    return deployment


def is_live(w3: Web3, deployment: Deployment) -> bool:
    """Whether the chain is the deployment's and holds the code of each of its contracts."""
    if w3.eth.chain_id != deployment.get("chainId"):
        return False
    for entry in deployment.get("contracts", {}).values():
        code = w3.eth.get_code(Web3.to_checksum_address(entry["address"]))
        # Immutables differ from the artifact's bytes, never its length.
        if len(code) == 0 or len(code) != len(
            bytes.fromhex(load_artifact(entry["artifact"])["deployedBytecode"][2:])
        ):
            return False
    return True


def deploy(rpc_url: str, operator_key: str, deployment_file: Path) -> Deployment:
    """Deploys the governance contracts unless `deployment_file` describes a live deployment.

    Returns the deployment (see the module's doc), written to `deployment_file`.
    """
    w3 = connect(rpc_url)
    if deployment_file.exists():
        existing = load_deployment(deployment_file)
        if is_live(w3, existing):
            if "tips" not in existing["contracts"]:
                # A deployment from before tips: its communities' tokens get a Tips contract.
                receipt = deploy_contract(
                    w3, operator_key, *_code("Tips"), existing["contracts"]["factory"]["address"]
                )
                existing["contracts"]["tips"] = {
                    "address": receipt["contractAddress"],
                    "artifact": "Tips",
                }
                _write(deployment_file, existing)
            return existing
    operator = Account.from_key(operator_key).address

    def create(artifact: str, *args: Any) -> tuple[str, int]:
        receipt = deploy_contract(w3, operator_key, *_code(artifact), *args)
        address = receipt["contractAddress"]
        assert address is not None  # the receipt of a contract's creation names it
        return address, receipt["blockNumber"]

    token_implementation, deploy_block = create("CommunityToken")
    governor_implementation, _ = create("CommunityGovernor")
    factory_address, _ = create(
        "CommunityFactory", operator, token_implementation, governor_implementation
    )
    factory = contract_at(w3, "CommunityFactory", factory_address)
    for role in (factory.functions.OPERATOR_ROLE().call(), factory.functions.MINTER_ROLE().call()):
        send_transaction(w3, operator_key, factory.functions.grantRole(role, operator))
    tips_address, _ = create("Tips", factory_address)

    deployment: Deployment = {
        "chainId": w3.eth.chain_id,
        "rpcUrl": rpc_url,
        "deployBlock": deploy_block,
        "operator": operator,
        "solc": load_artifact("CommunityFactory")["compiler"]["version"],
        "contracts": {
            "factory": {"address": factory_address, "artifact": "CommunityFactory"},
            "registry": {
                "address": factory.functions.registry().call(),
                "artifact": "ModeratorRegistry",
            },
            "tokenImplementation": {"address": token_implementation, "artifact": "CommunityToken"},
            "governorImplementation": {
                "address": governor_implementation,
                "artifact": "CommunityGovernor",
            },
            "tips": {"address": tips_address, "artifact": "Tips"},
        },
    }
    _write(deployment_file, deployment)
    return deployment


def _code(artifact: str) -> tuple[Any, str]:
    built = load_artifact(artifact)
    return built["abi"], built["bytecode"]


def _write(deployment_file: Path, deployment: Deployment) -> None:
    deployment_file.parent.mkdir(parents=True, exist_ok=True)
    deployment_file.write_text(json.dumps(deployment, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m governance.deploy", description="Deploy the governance contracts."
    )
    parser.add_argument("--rpc-url", default=settings.chain_rpc_url or "http://127.0.0.1:8545")
    parser.add_argument("--deployment-file", type=Path, default=settings.deployment_file)
    args = parser.parse_args(argv)
    deployment = deploy(
        args.rpc_url, settings.operator_key or ANVIL_OPERATOR_KEY, args.deployment_file
    )
    print(json.dumps(deployment, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
