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
    return True


@pytest.mark.chain
def test_up_serves_the_forum_on_a_chain_and_stops_the_chain_on_sigterm(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    if port_answers("127.0.0.1", LOCAL_CHAIN_PORT):
        pytest.skip(f"a chain already answers on :{LOCAL_CHAIN_PORT}, which `up` would reuse")
    port = free_port()
    env = os.environ | {
        "AGORA_PORT": str(port),
        "AGORA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen(
        [sys.executable, "-m", "cli", "up"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"

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
        # and the indexer follows that chain beside the API
        assert _wait_for(lambda: _indexed_block(database_url) is not None, 30)
        (indexer_pid,) = re.findall(
            r"indexer: started \(pid (\d+)\)", (tmp_path / "up.log").read_text()
        )
        # and when it is told to stop, it stops, and so do its chain and indexer
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=30) == 128 + signal.SIGTERM
        assert _wait_for(lambda: not port_answers("127.0.0.1", LOCAL_CHAIN_PORT), 10)
        assert not _alive(int(indexer_pid))
    finally:
        if up.poll() is None:  # a failed check: stop it the way that also stops its chain
            up.send_signal(signal.SIGINT)
            try:
                up.wait(timeout=30)
            except subprocess.TimeoutExpired:
                up.kill()
                up.wait()
        log.close()
