"""PostgreSQL drops the indexer's session mid-follow: it reconnects, says so once, takes the
indexer lock again before it writes anything, and carries on from its checkpoint."""

from __future__ import annotations

import asyncio
import random
import subprocess
from pathlib import Path

import asyncpg
import pytest

from agora.settings import Settings
from indexer.repository import LOCK_KEY
from tests.governance.driver import Governance
from tests.indexer.conftest import (
    indexed_block,
    indexer_env,
    make_history,
    start_indexer,
    wait_for,
)
from tests.support.chain_state import read_mirror

pytestmark = pytest.mark.chain

# The sessions `agora index` holds on this test's database (other databases' indexers untouched),
# ended as an administrator or a restart would end them; waits until they are gone.
TERMINATE_INDEXER_SESSIONS = """
SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))
  FROM pg_stat_activity
 WHERE datname = current_database() AND application_name = 'agora-indexer'
"""


async def test_its_postgresql_session_terminated_mid_follow_the_indexer_reconnects_and_resumes(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # given: `agora index` following the chain
    log_path = tmp_path / "indexer.log"
    indexer = start_indexer(indexer_env(index_settings, database_url, redis_url), log_path)
    processes.append(indexer)

    async def indexed(name: str) -> bool:
        return bool(await mirror.fetchval("SELECT 1 FROM chain_communities WHERE name = $1", name))

    def log_says(text: str) -> bool:
        return text in log_path.read_text()

    before = gov.create_community()
    await wait_for(lambda: indexed(before.name), what="the first community")

    # when: its session is terminated, and another session holds the indexer lock before it is
    # back (as a second indexer taking over would)
    assert await mirror.fetchval(TERMINATE_INDEXER_SESSIONS) == 1
    await mirror.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    during = gov.create_community()

    async def waits_for_the_lock() -> bool:
        return log_says("PostgreSQL is unreachable") and log_says("standing by to take over")

    await wait_for(waits_for_the_lock, what="the indexer to reconnect and wait for the lock")

    # then: it writes nothing without the lock
    assert not await indexed(during.name)

    # when: the lock is free again
    await mirror.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)

    # then: it takes the lock and indexes what happened meanwhile and what follows
    await wait_for(lambda: indexed(during.name), what="the community created meanwhile")
    after = gov.create_community()
    await wait_for(lambda: indexed(after.name), what="the community created after")
    log = log_path.read_text()
    assert log.count("PostgreSQL is unreachable") == 1, log
    assert log.count("PostgreSQL answers again") == 1, log
    assert log.count("this one takes over") == 1, log
    assert indexer.poll() is None


async def test_its_session_terminated_mid_backfill_the_mirror_still_equals_the_chain_state(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # given: a history to catch up on, 10 blocks per range (each its own transaction: small
    # enough that the indexer cannot reach the head before the third outage)
    history = make_history(gov)
    head = gov.w3.eth.block_number
    log_path = tmp_path / "indexer.log"
    env = indexer_env(index_settings, database_url, redis_url, INDEXER_MAX_LOG_RANGE="10")
    indexer = start_indexer(env, log_path)
    processes.append(indexer)

    # when: its session is terminated three times at random instants of the catch-up (inside a
    # range's transaction or between two, whichever it is in)
    rng = random.Random(10)
    for outage in range(3):
        start = await indexed_block(mirror)

        async def moved(start: int = start, outage: int = outage) -> bool:
            back = log_path.read_text().count("PostgreSQL answers again") == outage
            return back and await indexed_block(mirror) > start

        await wait_for(moved, what="the indexer to apply a range")
        await asyncio.sleep(rng.uniform(0.0, 0.1))
        assert await mirror.fetchval(TERMINATE_INDEXER_SESSIONS) == 1
        assert await indexed_block(mirror) < head

    async def caught_up() -> bool:
        return await indexed_block(mirror) >= head

    await wait_for(caught_up, what="the indexer to reach the head")

    # then: it came back each time, and the mirror's views equal what the contracts answer
    log = log_path.read_text()
    assert log.count("PostgreSQL is unreachable") == 3, log
    assert log.count("PostgreSQL answers again") == 3, log
    assert indexer.poll() is None
    assert await read_mirror(mirror) == history.chain_state(gov, head)
