"""Issue 10's rewards benchmark: one epoch's rewards over the dataset's 10,000,000 votes in 1,000
communities, against the bare SQL aggregate over the same rows, in one run.

The epoch of every community covers the whole dataset (votes are spread over the year before the
generation): from the first vote to just after the last. An open epoch is inserted for each of
the 1,000 communities, then `ledger.epochs.close_due_epochs` closes them all as the ledger's
worker does, each epoch in its own transaction: scoring, the split with its caps, the
double-entry booking, the reward lines and the mint intents of the operator's outbox. The ledger's
tables are emptied before and after (`reset_ledger`: the dataset has no books of its own), so
the dataset stays as generated. (Not one transaction rolled back at the end: a thousand
savepoints in one transaction slow every statement down, which the worker never sees.)

The reference, the bare aggregate: eligible votes per item over the same rows, in one statement
(`bare_aggregate` in rewards.sql: the votes of the window by accounts old enough, not on their own
content, grouped by post). Rates are votes per second over the same 10,000,000 votes; the target
is the computation at >= 40% of the aggregate's rate. The aggregate and the computation run
`--rounds` times interleaved (the machine's load moves), and the aggregate once more after the
close; medians are compared.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import statistics
import time
from datetime import timedelta
from typing import Any

import asyncpg

from agora.settings import Settings
from agora.sql import load
from ledger import epochs, rewards
from tests.bench import procstat

log = logging.getLogger("bench.rewards")

Q = load(__file__, "rewards.sql")
TARGET = 0.40


async def _bare(conn: asyncpg.Connection, window: tuple[Any, Any], age: float) -> dict[str, Any]:
    started = time.perf_counter()
    rows = await conn.fetch(Q.bare_aggregate, window[0], window[1], age)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "items": len(rows),
        "votes": sum(r["votes"] for r in rows),
    }


async def _compute(
    conn: asyncpg.Connection,
    scorer: asyncpg.Connection,
    settings: Settings,
    window: tuple[Any, Any],
) -> dict[str, Any]:
    """The rewards of every community's epoch computed as the close computes them (the scoring
    shared by `conn` and a second connection as the worker's close shares it, then each
    community's split with its caps), without the books."""
    ids = [r["id"] for r in await conn.fetch(Q.community_ids)]
    emission = rewards.emission(
        1,
        base=settings.reward_emission,
        decay_epochs=settings.reward_decay_epochs,
        decay_factor=settings.reward_decay_factor,
    )
    started = time.perf_counter()
    scores = await epochs.score_epochs(
        conn, settings, [(i, *window) for i in ids], scorers=[scorer]
    )
    scored = time.perf_counter()
    recipients = 0
    for items in scores.values():
        lines = rewards.split(
            emission,
            items,
            max_item_share=settings.reward_max_item_share,
            max_author_share=settings.reward_max_author_share,
        )
        recipients += len({line.item.author_id for line in lines if line.amount})
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "scoring_s": round(scored - started, 3),
        "split_s": round(seconds - (scored - started), 3),
        "communities": len(scores),
        "items": sum(len(items) for items in scores.values()),
        "recipients": recipients,
    }


async def measure(database_url: str, rounds: int) -> dict[str, Any]:
    # No review window: the close queues its mints at once (what this bench has always timed).
    settings = dataclasses.replace(Settings.from_env(), reward_review_seconds=0)
    age = float(settings.reward_min_account_age_seconds)
    conn = await asyncpg.connect(database_url)
    scorer = await asyncpg.connect(database_url)

    async def connect_scorer() -> asyncpg.Connection:
        connection: asyncpg.Connection = await asyncpg.connect(database_url)
        return connection

    try:
        first, last, votes = await conn.fetchrow(Q.vote_window)
        window = (first, last + timedelta(seconds=1))
        communities = await conn.fetchval(Q.community_count)
        load_before = os.getloadavg()
        bares: list[dict[str, Any]] = []
        computes: list[dict[str, Any]] = []
        # Interleaved, so that both sides see the same mix of the machine's other load.
        for number in range(1, rounds + 1):
            log.info("round %d of %d: bare aggregate ...", number, rounds)
            bares.append(await _bare(conn, window, age))
            log.info("  %s", bares[-1])
            log.info("round %d of %d: %d epochs' rewards computed ...", number, rounds, communities)
            computes.append(await _compute(conn, scorer, settings, window))
            log.info("  %s", computes[-1])
        log.info("closing %d epochs ...", communities)
        await conn.execute(Q.reset_ledger)
        try:
            await conn.execute(Q.open_bench_epochs, window[0], window[1], settings.reward_emission)
            cpu = procstat.CpuMeter({"bench": os.getpid()}).start()
            started = time.perf_counter()
            closed = await epochs.close_due_epochs(conn, settings, connect_scorer=connect_scorer)
            seconds = time.perf_counter() - started
            usage = cpu.stop()
            written = dict(await conn.fetchrow(Q.written))
        finally:
            await conn.execute(Q.reset_ledger)
        log.info("  %d epochs closed in %.1f s: %s", len(closed), seconds, written)
        log.info("bare aggregate again ...")
        bares.append(await _bare(conn, window, age))
        log.info("  %s", bares[-1])
    finally:
        await scorer.close()
        await conn.close()
    bare_seconds = statistics.median(b["seconds"] for b in bares)
    compute_seconds = statistics.median(c["seconds"] for c in computes)
    return {
        "window": [str(window[0]), str(window[1])],
        "votes_in_window": votes,
        "communities": communities,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "rounds": rounds,
        "bare": bares,
        "bare_seconds": bare_seconds,
        "bare_votes_per_s": round(votes / bare_seconds),
        "compute": computes,
        "compute_seconds": compute_seconds,
        "compute_votes_per_s": round(votes / compute_seconds),
        "compute_ratio": round(bare_seconds / compute_seconds, 3),
        "close": {
            "seconds": round(seconds, 3),
            "epochs": len(closed),
            "recipients": sum(c.recipients for c in closed),
            "written": written,
            "cpu": usage,
        },
        "close_votes_per_s": round(votes / seconds),
        "close_ratio": round(bare_seconds / seconds, 3),
    }


def run(database_url: str, rounds: int = 3) -> dict[str, Any]:
    logging.getLogger("agora.ledger").setLevel(logging.WARNING)  # a line per epoch closed
    return asyncio.run(measure(database_url, rounds))
