"""`agora index` as a process: killed at any instant it resumes exactly; one writer at a time."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
from pathlib import Path

import asyncpg
import pytest
from web3.types import RPCEndpoint

from agora.chain import send_transaction
from agora.settings import Settings
from governance.deploy import Deployment
from governance.operator import POINT
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up, indexer_env, mirror_dump, start_indexer, wait_for

pytestmark = pytest.mark.chain


async def _indexed_block(mirror: asyncpg.Connection) -> int:
    return await mirror.fetchval("SELECT block_number FROM chain_indexer_state") or 0


def _make_history(gov: Governance) -> None:
    """About 1,850 blocks with some 150 events spread over them."""
    communities = [gov.create_community() for _ in range(2)]
    members = gov.members(5)
    recipients = [member.address for member in members]
    for epoch in range(6):
        # Fixed gas limits: an estimate made within the second of earlier checkpoints falls short
        # when the block lands in the next second and writes fresh checkpoints (about 22,000 gas
        # per holder, more than agora.chain's margin covers for 5 holders).
        for community in communities:
            mint = community.token.functions.mintEpoch(
                epoch + 1, recipients, [(epoch + 1) * POINT] * len(recipients)
            )
            send_transaction(gov.w3, gov.operator_key, mint, gas=1_000_000)
        delegator = members[epoch % 5]
        send_transaction(
            gov.w3,
            delegator.key.to_0x_hex(),
            communities[0].token.functions.delegate(members[0].address),
            gas=300_000,
        )
        gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(300)])


async def test_killed_at_random_points_of_a_catch_up_the_mirror_equals_a_clean_index(
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
    # given: a history to catch up on, taken 40 blocks per eth_getLogs
    _make_history(gov)
    head = gov.w3.eth.block_number
    env = indexer_env(index_settings, database_url, redis_url, INDEXER_MAX_LOG_RANGE="40")
    log_path = tmp_path / "indexer.log"

    # when: `agora index` is killed (SIGKILL) three times mid-way, then left to finish
    rng = random.Random(9)
    killed_at: list[int] = []
    for _ in range(3):
        start = await _indexed_block(mirror)
        process = start_indexer(env, log_path)
        processes.append(process)

        async def moved(start: int = start) -> bool:
            return await _indexed_block(mirror) > start

        await wait_for(moved, what="the indexer to apply a range")
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        killed_at.append(await _indexed_block(mirror))
    processes.append(start_indexer(env, log_path))

    async def caught_up() -> bool:
        return await _indexed_block(mirror) >= head

    await wait_for(caught_up, what="the indexer to reach the head")
    processes[-1].kill()

    # then: it was killed before the end each time, and resumed to exactly a clean index
    assert all(block < head for block in killed_at), (killed_at, head)
    resumed = await mirror_dump(mirror)
    assert sum(len(rows) for rows in resumed.values()) > 100
    await mirror.execute("DELETE FROM chain_indexer_state")
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await mirror_dump(mirror) == resumed


async def test_a_second_indexer_waits_for_the_first_and_takes_over_when_it_dies(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # given: an indexer at the head
    env = indexer_env(index_settings, database_url, redis_url)
    first = start_indexer(env, tmp_path / "first.log")
    processes.append(first)
    head = gov.w3.eth.block_number

    async def at(block: int) -> bool:
        return await _indexed_block(mirror) >= block

    await wait_for(lambda: at(head), what="the first indexer")

    # when: a second starts
    second_log = tmp_path / "second.log"
    second = start_indexer(env, second_log)
    processes.append(second)

    # then: it waits, and says so
    async def says_it_waits() -> bool:
        return "another `agora index` holds the indexer lock" in second_log.read_text()

    await wait_for(says_it_waits, what="the second indexer's log")

    # when: the first dies, and the chain moves on
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    community = gov.create_community()

    # then: the second takes over and indexes it
    await wait_for(lambda: at(gov.w3.eth.block_number), what="the second indexer")
    assert "indexer lock acquired" in second_log.read_text()
    assert (
        await mirror.fetchval(
            "SELECT name FROM chain_communities WHERE community_id = $1", community.id
        )
        == community.name
    )
    assert second.poll() is None
