"""PostgreSQL drops the indexer's session mid-follow: it reconnects, says so once, takes the
indexer lock again before it writes anything, and carries on from its checkpoint."""

from __future__ import annotations

import subprocess
from pathlib import Path

import asyncpg
import pytest

from agora.settings import Settings
from indexer.repository import LOCK_KEY
from tests.governance.driver import Governance
from tests.indexer.conftest import indexer_env, start_indexer, wait_for

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
        return log_says("PostgreSQL connection lost") and log_says(
            "another `agora index` holds the indexer lock"
        )

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
    assert log.count("PostgreSQL connection lost") == 1, log
    assert log.count("PostgreSQL answers again") == 1, log
    assert log.count("indexer lock acquired") == 1, log
    assert indexer.poll() is None
