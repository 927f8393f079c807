"""Issue 9's indexer benchmark: catch-up over ~100,000 governance events, and the live lag.

On the chain of `chain.py` (cached), in one run, one after the other:

1. raw: every mirrored log fetched with `eth_getLogs` over plain JSON-RPC (an HTTP POST and
   `json.loads`, nothing else), the same addresses and topics as the indexer, in the same ranges
   (Ponder's adaptive ranges, as the follower grows them);
2. indexer: the follower (`indexer.follower.Follower`, production settings) catching up from the
   deployment into an empty mirror (database `agora_bench_indexer`), until it has indexed the head;
3. naive: a web3.py indexer as most are written: `w3.eth.get_logs` per range, `process_log` of the
   contract's event per log, then one INSERT per event (the mirror's own upserts, one transaction
   per range) into database `agora_bench_indexer_naive`;
4. raw again (the machine's load moves: the reference is the mean of the two).

Then the live lag: `agora index` (a process of its own, INDEXER_POLL_SECONDS=0.25, other settings
default) follows while anvil mines a block every second and 20 votes a second arrive; the head
and the indexed block are sampled every 0.1 s and the lag is reported in blocks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from typing import Any

import asyncpg
import requests
from web3 import Web3

from agora.migrate import migrate_up
from agora.settings import PROJECT_ROOT
from agora.sql import load
from governance import load_artifact
from indexer import events, follower, repository
from indexer.events import TOPICS, Log, Rows
from indexer.follower import Follower
from indexer.node import Node
from tests.bench import chain, config

log = logging.getLogger("bench.indexer")

DATABASE = "agora_bench_indexer"
NAIVE_DATABASE = "agora_bench_indexer_naive"
RAW_TARGET = 0.30  # indexer events/s over the raw eth_getLogs rate
NAIVE_TARGET = 5.0  # indexer events/s over the naive web3.py indexer's
LAG_TARGET_BLOCKS = 2  # live: always fewer blocks behind the head than this
LIVE_VOTES_PER_SECOND = 20
# The naive indexer's per-event upserts, by mirror table.
NAIVE = load(__file__, "naive_indexer.sql")
NAIVE_UPSERTS = {
    "communities": NAIVE.upsert_communities,
    "moderator_events": NAIVE.upsert_moderator_events,
    "proposals": NAIVE.upsert_proposals,
    "proposal_events": NAIVE.upsert_proposal_events,
    "votes": NAIVE.upsert_votes,
    "transfers": NAIVE.upsert_transfers,
    "delegate_changes": NAIVE.upsert_delegate_changes,
    "delegate_votes": NAIVE.upsert_delegate_votes,
    "governor_settings": NAIVE.upsert_governor_settings,
}
LIVE_BLOCK_SECONDS = 1
# The indexer's wait for a new head (INDEXER_POLL_SECONDS, 1 s by default: blocks of 12 s on
# mainnet). With blocks every second a 1 s poll sometimes finds two new blocks at once; a poll
# of a quarter of the block time keeps it within one.
LIVE_POLL_SECONDS = 0.25


async def fresh_database(name: str) -> str:
    server = await asyncpg.connect(config.check_local(config.POSTGRES_SERVER_URL))
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    url = config.database_url(name)
    conn = await asyncpg.connect(url)
    try:
        await migrate_up(conn)
    finally:
        await conn.close()
    return url


def ranges(first: int, last: int) -> list[tuple[int, int]]:
    """The follower's ranges from `first` to `last`: 500 blocks, then 5% more each time."""
    out = []
    size = follower.INITIAL_RANGE
    start = first
    while start <= last:
        end = min(last, start + int(size) - 1)
        out.append((start, end))
        start = end + 1
        size *= follower.GROWTH
    return out


def watched(ch: chain.Chain) -> list[str]:
    contracts = ch.deployment["contracts"]
    return [
        contracts["factory"]["address"],
        contracts["registry"]["address"],
        *(c.token for c in ch.communities),
        *(c.governor for c in ch.communities),
    ]


# ---- raw -------------------------------------------------------------------------------------


def raw_fetch(ch: chain.Chain) -> dict[str, Any]:
    addresses = watched(ch)
    session = requests.Session()
    count = 0
    started = time.perf_counter()
    for start, end in ranges(int(ch.deployment["deployBlock"]), ch.head):
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getLogs",
            "params": [
                {
                    "fromBlock": hex(start),
                    "toBlock": hex(end),
                    "address": addresses,
                    "topics": [TOPICS],
                }
            ],
        }
        count += len(json.loads(session.post(ch.rpc_url, json=body).content)["result"])
    seconds = time.perf_counter() - started
    session.close()
    return {"events": count, "seconds": round(seconds, 3), "events_per_s": round(count / seconds)}


# ---- the indexer -----------------------------------------------------------------------------


