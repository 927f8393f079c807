"""`agora up`: every part of the system on one machine, each found or started.

The database and cache come from `agora.services`; the chain is CHAIN_RPC_URL, or an anvil
already on 127.0.0.1:8545, or one started here (its state kept under the data folder); the
contracts are deployed once (the deployment file records them and is reused while the chain
still has them). Services started here stop with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

from agora.services import port_answers
from agora.settings import ANVIL_OPERATOR_KEY, Settings

log = logging.getLogger("agora")

LOCAL_CHAIN_PORT = 8545


@contextlib.contextmanager
def chain(settings: Settings) -> Iterator[Settings]:
    """Settings whose `chain_rpc_url` answers and whose deployment file is current."""
    from governance.anvil import rpc_url, start_anvil, stop_anvil
    from governance.deploy import deploy

    process: subprocess.Popen[bytes] | None = None
    if settings.chain_rpc_url:
        url, source = settings.chain_rpc_url, "environment"
    elif port_answers("127.0.0.1", LOCAL_CHAIN_PORT):
        url, source = rpc_url(LOCAL_CHAIN_PORT), "local"
    else:
        process = start_anvil(LOCAL_CHAIN_PORT, settings.data_dir / "anvil")
        url, source = rpc_url(LOCAL_CHAIN_PORT), "anvil started here"
    log.info("chain: %s (%s)", url, source)
    try:
        operator_key = settings.operator_key or ANVIL_OPERATOR_KEY
        deployment = deploy(url, operator_key, settings.deployment_file)
        log.info(
            "contracts: factory %s, registry %s (deployment file %s)",
            deployment["contracts"]["factory"]["address"],
            deployment["contracts"]["registry"]["address"],
            settings.deployment_file,
        )
        yield dataclasses.replace(settings, chain_rpc_url=url)
    finally:
        if process is not None:
            stop_anvil(process)


@contextlib.contextmanager
def indexer(settings: Settings, database_url: str) -> Iterator[None]:
    """`agora index` beside the API, in a process of its own (its loop and its database
    connection apart from the API's), stopped with the stack."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHAIN_RPC_URL": settings.chain_rpc_url or "",
        "AGORA_DATA_DIR": str(settings.data_dir),
        "AGORA_DEPLOYMENT_FILE": str(settings.deployment_file),
    }
    process = subprocess.Popen([sys.executable, "-m", "cli", "index"], env=env)
    log.info("indexer: started (pid %d)", process.pid)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
