"""The live server's chain: an anvil of its own, the contracts deployed, and the operator's
sender (`agora send`) and the indexer (`agora index`) attached to the test database, each a
process of its own as `agora up` runs them.

The governance and indexer tests have another anvil, which they snapshot and revert around
each test; nothing they do reaches this chain or its mirror.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from agora.chain import connect
from agora.services import free_port
from agora.settings import ANVIL_OPERATOR_KEY, PROJECT_ROOT, Settings
from governance.anvil import rpc_url, start_anvil, stop_anvil
from governance.deploy import Deployment, deploy, load_deployment
from governance.operator import create_community_onchain

# Short waits: a community is confirmed, and its creator a moderator, a few tenths of a second
# after it is created.
POLL_SECONDS = "0.1"


@dataclass
class LiveChain:
    rpc_url: str
    deployment_file: Path
    deployment: Deployment
    operator_key: str
    anvil: subprocess.Popen[bytes]
    logs: Path

    def stop(self) -> None:
        stop_anvil(self.anvil)


def start_chain(directory: Path) -> LiveChain:
    """An anvil on a free port with the contracts deployed; `directory` keeps the deployment
    file and the processes' logs."""
    port = free_port()
    anvil = start_anvil(port, None)
    url = rpc_url(port)
    deployment_file = directory / "deployment.json"
    try:
        deployment = deploy(url, ANVIL_OPERATOR_KEY, deployment_file)
    except BaseException:
        stop_anvil(anvil)
        raise
    return LiveChain(url, deployment_file, deployment, ANVIL_OPERATOR_KEY, anvil, directory)


# The services of this session's live server, for the failure messages of tests waiting on them.
running: list[ChainServices] = []


def report() -> str:
    return "\n".join(services.problems() for services in running) or "(no chain services run)"


class ChainServices:
    """`agora send` and `agora index` (or only the `commands` given) on `database_url`, for the
    chain at `rpc_url` with the contracts of `deployment_file`; each logs to
    `logs/<command>.log`."""

    def __init__(
        self,
        *,
        rpc_url: str,
        deployment_file: Path,
        database_url: str,
        redis_url: str,
        logs: Path,
        commands: tuple[str, ...] = ("send", "index"),
    ) -> None:
        self.logs = logs
        env = os.environ | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHAIN_RPC_URL": rpc_url,
            "AGORA_DEPLOYMENT_FILE": str(deployment_file),
            "OPERATOR_KEY": ANVIL_OPERATOR_KEY,
            "SENDER_POLL_SECONDS": POLL_SECONDS,
            "INDEXER_POLL_SECONDS": POLL_SECONDS,
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        for command in commands:
            with (logs / f"{command}.log").open("ab") as log:
                self.processes[command] = subprocess.Popen(
                    [sys.executable, "-m", "cli", command],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        running.append(self)

    @classmethod
    def on(
        cls,
        chain: LiveChain,
        *,
        database_url: str,
        redis_url: str,
        commands: tuple[str, ...] = ("send", "index"),
    ) -> ChainServices:
        return cls(
            rpc_url=chain.rpc_url,
            deployment_file=chain.deployment_file,
            database_url=database_url,
            redis_url=redis_url,
            logs=chain.logs,
            commands=commands,
        )

    def problems(self) -> str:
        """What a test that waited in vain should show: which process ended, and the logs."""
        lines = []
        for command, process in self.processes.items():
            code = process.poll()
            state = "running" if code is None else f"exited with {code}"
            log = (self.logs / f"{command}.log").read_text(errors="replace")
            lines.append(f"agora {command} ({state}), last lines of its log:\n{log[-2000:]}")
        return "\n".join(lines)

    def stop(self) -> None:
        running.remove(self)
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def create_onchain(settings: Settings, name: str, creator: str) -> None:
    """Creates the community `name` on the chain of a server's `settings`, with `creator` as its
    first moderator: what the operator's sender does, for a server no sender runs for."""
    assert settings.chain_rpc_url
    create_community_onchain(
        connect(settings.chain_rpc_url),
        load_deployment(settings.deployment_file),
        ANVIL_OPERATOR_KEY,
        name,
        creator,
    )
