"""A real Celery worker process (`agora ledger worker`) on the test database and Redis; a whole
forum on the chain (sender, indexer, API) on a database of the test's own; and the governance
tests' anvil fixtures (a real chain, contracts deployed once per session, each test between a
snapshot and its revert)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from web3 import Web3

from agora.settings import PROJECT_ROOT, Settings
from ledger.celery_app import CLOSE_DUE_EPOCHS, create_app
from tests.governance.conftest import (  # noqa: F401  (fixtures, found by name)
    chain_rpc_url,
    deployment,
    deployment_file,
    gov,
    operator_key,
    w3,
)
from tests.support.chain import ChainServices
from tests.support.graphql import Client
from tests.support.sender import SenderProcess
from tests.support.server import LiveServer, start_server


@pytest.fixture(scope="session")
def database_url(no_sender_database_url: str) -> str:
    """These tests play the operator's sender by hand (intents marked sent and mined): their
    forum is one no sender runs on (`no_sender_server`), not the live server with its chain."""
    return no_sender_database_url


@pytest.fixture(scope="session")
def live_server(no_sender_server: LiveServer) -> LiveServer:
    return no_sender_server


# This session's own queue: another session's worker on the same Redis never takes its tasks.
QUEUE = f"agora-ledger-test-{os.getpid()}"

# The economy the tests' numbers assume: 1000 tokens an epoch, no decay, an item may take half
# of it and an author 60%, votes of accounts younger than an hour do not count. Epochs are long:
# the tests end them with the operator's lever (`until`), so votes never straddle a boundary; a
# close waits one second after the end for votes still committing (not 15: tests wait for it).
ECONOMY = {
    "REWARD_CLOSE_GRACE_SECONDS": "1",
    "REWARD_EMISSION": "1000",
    "REWARD_DECAY_EPOCHS": "0",
    "REWARD_MAX_ITEM_SHARE": "0.5",
    "REWARD_MAX_AUTHOR_SHARE": "0.6",
    "REWARD_MIN_ACCOUNT_AGE_SECONDS": "3600",
    "REWARD_EPOCH_SECONDS": "86400",
    # No review window unless a test opens one: an epoch mints as it closes.
    "REWARD_REVIEW_SECONDS": "0",
}


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes: no clean-up, no acknowledgement."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def results(self, task_id: str, timeout: float = 30) -> str:
        """What the task returned, once this worker logged its success."""
        pattern = re.compile(rf"\[{re.escape(task_id)}\] succeeded in [0-9.e-]+s: (.*)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.search(self.text())
            if found:
                return found.group(1).strip()
            time.sleep(0.1)
        raise AssertionError(f"task {task_id} did not succeed:\n{self.text()[-3000:]}")


def start_worker(
    database_url: str,
    redis_url: str,
    log: Path,
    queue: str = QUEUE,
    role: str = "worker",
    log_tasks: bool = True,
    **environment: str,
) -> Worker:
    """`agora ledger worker` (or `beat`), once it is ready; a worker logs each task's result (which
    `Worker.results` reads) unless not `log_tasks`, as an operator runs it."""
    env = {
        **os.environ,
        **ECONOMY,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LEDGER_QUEUE": queue,
        **environment,
    }
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "ledger", role]
            + (["--concurrency", "2"] if role == "worker" else [])
            + (["--log-tasks"] if role == "worker" and log_tasks else []),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log)
    deadline = time.monotonic() + 60
    while (" ready." if role == "worker" else "beat: Starting") not in worker.text():
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            raise AssertionError(f"the worker did not start:\n{worker.text()[-3000:]}")
        time.sleep(0.1)
    return worker


@pytest.fixture(scope="module")
def worker(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    started = start_worker(database_url, redis_url, tmp_path_factory.mktemp("worker") / "log")
    yield started
    started.stop()


@pytest.fixture
def start(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts workers of the test's own (stopped, if still running, when it ends)."""
    started: list[Worker] = []

    def start_one(
        queue: str = QUEUE, role: str = "worker", log_tasks: bool = True, **environment: str
    ) -> Worker:
        log = tmp_path / f"{role}{len(started)}.log"
        worker = start_worker(database_url, redis_url, log, queue, role, log_tasks, **environment)
        started.append(worker)
        return worker

    yield start_one
    for worker in started:
        worker.stop()


@pytest.fixture(scope="module")
def send(settings: Settings, database_url: str, redis_url: str) -> Iterator[Callable[..., str]]:
    """Sends a ledger task (`close_due_epochs` unless told) through the broker, as beat would;
    the task's id."""
    app = create_app(
        replace(settings, database_url=database_url, redis_url=redis_url, ledger_queue=QUEUE)
    )

    def send_task(queue: str = QUEUE, task: str = CLOSE_DUE_EPOCHS, **kwargs: Any) -> str:
        return str(app.send_task(task, kwargs=kwargs, queue=queue).id)

    yield send_task
    app.close()