async def catch_up(ch: chain.Chain, database_url: str) -> dict[str, Any]:
    conn = await repository.connect(database_url)
    try:
        f = Follower(
            conn,
            Node(ch.rpc_url),
            ch.deployment,
            finality=65,
            confirmations=0,
            poll_seconds=1.0,
        )
        started = time.perf_counter()
        checkpoint = await f.start()
        steps = 0
        advanced = True
        while advanced:
            checkpoint, advanced = await f.step(checkpoint)
            steps += 1
        seconds = time.perf_counter() - started
        count = await mirror_count(conn)
    finally:
        await conn.close()
    return {
        "events": count,
        "seconds": round(seconds, 3),
        "events_per_s": round(count / seconds),
        "steps": steps,
        "block": checkpoint.block_number,
    }


async def mirror_count(conn: asyncpg.Connection) -> int:
    total = 0
    for table in (
        "chain_communities",
        "chain_moderator_events",
        "chain_proposals",
        "chain_proposal_events",
        "chain_votes",
        "chain_transfers",
        "chain_delegate_changes",
        "chain_delegate_votes",
        "chain_governor_settings",
    ):
        total += await conn.fetchval(f"SELECT count(*) FROM {table}")
    return int(total)


# ---- a naive web3.py indexer -----------------------------------------------------------------


def _naive_events(w3: Web3) -> dict[bytes, tuple[str, Any]]:
    """By topic 0: the handler's key and web3.py's event object that decodes it."""
    found: dict[bytes, tuple[str, Any]] = {}
    for key in events.HANDLERS:
        contract_name, event_name = key.split(":")
        contract = w3.eth.contract(abi=load_artifact(contract_name)["abi"])
        event = contract.events[event_name]()
        topic = next(t for t, d in events.DECODERS[contract_name].items() if d.key == key)
        found[topic] = (key, event)
    return found


def _strings_as_bytes(event: Any, args: Any) -> dict[str, Any]:
    """web3.py's arguments with its strings as the bytes the handlers keep (and make safe)."""
    kinds = {i["name"]: i["type"] for i in event.abi["inputs"]}
    return {
        name: value.encode()
        if kinds[name] == "string"
        else [v.encode() for v in value]
        if kinds[name] == "string[]"
        else value
        for name, value in args.items()
    }


async def naive(ch: chain.Chain, database_url: str) -> dict[str, Any]:
    w3 = Web3(Web3.HTTPProvider(ch.rpc_url, request_kwargs={"timeout": 120}))
    by_topic = _naive_events(w3)
    addresses = [Web3.to_checksum_address(a) for a in watched(ch)]
    conn = await repository.connect(database_url)
    count = 0
    started = time.perf_counter()
    try:
        for start, end in ranges(int(ch.deployment["deployBlock"]), ch.head):
            logs = await asyncio.to_thread(
                w3.eth.get_logs,
                {
                    "fromBlock": start,
                    "toBlock": end,
                    "address": addresses,
                    "topics": [TOPICS],
                },
            )
            async with conn.transaction():
                for item in logs:
                    key, event = by_topic[bytes(item["topics"][0])]
                    data = event.process_log(item)
                    rows = Rows()
                    events.HANDLERS[key](
                        Log(
                            address=bytes.fromhex(data["address"][2:]),
                            block_number=data["blockNumber"],
                            block_hash=bytes(data["blockHash"]),
                            tx_hash=bytes(data["transactionHash"]),
                            log_index=data["logIndex"],
                            block_timestamp=int(item["blockTimestamp"], 16)
                            if isinstance(item["blockTimestamp"], str)
                            else item["blockTimestamp"],
                            args=_strings_as_bytes(event, data["args"]),
                        ),
                        rows,
                    )
                    for table, table_rows in rows.by_table.items():
                        for row in table_rows:
                            await conn.execute(NAIVE_UPSERTS[table], *row)
                    count += 1
        seconds = time.perf_counter() - started
        stored = await mirror_count(conn)
    finally:
        await conn.close()
    return {
        "events": count,
        "stored": stored,
        "seconds": round(seconds, 3),
        "events_per_s": round(count / seconds),
    }


# ---- live lag --------------------------------------------------------------------------------


