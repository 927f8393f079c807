"""`agora up`: every part of the system on one machine, each found or started.

The database and cache come from `agora.services`; the chain is CHAIN_RPC_URL, or an anvil
already on 127.0.0.1:8545, or one started here (its state kept under the data folder); the
contracts are deployed once (the deployment file records them and is reused while the chain
still has them); the operator's sender (`agora send`) runs beside the API. A service that exits
is started again (with a back-off, logged); services started here stop with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import subprocess
import sys
import threading
import time
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


# A service that exits is started again after RESTART_FIRST_SECONDS, doubled at each exit in a
# row up to RESTART_MAX_SECONDS; back to the first delay once it ran RESTART_RESET_SECONDS.
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
RESTART_RESET_SECONDS = 60.0


@dataclasses.dataclass
class _Service:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes]
    started_at: float
    delay: float = RESTART_FIRST_SECONDS


class _Supervisor:
    """The services' processes, each started again when it exits (nothing of the stack is left
    dead: an indexer that died would leave the mirror behind for good), until `stop`."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]) -> None:
        self._env = env
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.services = [
            _Service(name, command, self._start(command), time.monotonic())
            for name, command in commands.items()
        ]
        self._watchers = [
            threading.Thread(
                target=self._watch, args=(service,), name=f"watch {service.name}", daemon=True
            )
            for service in self.services
        ]
        for watcher in self._watchers:
            watcher.start()

    def _start(self, command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "cli", *command], env=self._env)

    def _watch(self, service: _Service) -> None:
        while True:
            code = service.process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - service.started_at >= RESTART_RESET_SECONDS:
                service.delay = RESTART_FIRST_SECONDS
            log.warning(
                "%s exited with code %d; restarting in %.0f s", service.name, code, service.delay
            )
            if self._stopping.wait(service.delay):
                return
            with self._lock:  # not started again once `stop` has begun
                if self._stopping.is_set():
                    return
                service.process = self._start(service.command)
                service.started_at = time.monotonic()
            log.info("%s: restarted (pid %d)", service.name, service.process.pid)
            service.delay = min(service.delay * 2, RESTART_MAX_SECONDS)

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
        processes = [service.process for service in self.services]
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for watcher in self._watchers:
            watcher.join()


# The services `agora up` runs beside the API, each `agora <command>` in a process of its own.
SENDER = {"sender": ["send"]}  # the one sender of the operator's transactions
INDEXER = {"indexer": ["index"]}  # mirrors the chain into the database
LEDGER = {"ledger worker": ["ledger", "worker"], "ledger beat": ["ledger", "beat"]}  # Celery


@contextlib.contextmanager
def services(
    settings: Settings, database_url: str, redis_url: str, commands: dict[str, list[str]]
) -> Iterator[None]:
    """`agora <command>` for each named command, each in a process of its own (as in
    production: a crash of one is not a crash of the API) on the same database, cache, chain and
    deployment, started again when it exits (with a back-off, logged) and stopped on the way
    out."""
    supervisor = _Supervisor(commands, _environment(settings, database_url, redis_url))
    try:
        for service in supervisor.services:
            log.info(
                "%s: agora %s (pid %d)",
                service.name,
                " ".join(service.command),
                service.process.pid,
            )
        yield
    finally:
        supervisor.stop()
