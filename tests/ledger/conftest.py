"""A real Celery worker process (`agora ledger worker`) on the test database and Redis; and the
governance tests' anvil fixtures (a real chain, contracts deployed once per session, each test
between a snapshot and its revert)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest

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
from tests.support.server import LiveServer


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
    **environment: str,
) -> Worker:
    """`agora ledger worker` (or `beat`), once it is ready."""
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
            + (["--concurrency", "2"] if role == "worker" else []),
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

    def start_one(queue: str = QUEUE, role: str = "worker", **environment: str) -> Worker:
        log = tmp_path / f"{role}{len(started)}.log"
        worker = start_worker(database_url, redis_url, log, queue, role, **environment)
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