def live(ch: chain.Chain, database_url: str, seconds: float) -> dict[str, Any]:
    """`agora index` following while anvil mines a block a second and votes stream in."""
    rpc = chain.Rpc(ch.rpc_url)
    shape = chain.Shape()
    # Every voter has cast `voted_proposals` votes: the live ones come next, signed beforehand.
    votes: list[str] = []
    wanted = int(seconds * LIVE_VOTES_PER_SECOND)
    for p in range(shape.live_proposals):
        for v in range(shape.voters):
            for community in ch.communities:
                signer = chain.voter_signer(community.voters[v], shape.voted_proposals + p)
                votes.append(
                    signer.sign(
                        community.governor,
                        chain.cast_vote(community.live_proposals[p], (v + p) % 3),
                        300_000,
                    )
                )
                if len(votes) >= wanted:
                    break
            if len(votes) >= wanted:
                break
        if len(votes) >= wanted:
            break
    logs = config.RESULTS_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHAIN_RPC_URL": ch.rpc_url,
        "AGORA_DEPLOYMENT_FILE": str(ch.deployment_file),
        "INDEXER_POLL_SECONDS": str(LIVE_POLL_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    with (logs / "indexer-live.log").open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "index"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    samples: list[int] = []
    try:
        rpc.call("evm_setAutomine", [False])
        rpc.call("evm_setIntervalMining", [LIVE_BLOCK_SECONDS])
        first_head = int(rpc.call("eth_blockNumber", []), 16)
        sent = 0
        stop = threading.Event()

        def stream() -> None:
            nonlocal sent
            sender = chain.Rpc(ch.rpc_url)
            begin = time.monotonic()
            for i, tx in enumerate(votes):
                delay = begin + i / LIVE_VOTES_PER_SECOND - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if stop.is_set():
                    break
                sender.call("eth_sendRawTransaction", [tx])
                sent += 1
            sender.close()

        async def sample() -> None:
            conn = await asyncpg.connect(database_url)
            try:
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    head = int(rpc.call("eth_blockNumber", []), 16)
                    indexed = await conn.fetchval("SELECT block_number FROM chain_indexer_state")
                    samples.append(head - indexed)
                    await asyncio.sleep(0.1)
            finally:
                await conn.close()

        streamer = threading.Thread(target=stream)
        streamer.start()
        asyncio.run(sample())
        stop.set()
        streamer.join()
        last_head = int(rpc.call("eth_blockNumber", []), 16)
        # Let the indexer take the last blocks, then check it saw every vote mined.
        time.sleep(3)
    finally:
        rpc.call("evm_setIntervalMining", [0])
        rpc.call("evm_setAutomine", [True])
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        rpc.close()
    ordered = sorted(samples)
    return {
        "seconds": seconds,
        "block_seconds": LIVE_BLOCK_SECONDS,
        "votes_sent": sent,
        "votes_per_s": LIVE_VOTES_PER_SECOND,
        "blocks": last_head - first_head,
        "samples": len(samples),
        "lag_blocks_max": ordered[-1],
        "lag_blocks_p50": ordered[len(ordered) // 2],
        "lag_blocks_p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "lag_blocks_mean": round(statistics.fmean(ordered), 2),
        "poll_seconds": LIVE_POLL_SECONDS,
    }


async def count_votes(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM chain_votes"))
    finally:
        await conn.close()


# ---- the run ---------------------------------------------------------------------------------


def run(live_seconds: float = 30.0, rounds: int = 3, *, regenerate: bool = False) -> dict[str, Any]:
    shape = chain.Shape()
    with chain.running(shape, regenerate=regenerate) as ch:
        naive_url = asyncio.run(fresh_database(NAIVE_DATABASE))
        load = os.getloadavg()
        raws: list[dict[str, Any]] = []
        catch_ups: list[dict[str, Any]] = []
        database_url = ""
        # Interleaved, so that both sides see the same mix of the machine's other load.
        for number in range(1, rounds + 1):
            log.info("round %d of %d: raw eth_getLogs ...", number, rounds)
            raws.append(raw_fetch(ch))
            log.info("  %s", raws[-1])
            database_url = asyncio.run(fresh_database(DATABASE))
            log.info("round %d of %d: indexer catch-up ...", number, rounds)
            catch_ups.append(asyncio.run(catch_up(ch, database_url)))
            log.info("  %s", catch_ups[-1])
        log.info("naive web3.py indexer ...")
        naive_result = asyncio.run(naive(ch, naive_url))
        log.info("  %s", naive_result)
        load_after = os.getloadavg()
        raw_rate = statistics.median(r["events_per_s"] for r in raws)
        indexer_rate = statistics.median(r["events_per_s"] for r in catch_ups)
        votes_before = asyncio.run(count_votes(database_url))
        log.info(
            "live: %.0f s of %d votes/s, a block every %d s ...",
            live_seconds,
            LIVE_VOTES_PER_SECOND,
            LIVE_BLOCK_SECONDS,
        )
        lag = live(ch, database_url, live_seconds)
        lag["votes_indexed"] = asyncio.run(count_votes(database_url)) - votes_before
        log.info("  %s", lag)
        head = ch.head
        generated_seconds = ch.generated_seconds
    return {
        "chain": {
            "shape": asdict(shape),
            "expected_events": shape.events,
            "head": head,
            "generated_seconds": generated_seconds,
        },
        "loadavg_before": [round(x, 2) for x in load],
        "loadavg_after": [round(x, 2) for x in load_after],
        "rounds": rounds,
        "raw": raws,
        "indexer": catch_ups,
        "naive": naive_result,
        "raw_events_per_s": round(raw_rate),
        "indexer_events_per_s": round(indexer_rate),
        "ratio_raw": round(indexer_rate / raw_rate, 3),
        "ratio_naive": round(indexer_rate / naive_result["events_per_s"], 2),
        "live": lag,
    }
