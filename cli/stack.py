"""`agora up`: every part of the system on one machine, each found or started.

The database and cache come from `agora.services`; the chain is CHAIN_RPC_URL, or an anvil
already on 127.0.0.1:8545, or one started here (its state kept under the data folder); the
contracts are deployed once (the deployment file records them and is reused while the chain
still has them); the operator's sender (`agora send`) runs beside the API. Services started here
stop with it.
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
    from agora.chain import connect
    from governance.anvil import rpc_url, start_anvil, stop_anvil
    from governance.deploy import deploy
    from governance.devchain import keep_clock

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
        if process is not None:
            ahead = keep_clock(connect(url))
            if ahead:
                log.info(
                    "chain: its clock runs %d s ahead of the wall clock (moved by agora seed)",
                    ahead,
                )
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


def _environment(settings: Settings, database_url: str, redis_url: str) -> dict[str, str]:
    """What a service started here needs to find the same database, cache, chain and deployment."""
    return os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHAIN_RPC_URL": settings.chain_rpc_url or "",
        "AGORA_DATA_DIR": str(settings.data_dir),
        "AGORA_DEPLOYMENT_FILE": str(settings.deployment_file),
    }


@contextlib.contextmanager
def _services(commands: list[list[str]], env: dict[str, str]) -> Iterator[list[int]]:
    """`agora <command>` for each command, each in a process of its own (as in production: a
    crash of one is not a crash of the API), stopped on the way out; their pids."""
    processes = [subprocess.Popen([sys.executable, "-m", "cli", *c], env=env) for c in commands]
    try:
        yield [p.pid for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def sender(settings: Settings, database_url: str, redis_url: str) -> Iterator[None]:
    """`agora send`, the one sender of the operator's transactions."""
    env = _environment(settings, database_url, redis_url)
    with _services([["send"]], env) as (pid,):
        log.info("sender: agora send (pid %d)", pid)
        yield


@contextlib.contextmanager
def indexer(settings: Settings, database_url: str, redis_url: str) -> Iterator[None]:
    """`agora index`, which mirrors the chain into the database."""
    env = _environment(settings, database_url, redis_url)
    with _services([["index"]], env) as (pid,):
        log.info("indexer: started (pid %d)", pid)
        yield


@contextlib.contextmanager
def ledger(settings: Settings, database_url: str, redis_url: str) -> Iterator[None]:
    """The ledger's Celery worker and beat (`agora ledger worker|beat`)."""
    env = _environment(settings, database_url, redis_url)
    with _services([["ledger", "worker"], ["ledger", "beat"]], env) as pids:
        log.info("ledger: Celery worker (pid %d) and beat (pid %d)", *pids)
        yield
