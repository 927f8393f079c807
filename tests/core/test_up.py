"""`agora up`, the README's first command: it all runs, and stopping it stops what it started."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from agora.services import free_port, port_answers
from cli.stack import LOCAL_CHAIN_PORT
from governance.anvil import rpc_url as anvil_rpc_url
from governance.anvil import start_anvil, stop_anvil


def _wait_for(check, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _indexed_block(database_url: str) -> int | None:
    async def read() -> int | None:
        conn = await asyncpg.connect(database_url)
        try:
            block: int | None = await conn.fetchval("SELECT block_number FROM chain_indexer_state")
            return block
        finally:
            await conn.close()

    return asyncio.run(read())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a child `up` has not waited for yet is a zombie: it stopped all the same
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except FileNotFoundError:
        return False


def _stop(up: subprocess.Popen[bytes]) -> None:
    """After a failed check: stops `up` the way that also stops its chain and services."""
    if up.poll() is None:
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=30)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()


@pytest.mark.chain
def test_up_serves_the_forum_on_every_core_and_a_chain_and_stops_on_ctrl_c(
    tmp_path: Path, fresh_database_url: str, redis_url: str
) -> None:
    if port_answers("127.0.0.1", LOCAL_CHAIN_PORT):
        pytest.skip(f"a chain already answers on :{LOCAL_CHAIN_PORT}, which `up` would reuse")
    port = free_port()
    env = os.environ | {
        "AGORA_PORT": str(port),
        "AGORA_DATA_DIR": str(tmp_path),
        # Its own database: the sender it starts sends every intent it finds.
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": redis_url,
    }
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen(
        [sys.executable, "-m", "cli", "up"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own, as in a terminal
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def read_log() -> str:
            return (tmp_path / "up.log").read_text()

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=2).json() == {"ok": True}
            except httpx.HTTPError:
                return False

        # when it is up
        assert _wait_for(healthy, 90), (tmp_path / "up.log").read_text()
        # then the API answers, on a chain it started, with the contracts deployed
        query = "{ communities(first: 1) { pageInfo { hasNextPage } } }"
        answer = httpx.post(f"{base}/graphql", json={"query": query}).json()
        assert "errors" not in answer and "communities" in answer["data"]
        assert port_answers("127.0.0.1", LOCAL_CHAIN_PORT)
        assert (tmp_path / "deployment.json").exists()
        # and the operator's sender runs beside the API
        assert _wait_for(lambda: "sending the transactions of the operator" in read_log(), 30)
        sender_pid = int(read_log().split("sender: agora send (pid ")[1].split(")")[0])
        # and the ledger's Celery worker and beat run beside it
        ledger = [
            int(pid)
            for pid in re.findall(r"ledger (?:worker|beat): agora .* \(pid (\d+)\)", read_log())
        ]
        assert len(ledger) == 2, read_log()
        assert all(_alive(pid) for pid in ledger)
        # and the indexer follows that chain beside the API
        assert _wait_for(lambda: _indexed_block(fresh_database_url) is not None, 30)
        (indexer_pid,) = re.findall(r"indexer: agora index \(pid (\d+)\)", read_log())
        # and the API runs on every core: a worker process per core (AGORA_WORKERS' default)
        cores = os.cpu_count() or 1

        def workers() -> list[int]:
            return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", read_log())]

        assert _wait_for(lambda: len(workers()) == cores, 60), read_log()
        # and when Ctrl-C is pressed (SIGINT to the whole process group, as a terminal sends
        # it), it stops, and so do its API workers, chain, sender, indexer and ledger
        os.killpg(up.pid, signal.SIGINT)
        assert up.wait(timeout=60) == 0, read_log()
        assert _wait_for(lambda: not port_answers("127.0.0.1", LOCAL_CHAIN_PORT), 10)
        assert not any(_alive(pid) for pid in workers())
        assert not _alive(sender_pid)
        assert not _alive(int(indexer_pid))
        assert not any(_alive(pid) for pid in ledger)
    finally:
        _stop(up)
        log.close()


LAG = "{ indexer { indexedBlock lagBlocks chainHead } }"


@pytest.mark.chain
def test_up_restarts_a_killed_indexer_with_a_back_off_and_reports_the_lag_meanwhile(
    tmp_path: Path, fresh_database_url: str, redis_url: str
) -> None:
    # given `agora up` on a chain of its own (CHAIN_RPC_URL), its indexer at the chain's head
    chain_port = free_port()
    anvil = start_anvil(chain_port, None)
    chain_url = anvil_rpc_url(chain_port)
    port = free_port()
    env = os.environ | {
        "AGORA_PORT": str(port),
        "AGORA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": redis_url,
        "CHAIN_RPC_URL": chain_url,
        "INDEXER_POLL_SECONDS": "0.2",
    }
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen(
        [sys.executable, "-m", "cli", "up"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"

    def read_log() -> str:
        return (tmp_path / "up.log").read_text()

    def status() -> dict[str, int]:
        # GET: answered for this request alone, never a shared answer a moment old
        answer = httpx.get(f"{base}/graphql", params={"query": LAG}, timeout=10).json()
        indexer: dict[str, int] = answer["data"]["indexer"]
        return indexer

    def caught_up() -> bool:
        try:
            return status()["lagBlocks"] == 0
        except (httpx.HTTPError, TypeError, KeyError, ValueError):
            return False

    def mine(blocks: int) -> None:
        httpx.post(
            chain_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": [hex(blocks)]},
        )

    try:
        assert _wait_for(caught_up, 120), read_log()
        (first,) = re.findall(r"indexer: agora index \(pid (\d+)\)", read_log())

        # when the indexer is killed
        os.kill(int(first), signal.SIGKILL)
        # then `up` says so and starts it again a second later
        assert _wait_for(lambda: "indexer: restarted (pid" in read_log(), 30), read_log()
        assert "indexer exited with code -9; restarting in 1 s" in read_log()
        (second,) = re.findall(r"indexer: restarted \(pid (\d+)\)", read_log())
        assert _alive(int(second)) and second != first

        # when it is killed again at once, and the chain moves on meanwhile
        os.kill(int(second), signal.SIGKILL)
        assert _wait_for(lambda: "restarting in 2 s" in read_log(), 10), read_log()
        mine(20)
        # then the API reports the mirror 20 blocks behind the chain's head, while it is down
        assert _wait_for(lambda: status()["lagBlocks"] >= 20, 10), (status(), read_log())
        # and the indexer, started again after a longer wait, catches up
        assert _wait_for(lambda: read_log().count("indexer: restarted (pid") == 2, 30)
        assert _wait_for(caught_up, 60), (status(), read_log())
        third = re.findall(r"indexer: restarted \(pid (\d+)\)", read_log())[-1]

        # and stopping `up` stops the indexer it started last
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=60) == 128 + signal.SIGTERM
        assert not _alive(int(third))
    finally:
        _stop(up)
        log.close()
        stop_anvil(anvil)
