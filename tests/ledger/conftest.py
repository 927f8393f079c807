"""The ledger's tests run on the governance tests' anvil fixtures (a real chain, contracts
deployed once per session, each test between a snapshot and its revert)."""

from tests.governance.conftest import (  # noqa: F401  (fixtures, found by name)
    chain_rpc_url,
    deployment,
    deployment_file,
    gov,
    operator_key,
    w3,
)
