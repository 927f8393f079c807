"""The node stops and comes back mid-follow: the indexer waits, says so once, and carries on."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from agora.chain import connect
from agora.services import free_port
from agora.settings import ANVIL_OPERATOR_KEY, Settings
from governance.anvil import rpc_url, start_anvil, stop_anvil
from governance.deploy import deploy
from indexer import run
from tests.governance.driver import Governance
from tests.indexer.conftest import wait_for

pytestmark = pytest.mark.chain


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def anvil_dir(tmp_path: Path) -> Path:
    return tmp_path / "anvil"


@pytest.fixture
def chain_with_state(port: int, anvil_dir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """An anvil of this test alone, saving its state on stop; restarted by the test."""
    processes: list[subprocess.Popen[bytes]] = [start_anvil(port, anvil_dir)]
    yield processes
    for process in processes:
        stop_anvil(process)


async def test_the_node_stopped_and_restarted_mid_follow(
    caplog: pytest.LogCaptureFixture,
    settings: Settings,
    database_url: str,
    port: int,
    anvil_dir: Path,
    chain_with_state: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    mirror: asyncpg.Connection,
) -> None:
    # given: an indexer following a chain of its own
    url = rpc_url(port)
    deployment_file = tmp_path / "deployment.json"
    deployment = deploy(url, ANVIL_OPERATOR_KEY, deployment_file)
    gov = Governance(connect(url), deployment, ANVIL_OPERATOR_KEY)
    index_settings = dataclasses.replace(
        settings, chain_rpc_url=url, deployment_file=deployment_file, indexer_poll_seconds=0.05
    )
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, logger="agora.indexer")
    task = asyncio.create_task(run(index_settings, database_url, stop))

    async def indexed(name: str) -> bool:
        return bool(await mirror.fetchval("SELECT 1 FROM chain_communities WHERE name = $1", name))

    try:
        gov.create_community("before-the-outage")
        await wait_for(lambda: indexed("before-the-outage"), what="the first community")

        # when: the node stops for a while (its state saved), then comes back
        stop_anvil(chain_with_state[-1])
        await asyncio.sleep(1.5)
        chain_with_state.append(await asyncio.to_thread(start_anvil, port, anvil_dir))
        gov = Governance(connect(url), deployment, ANVIL_OPERATOR_KEY)
        gov.create_community("after-the-outage")

        # then: the indexer carries on, having said once that the node was gone and once back
        await wait_for(lambda: indexed("after-the-outage"), what="the second community")
        messages = [r.getMessage() for r in caplog.records if r.name == "agora.indexer"]
        assert len([m for m in messages if "unreachable" in m]) == 1, messages
        assert len([m for m in messages if "answers again" in m]) == 1, messages
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
