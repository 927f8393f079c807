"""`agora seed` on a first run leaves governance and the token economy alive: members with
points from a genesis grant the ledger accounts for, an executed, a defeated and an active
election, and a paid reward epoch with its distribution published; a second run adds nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from agora.chain import connect
from agora.services import free_port
from agora.settings import ANVIL_OPERATOR_KEY, Settings
from cli.demo import COMMUNITY, GENESIS_POINTS, members
from governance.anvil import rpc_url, start_anvil, stop_anvil
from governance.deploy import deploy
from governance.devchain import advance_time, keep_clock
from tests.support.graphql import Client
from tests.support.server import start_server

pytestmark = pytest.mark.chain

GOVERNANCE = """
query($n: String!) {
  community(name: $n) {
    governance {
      proposals(first: 10) {
        edges { node { state kind candidate { address } forVotes againstVotes } }
      }
    }
    rewardEpochs(first: 10) {
      edges { node { number status recipients distributed merkleRoot } }
    }
  }
}
"""

POINTS = """
query($a: String!, $n: String!) { user(address: $a) { points(community: $n) } }
"""


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An anvil of this test alone (the demo moves its clock) with the contracts deployed."""
    port = free_port()
    anvil = start_anvil(port, None)
    deployment_file = tmp_path / "deployment.json"
    deploy(rpc_url(port), ANVIL_OPERATOR_KEY, deployment_file)
    yield rpc_url(port), deployment_file
    stop_anvil(anvil)


def agora(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )


async def test_first_seed_shows_governance_and_a_paid_epoch(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain: tuple[str, Path],
) -> None:
    chain_rpc_url, deployment_file = chain
    env = os.environ | {
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": redis_url,
        "CHAIN_RPC_URL": chain_rpc_url,
        "AGORA_DEPLOYMENT_FILE": str(deployment_file),
        "SENDER_POLL_SECONDS": "0.1",
        "INDEXER_POLL_SECONDS": "0.1",
    }
    # when `agora seed` runs with no sender nor indexer running, twice
    first = agora(env, "seed")
    assert first.returncode == 0, first.stdout + first.stderr
    conn = await asyncpg.connect(fresh_database_url)
    try:
        ledger_before = await conn.fetch("SELECT id, amount FROM ledger_transfers ORDER BY id")
        second = agora(env, "seed")
        assert second.returncode == 0, second.stdout + second.stderr
        ledger_after = await conn.fetch("SELECT id, amount FROM ledger_transfers ORDER BY id")
        mints = await conn.fetchval(
            "SELECT count(*) FROM operator_transactions WHERE kind = 'mint_epoch'"
        )
        candidate = members()[1].address
        is_moderator = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM chain_moderators m JOIN chain_communities c"
            " ON c.community_id = m.community_id"
            " WHERE c.name = $1 AND m.account = decode(substr($2, 3), 'hex'))",
            COMMUNITY,
            candidate.lower(),
        )
        grants = await conn.fetchval(
            "SELECT count(*) FROM ledger_transfers WHERE kind = 'grant' AND epoch_number IS NULL"
        )
    finally:
        await conn.close()
    # then it said what it did, moving the chain's clock included, and started what it needed
    assert "starting one for the demo" in first.stdout
    assert "demo communities, posts, comments and votes are added" in first.stdout
    assert "demo data is there already" in second.stdout
    assert "genesis grant" in first.stdout
    assert "moved the chain's clock" in first.stdout
    assert "a reward epoch of governance is paid" in first.stdout
    # and the second run minted nothing more and proposed nothing more
    assert ledger_after == ledger_before
    assert "genesis grant" not in second.stdout and "proposed" not in second.stdout
    assert "moved the chain's clock" not in second.stdout
    assert grants == len(members())
    # the genesis mint and the reward epoch's mint
    assert mints == 2
    # and the elected candidate is a moderator in the chain's mirror
    assert is_moderator

    # then the forum shows it
    server = start_server(settings, database_url=fresh_database_url, redis_url=redis_url)
    try:
        async with httpx.AsyncClient() as http:
            client = Client(server.graphql_url, http)
            community = (await client.data(GOVERNANCE, {"n": COMMUNITY}))["community"]
            points = [
                (await client.data(POINTS, {"a": m.address, "n": COMMUNITY}))["user"]["points"]
                for m in members()
            ]
            epochs = [e["node"] for e in community["rewardEpochs"]["edges"]]
            paid = [e for e in epochs if e["status"] == "PAID"]
            assert paid
            published = await http.get(f"{server.url}/rewards/{COMMUNITY}/{paid[0]['number']}.csv")
    finally:
        server.stop()
    proposals = [e["node"] for e in community["governance"]["proposals"]["edges"]]
    assert sorted(p["state"] for p in proposals) == ["ACTIVE", "DEFEATED", "EXECUTED"]
    assert {p["kind"] for p in proposals} == {"ELECT_MODERATOR"}
    executed = next(p for p in proposals if p["state"] == "EXECUTED")
    assert executed["candidate"]["address"].lower() == candidate.lower()
    assert all(int(p) >= GENESIS_POINTS for p in points)
    assert paid[0]["recipients"] > 0 and int(paid[0]["distributed"]) > 0
    # and the paid epoch's distribution is published, with its root, its review ended at once
    assert "ended the review of reward epoch" in first.stdout
    assert paid[0]["merkleRoot"] and paid[0]["merkleRoot"] in first.stdout
    assert published.status_code == 200
    header, *rows = published.text.splitlines()
    assert header == "address,amount"
    assert len(rows) == paid[0]["recipients"]
    assert sum(int(row.split(",")[1]) for row in rows) == int(paid[0]["distributed"])

    # and the ledger's books balance and match the tokens' supply on-chain
    check = agora(env, "ledger", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "the on-chain totals match the tokens" in check.stderr


def test_a_chain_restarted_after_the_seed_keeps_its_moved_clock(tmp_path: Path) -> None:
    # given anvil with a saved state whose clock the demo moved five days ahead
    port = free_port()
    anvil = start_anvil(port, tmp_path)
    moved_to = advance_time(connect(rpc_url(port)), 5 * 86400)
    stop_anvil(anvil)
    # when it is started again from that state, as `agora up` does
    anvil = start_anvil(port, tmp_path)
    try:
        w3 = connect(rpc_url(port))
        ahead = keep_clock(w3)
        next_block = advance_time(w3, 0)
    finally:
        stop_anvil(anvil)
    # then time goes on from where the chain was, not from the wall clock behind it
    assert ahead > 4 * 86400
    assert next_block > moved_to


def test_without_a_chain_the_seed_adds_the_forum_and_says_what_to_run(
    fresh_database_url: str, redis_url: str, tmp_path: Path
) -> None:
    # given no deployment (no `agora up` ever ran here)
    env = os.environ | {
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": redis_url,
        "AGORA_DEPLOYMENT_FILE": str(tmp_path / "deployment.json"),
    }
    env.pop("CHAIN_RPC_URL", None)
    # when
    seeded = agora(env, "seed")
    # then the forum's part is there, and it says what to run for the rest
    assert "demo communities, posts, comments and votes are added" in seeded.stdout
    assert "governance demo not done" in seeded.stdout
    assert "start `agora up`" in seeded.stdout
    assert seeded.returncode == 1
