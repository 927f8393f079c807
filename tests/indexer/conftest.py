"""The indexer against a real anvil (the governance fixtures) and the test database.

`catch_up` runs the follower in this process until it has indexed the chain's head;
`start_indexer` runs `agora index` as a process of its own, for the tests that kill it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from web3 import Web3
from web3.types import RPCEndpoint

from agora.chain import send_transaction
from agora.settings import PROJECT_ROOT, Settings
from governance.deploy import Deployment
from governance.operator import POINT
from governance.proposals import Support
from indexer import repository
from indexer.follower import Follower
from indexer.node import Node
from tests.governance import conftest as governance_fixtures
from tests.governance.driver import Community, Governance
from tests.support.chain_state import GovernanceState, read_chain

# The anvil chain and deployed contracts of the governance tests (one per session).
chain_rpc_url = governance_fixtures.chain_rpc_url
operator_key = governance_fixtures.operator_key
deployment_file = governance_fixtures.deployment_file
deployment = governance_fixtures.deployment
w3 = governance_fixtures.w3
gov = governance_fixtures.gov

# Every table of the mirror: the tests compare them whole.
MIRROR_TABLES = (
    "chain_communities",
    "chain_moderator_events",
    "chain_proposals",
    "chain_proposal_events",
    "chain_votes",
    "chain_transfers",
    "chain_delegate_changes",
    "chain_delegate_votes",
    "chain_governor_settings",
    "chain_tips",
    "chain_undecodable_logs",
)


@pytest.fixture(scope="session")
def database_url(mirror_database_url: str) -> str:
    """Here, the database whose mirror these tests empty and fill (not the live server's)."""
    return mirror_database_url


@pytest.fixture
async def mirror(database_url: str, w3: Web3) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test database, the mirror emptied: each test's chain starts from the
    deployment again (the `w3` fixture reverts it after each test)."""
    conn = await asyncpg.connect(database_url)
    await repository.empty(conn)
    yield conn
    await conn.close()


@pytest.fixture
def index_settings(
    settings: Settings, chain_rpc_url: str, deployment_file: Path, deployment: Deployment
) -> Settings:
    return dataclasses.replace(
        settings,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
        indexer_finality_blocks=65,
        indexer_confirmations=0,
        indexer_poll_seconds=0.1,
    )


async def catch_up(
    database_url: str,
    rpc_url: str,
    deployment: Deployment,
    *,
    finality: int = 65,
    max_range: int = 10_000,
) -> int:
    """Indexes up to the chain's current head; returns the block indexed."""
    conn = await repository.connect(database_url)
    try:
        follower = Follower(
            conn,
            Node(rpc_url),
            deployment,
            finality=finality,
            confirmations=0,
            poll_seconds=0.1,
            max_range=max_range,
        )
        checkpoint = await follower.start()
        advanced = True
        while advanced:
            checkpoint, advanced = await follower.step(checkpoint)
        return checkpoint.block_number
    finally:
        await conn.close()


async def mirror_dump(conn: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every mirror table and of the derived views, in a stable order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for table in (
        *MIRROR_TABLES,
        "chain_moderators",
        "chain_token_balances",
        "chain_delegations",
        "chain_voting_power",
        "chain_governor_current_settings",
        "chain_proposal_states",
    ):
        rows = await conn.fetch(f"SELECT * FROM {table}")
        dump[table] = sorted(tuple(row.values()) for row in rows)
    return dump


def indexer_env(
    settings: Settings, database_url: str, redis_url: str, **extra: str
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHAIN_RPC_URL": settings.chain_rpc_url or "",
        "AGORA_DEPLOYMENT_FILE": str(settings.deployment_file),
        "INDEXER_POLL_SECONDS": str(settings.indexer_poll_seconds),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_indexer(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """`agora index` in a process of its own, logging to `log_path`."""
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", "index"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def wait_for(condition: Any, *, seconds: float = 30.0, what: str = "") -> Any:
    """Polls the async `condition()` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await condition()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.05)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; killed after it whatever happened."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


async def indexed_block(mirror: asyncpg.Connection) -> int:
    return await mirror.fetchval("SELECT block_number FROM chain_indexer_state") or 0


@dataclass
class History:
    """What a test knows of the chain it made: the universe the reference reads."""

    communities: list[Community]
    accounts: list[str]
    proposals: list[int]

    def chain_state(self, gov: Governance, block: int) -> GovernanceState:
        """What the contracts answer at `block` about this history."""
        return read_chain(
            gov.w3,
            gov.registry,
            communities=[c.id for c in self.communities],
            accounts=self.accounts,
            proposals=self.proposals,
            block=block,
        )


def make_history(gov: Governance) -> History:
    """About 1,900 blocks with some 180 events spread over them: points paid, delegated and
    transferred, an election and an impeachment executed, a proposal defeated and one still
    open."""
    communities = [gov.create_community() for _ in range(2)]
    members = gov.members(5)
    recipients = [member.address for member in members]
    for epoch in range(6):
        # Fixed gas limits: an estimate made within the second of earlier checkpoints falls short
        # when the block lands in the next second and writes fresh checkpoints (about 22,000 gas
        # per holder, more than agora.chain's margin covers for 5 holders).
        for community in communities:
            mint = community.token.functions.mintEpoch(
                epoch + 1, bytes(32), recipients, [(epoch + 1) * POINT] * len(recipients)
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
    first, second = communities
    # In the first community members[0] holds every vote: elect members[3], impeach the creator.
    gov.send(members[1], first.token.functions.transfer(members[2].address, 4 * POINT))
    elected = gov.pass_proposal(first, gov.election(first, members[3]), voter=members[0])
    impeached = gov.pass_proposal(first, gov.impeachment(first, first.creator), voter=members[0])
    # In the second, where each member votes with their own points (a first mint delegates to
    # oneself): a proposal defeated, then one left open.
    defeated_proposal = gov.election(second, members[4])
    defeated = gov.propose(second, defeated_proposal, by=members[1])
    gov.open_voting(second)
    for member, support in zip(members[1:4], Support, strict=True):  # against, for, abstain
        gov.vote(second, defeated, member, support)
    gov.close_voting(second)
    active = gov.propose(second, gov.election(second, members[2]), by=members[2])
    gov.open_voting(second)
    gov.vote(second, active, members[2], Support.FOR)
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(40)])
    return History(
        communities,
        [*recipients, *(c.creator.address for c in communities), gov.w3.eth.accounts[0]],
        [elected, impeached, defeated, active],
    )