def ledger_command(
    database_url: str, *args: str, **environment: str
) -> subprocess.CompletedProcess[str]:
    """`agora ledger <args>` run to its end on `database_url`, in the tests' economy."""
    return subprocess.run(
        [sys.executable, "-m", "cli", "ledger", *args],
        cwd=PROJECT_ROOT,
        env=os.environ | ECONOMY | {"DATABASE_URL": database_url, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def mint_mined(db: asyncpg.Connection, community_id: int, chain_epoch: int = 1000) -> None:
    """Records a mint (epoch 1's unless told) mined, as the operator's sender would once it saw it
    so."""
    await db.execute(
        """UPDATE operator_transactions SET status = 'mined', tx_hash = '\\x01', block_number = 7
            WHERE dedupe_key = $1""",
        f"mint_epoch:{community_id}:{chain_epoch}",
    )


CHAIN_STATUS = "query($n: String!) { community(name: $n) { chain { status } } }"


@dataclass
class ForumOnChain:
    """The forum's processes on a database of the test's own: the operator's sender, the indexer,
    the API, and the ledger's workers and beats the test starts (`ledger`)."""

    database_url: str
    redis_url: str
    start_sender: Callable[[], SenderProcess]
    server: LiveServer
    logs: Path
    started: list[Worker] = field(default_factory=list)
    sender: SenderProcess = field(init=False)

    def __post_init__(self) -> None:
        self.sender = self.start_sender()

    def stop_sender(self) -> None:
        self.sender.stop()

    def restart_sender(self) -> None:
        """A new `agora send` in place of the one running (stopped first), logging to its log."""
        self.sender.stop()
        self.sender = self.start_sender()

    def ledger(self, queue: str, role: str = "worker", **environment: str) -> Worker:
        """`agora ledger worker` (or `beat`) on `queue`, stopped with the forum."""
        log = self.logs / f"{role}{len(self.started)}.log"
        worker = start_worker(self.database_url, self.redis_url, log, queue, role, **environment)
        self.started.append(worker)
        return worker

    def stop_ledger(self) -> None:
        for worker in self.started:
            worker.stop()

    async def on_chain(self, client: Client, name: str) -> None:
        """Waits until community `name`, created through `client`, is confirmed on-chain."""

        async def confirmed() -> bool:
            chain = (await client.data(CHAIN_STATUS, {"n": name}))["community"]["chain"]
            return bool(chain["status"] == "CONFIRMED")

        assert await eventually(confirmed, within=30), f"c/{name} on-chain:\n{self.sender.log()}"


@pytest.fixture
def forum_on_chain(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    # (the governance fixtures imported above, by name)
    chain_rpc_url: str,  # noqa: F811
    deployment_file: Path,  # noqa: F811
    w3: Web3,  # noqa: F811  (the chain goes back to its snapshot after the processes are gone)
    tmp_path: Path,
) -> Iterator[Callable[..., ForumOnChain]]:
    """Starts the forum on the chain, its sender reaching the node at `sender_rpc_url` (the
    chain's own unless told); everything it started is stopped when the test ends."""
    stops: list[Callable[[], None]] = []

    def start_forum(sender_rpc_url: str = chain_rpc_url) -> ForumOnChain:
        indexer = ChainServices(
            rpc_url=chain_rpc_url,
            deployment_file=deployment_file,
            database_url=fresh_database_url,
            redis_url=redis_url,
            logs=tmp_path,
            commands=("index",),
        )
        stops.append(indexer.stop)
        server = start_server(
            settings,
            database_url=fresh_database_url,
            redis_url=redis_url,
            listing_cache_seconds=0,
            write_rate_limit=1_000_000,
        )
        stops.append(server.stop)
        forum = ForumOnChain(
            fresh_database_url,
            redis_url,
            lambda: SenderProcess(
                tmp_path / "send.log",
                database_url=fresh_database_url,
                redis_url=redis_url,
                chain_rpc_url=sender_rpc_url,
                deployment_file=deployment_file,
            ),
            server,
            tmp_path,
        )
        stops.append(forum.stop_sender)
        stops.append(forum.stop_ledger)
        return forum

    yield start_forum
    for stop in reversed(stops):
        stop()


async def eventually(check: Callable[[], Any], within: float = 30) -> Any:
    """The first truthy result of the coroutine `check()`, polled for `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


async def kill_while_waiting_on(
    table: str,
    worker: Worker,
    db: asyncpg.Connection,
    database_url: str,
    send_task: Callable[[], str],
) -> str:
    """Holds `table` locked, sends a task (`send_task()`), SIGKILLs `worker` once the ledger waits
    on that lock, then lets go of it: the task's id, unacknowledged, for the broker to redeliver."""
    blocker = await asyncpg.connect(database_url)
    try:
        async with blocker.transaction():
            # Names of the test's own choosing (ledger tables), never input.
            await blocker.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            task = send_task()
            waiting = await eventually(
                # Not the blocker's: a transaction sees one snapshot of pg_stat_activity.
                lambda: db.fetchval(
                    """SELECT count(*) FROM pg_stat_activity
                        WHERE application_name = 'agora-ledger' AND wait_event_type = 'Lock'"""
                ),
                within=30,
            )
            assert waiting == 1, worker.text()[-3000:]
            worker.kill()
    finally:
        await blocker.close()
    return task
