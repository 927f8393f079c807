"""Issue 10's payout benchmark: 10,000 recipients paid on anvil, end to end.

A fresh anvil with the contracts deployed, a database of its own (`agora_bench_payout`), and the
real processes: `agora send` (the operator's sender) and `agora index` (the indexer), default
settings. One community, created as the API creates it (its intent in the outbox, sent by the
sender); 10,000 authors with one post each, each post up-voted once by an account old enough, in
the epoch's window.

Epoch 1: every author is a new holder. The clock starts when `ledger.epochs.close_due_epochs`
starts (scoring, split, books, the mint intents in batches of REWARD_MINT_BATCH_SIZE) and stops
when the mirror holds the 10,000 mints (the last batch indexed); on the way, when the close
committed and when the sender had every batch mined. Gas per recipient is the receipts' gasUsed
over the recipients (the contract's own figure for a new holder: 95,126).
Epoch 2: the same authors up-voted again and the epoch closed at once (the operator's lever,
`until`): every recipient is now an existing holder (the contract's figure: 41,532).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from agora.settings import PROJECT_ROOT, Settings
from agora.sql import load
from api.communities import repository as communities
from governance.deploy import deploy
from ledger import epochs
from tests.bench import chain, config
from tests.bench.indexer import fresh_database

log = logging.getLogger("bench.payout")

Q = load(__file__, "payout.sql")
DATABASE = "agora_bench_payout"
RECIPIENTS = 10_000
NEW_HOLDER_GAS = 95_126  # the contract's own figures (governance/gas_report.py)
EXISTING_HOLDER_GAS = 41_532
COMMUNITY = "payouts"


def _process(command: str, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", command],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _wait(conn: asyncpg.Connection, query: str, *args: Any, within: float = 600) -> float:
    """Polls `query` until it is true; the time.perf_counter() when it was."""
    deadline = time.monotonic() + within
    while not await conn.fetchval(query, *args):
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {query.splitlines()[0]}")
        await asyncio.sleep(0.05)
    return time.perf_counter()


async def _epoch(
    conn: asyncpg.Connection,
    rpc: chain.Rpc,
    settings: Settings,
    community_id: int,
    token: bytes,
    number: int,
    *,
    until: datetime | None,
) -> dict[str, Any]:
    minted_before = await conn.fetchval(Q.mirror_mints, token)
    started = time.perf_counter()
    closed = await epochs.close_due_epochs(conn, settings, until=until, community_id=community_id)
    closed_at = time.perf_counter()
    (epoch,) = [c for c in closed if c.number == number]
    batches = await conn.fetchval(Q.epoch_batches, community_id, number)
    mined_at = await _wait(conn, Q.epoch_mined, community_id, number)
    indexed_at = await _wait(conn, Q.mirror_has_mints, token, minted_before + epoch.recipients)
    gas = 0
    for tx_hash in await conn.fetch(Q.epoch_transactions, community_id, number):
        receipt = rpc.call("eth_getTransactionReceipt", ["0x" + bytes(tx_hash[0]).hex()])
        gas += int(receipt["gasUsed"], 16)
    return {
        "recipients": epoch.recipients,
        "batches": batches,
        "gas_total": gas,
        "gas_per_recipient": round(gas / epoch.recipients),
        "close_s": round(closed_at - started, 3),
        "mined_s": round(mined_at - started, 3),
        "indexed_s": round(indexed_at - started, 3),
    }


async def measure(rpc_url: str, deployment_file: Path) -> dict[str, Any]:
    database_url = await fresh_database(DATABASE)
    # No grace after an epoch's end: nothing else votes here, and the wait is not the payout's.
    # No review window: the close queues its mints at once, as before the window existed.
    settings = dataclasses.replace(
        Settings.from_env(), reward_close_grace_seconds=0, reward_review_seconds=0
    )
    logs = config.RESULTS_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": config.REDIS_URL,
        "CHAIN_RPC_URL": rpc_url,
        "AGORA_DEPLOYMENT_FILE": str(deployment_file),
        "PYTHONUNBUFFERED": "1",
    }
    conn = await asyncpg.connect(database_url)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    sender = _process("send", env, logs / "payout-sender.log")
    indexer = _process("index", env, logs / "payout-indexer.log")
    rpc = chain.Rpc(rpc_url)
    try:
        creator = await conn.fetchval(Q.insert_creator)
        community = await communities.create_community(
            conn,
            name=COMMUNITY,
            title="Payouts",
            description="",
            description_html="",
            rules=[],
            creator_id=creator,
        )
        assert community is not None
        community_id = community["id"]
        await _wait(conn, Q.community_created, community_id, within=120)
        token = bytes.fromhex((await conn.fetchval(Q.community_token, community_id))[2:])
        await conn.execute(Q.insert_authors_posts_votes, community_id, RECIPIENTS)
        await conn.execute(Q.open_epoch, community_id, settings.reward_emission)
        load_before = os.getloadavg()
        log.info("epoch 1: %d new holders ...", RECIPIENTS)
        first = await _epoch(conn, rpc, settings, community_id, token, 1, until=None)
        log.info("  %s", first)
        await conn.execute(Q.vote_again, community_id)
        log.info("epoch 2: %d existing holders ...", RECIPIENTS)
        second = await _epoch(conn, rpc, settings, community_id, token, 2, until=datetime.now(UTC))
        log.info("  %s", second)
    finally:
        rpc.close()
        _stop(sender)
        _stop(indexer)
        await conn.close()
    return {
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "batch_size": settings.reward_mint_batch_size,
        "new_holders": {**first, "contract_figure": NEW_HOLDER_GAS},
        "existing_holders": {**second, "contract_figure": EXISTING_HOLDER_GAS},
    }


def run() -> dict[str, Any]:
    chain.CHAIN_DIR.mkdir(parents=True, exist_ok=True)
    port = chain.free_port()
    rpc_url = f"http://127.0.0.1:{port}"
    deployment_file = chain.CHAIN_DIR / f"payout-deployment-{port}.json"
    process = chain.start(port)
    try:
        deploy(rpc_url, chain.OPERATOR_KEY, deployment_file)
        return asyncio.run(measure(rpc_url, deployment_file))
    finally:
        chain.stop(process)
        deployment_file.unlink(missing_ok=True)
