"""`agora index` as a process: killed at any instant it resumes exactly; one writer at a time."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import asyncpg
import pytest

from agora.settings import Settings
from governance.deploy import Deployment
from tests.governance.driver import Governance
from tests.indexer.conftest import (
    catch_up,
    indexed_block,
    indexer_env,
    make_history,
    mirror_dump,
    start_indexer,
    wait_for,
)
from tests.support.chain_state import read_mirror

pytestmark = pytest.mark.chain


async def test_killed_at_random_points_of_a_catch_up_the_mirror_equals_the_chain_state(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # given: a history to catch up on, taken 10 blocks per eth_getLogs (small enough that the
    # indexer cannot reach the head between two kills, however fast it has become)
    history = make_history(gov)
    head = gov.w3.eth.block_number
    env = indexer_env(index_settings, database_url, redis_url, INDEXER_MAX_LOG_RANGE="10")
    log_path = tmp_path / "indexer.log"

    # when: `agora index` is killed (SIGKILL) three times mid-way, then left to finish
    rng = random.Random(9)
    killed_at: list[int] = []
    for _ in range(3):
        start = await indexed_block(mirror)
        process = start_indexer(env, log_path)
        processes.append(process)

        async def moved(start: int = start) -> bool:
            return await indexed_block(mirror) > start

        await wait_for(moved, what="the indexer to apply a range")
        await asyncio.sleep(rng.uniform(0.0, 0.1))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        killed_at.append(await indexed_block(mirror))
    processes.append(start_indexer(env, log_path))

    async def caught_up() -> bool:
        return await indexed_block(mirror) >= head

    await wait_for(caught_up, what="the indexer to reach the head")
    processes[-1].kill()

    # then: it was killed before the end each time, and the mirror's views equal what the
    # contracts answer at the head
    assert all(block < head for block in killed_at), (killed_at, head)
    on_chain = history.chain_state(gov, head)
    assert sorted(t.state for t in on_chain.proposals.values()) == [
        "ACTIVE",
        "DEFEATED",
        "EXECUTED",
        "EXECUTED",
    ]
    # 5 holders in each community, each delegating (a first mint delegates to oneself)
    assert len(on_chain.balances) == len(on_chain.delegations) == 10
    assert await read_mirror(mirror) == on_chain

    # and its raw tables equal a clean index's: nothing applied twice, nothing lost
    resumed = await mirror_dump(mirror)
    await mirror.execute("DELETE FROM chain_indexer_state")
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await mirror_dump(mirror) == resumed


async def test_a_second_indexer_stands_by_and_takes_over_within_seconds_when_the_first_is_killed(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # given: an indexer at the head
    env = indexer_env(index_settings, database_url, redis_url)
    first = start_indexer(env, tmp_path / "first.log")
    processes.append(first)
    head = gov.w3.eth.block_number

    async def at(block: int) -> bool:
        return await indexed_block(mirror) >= block

    await wait_for(lambda: at(head), what="the first indexer")

    # when: a second starts
    second_log = tmp_path / "second.log"
    second = start_indexer(env, second_log)
    processes.append(second)

    # then: it stands by, and says so
    async def says(text: str) -> bool:
        return text in second_log.read_text()

    await wait_for(lambda: says("standing by to take over"), what="the second indexer's log")

    # when: the first is killed (SIGKILL: its lock goes with its connection), and the chain
    # moves on
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    await wait_for(lambda: says("this one takes over"), what="the second indexer to take over")
    took_over = time.monotonic() - killed
    community = gov.create_community()

    # then: the second took over within seconds, and indexes what follows
    assert took_over < 5, second_log.read_text()
    await wait_for(lambda: at(gov.w3.eth.block_number), what="the second indexer")
    assert (
        await mirror.fetchval(
            "SELECT name FROM chain_communities WHERE community_id = $1", community.id
        )
        == community.name
    )
    assert second.poll() is None
    log = second_log.read_text()
    assert log.count("standing by") == 1 and log.count("takes over") == 1, log

    # and nothing was indexed twice or lost: the mirror's raw tables equal a clean index's
    indexed = await mirror_dump(mirror)
    second.kill()
    second.wait()
    await mirror.execute("DELETE FROM chain_indexer_state")
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await mirror_dump(mirror) == indexed
