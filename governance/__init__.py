"""Agora's on-chain governance: community tokens, governors and the moderator registry.

The Solidity sources live in `contracts/`, their compiled ABIs and bytecode in `artifacts/`
(committed, rebuilt by `python -m governance.build`). This module holds what every other part of
Agora needs from them: the community id of a name and the artifacts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from eth_utils import keccak

from agora.chain import register_error_abis

GOVERNANCE_DIR = Path(__file__).resolve().parent
CONTRACTS_DIR = GOVERNANCE_DIR / "contracts"
ARTIFACTS_DIR = GOVERNANCE_DIR / "artifacts"
NODE_MODULES = GOVERNANCE_DIR / "node_modules"

# The contracts deployed by `governance.deploy`, by artifact name.
CONTRACT_NAMES = (
    "CommunityToken",
    "CommunityGovernor",
    "ModeratorRegistry",
    "CommunityFactory",
    "Tips",
)
# Every custom error of every compiled contract, OpenZeppelin's included (see `agora.chain`).
ERRORS_ARTIFACT = "errors"


def community_id(name: str) -> bytes:
    """The on-chain id of the community named `name`: keccak256 of its UTF-8 bytes.

    The same as `CommunityFactory.communityIdOf(name)` in Solidity.
    """
    return keccak(text=name)


@cache
def load_artifact(name: str) -> dict[str, Any]:
    """The compiled artifact `artifacts/<name>.json`: at least `abi` and `bytecode` (0x-hex)."""
    path = ARTIFACTS_DIR / f"{name}.json"
    artifact: dict[str, Any] = json.loads(path.read_text())
    return artifact


def all_abis() -> list[list[dict[str, Any]]]:
    """The ABIs of the deployed contracts and of every error they may revert with."""
    return [load_artifact(name)["abi"] for name in (*CONTRACT_NAMES, ERRORS_ARTIFACT)]


# Reverts sent through the shared chain client are named after these contracts' errors.
register_error_abis(all_abis)
