"""Votes per second on one hot post: 50 distinct signed-in users (one per wrk connection) voting
UP, DOWN, NONE over and over on the front page's first post, through the `vote` mutation. Every
vote takes the post's row lock (the vote trigger updates its score), so this measures how fast
the API serializes writers on one row.

Afterwards the post's score, upvotes and downvotes must equal the sums of its vote rows, and its
author's karma the sum of their posts' scores: the triggers kept everything exact under load.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from api.core import ids
from api.posts import repository
from tests.bench import config, procstat, wrk
from tests.bench.generate import settle
from tests.bench.procstat import CpuMeter
from tests.bench.server import AgoraServer, sign_in_many
from tests.bench.workers import workers_of

log = logging.getLogger("bench.votes")


async def hot_post(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(repository.queries.list_hot, float("inf"), 2**63 - 1, 1, [], [])
    finally:
        await conn.close()
    return row["id"]


async def verify(database_url: str, post_id: int) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url)
    try:
        post = await conn.fetchrow(
            "SELECT score, upvotes, downvotes, author_id FROM posts WHERE id = $1", post_id
        )
        rows = await conn.fetchrow(
            """SELECT coalesce(sum(value), 0)::integer AS score,
                      count(*) FILTER (WHERE value = 1)::integer AS upvotes,
                      count(*) FILTER (WHERE value = -1)::integer AS downvotes,
                      count(*)::integer AS votes
                 FROM post_votes WHERE post_id = $1""",
            post_id,
        )
        karma, expected_karma = await conn.fetchrow(
            """SELECT u.post_karma,
                      (SELECT coalesce(sum(score), 0)::integer FROM posts WHERE author_id = u.id)
                 FROM users u WHERE u.id = $1""",
            post["author_id"],
        )
    finally:
        await conn.close()
    consistent = (
        post["score"] == rows["score"]
        and post["upvotes"] == rows["upvotes"]
        and post["downvotes"] == rows["downvotes"]
        and karma == expected_karma
    )
    return {
        "post_id": post_id,
        "post": {k: post[k] for k in ("score", "upvotes", "downvotes")},
        "vote_rows": dict(rows),
        "author_karma": karma,
        "author_karma_from_posts": expected_karma,
        "consistent": consistent,
    }


def run(database_url: str, duration: float) -> dict[str, Any]:
    post_id = asyncio.run(hot_post(database_url))
    target = ids.encode("Post", post_id)
    before = asyncio.run(verify(database_url, post_id))
    log.info(
        "votes on post %d (score %d, %d vote rows), %d voters, %.0f s",
        post_id,
        before["post"]["score"],
        before["vote_rows"]["votes"],
        config.VOTERS,
        duration,
    )
    one = _measure(database_url, post_id, target, duration, workers=1)
    # then two API processes on one port (AGORA_WORKERS=2), as `agora serve` runs on a 2-core
    # machine by default: the batches of one post are per process, so they get smaller
    two = _measure(database_url, post_id, target, duration, workers=2)
    return {**one, "before": before, "two_workers": two}


def _measure(
    database_url: str, post_id: int, target: str, duration: float, *, workers: int
) -> dict[str, Any]:
    server = AgoraServer(
        database_url,
        log_path=config.RESULTS_DIR / "logs" / f"server-votes-{workers}.log",
        extra_env={"AGORA_WORKERS": str(workers)},
    )
    with server:
        voters = asyncio.run(sign_in_many(server, [f"voter-{i}" for i in range(config.VOTERS)]))
        tokens = [v.token for v in voters if v.token]
        assert len(set(tokens)) == config.VOTERS
        # Every process a vote costs CPU in: the API's workers, PostgreSQL, Redis.
        meter = CpuMeter(
            workers_of(server) | procstat.redis_of(config.REDIS_URL),
            database=urlsplit(database_url).path.lstrip("/"),
        )
        cpu: dict[str, float] = {}
        result = wrk.run(
            server.graphql_url,
            wrk.vote_script(tokens, target, expect='"vote":{'),
            connections=config.VOTERS,
            threads=config.VOTERS,  # one connection per thread: one voter per connection
            duration=duration,
            server_pid=server.pid,
            on_start=meter.start,
            on_end=lambda: cpu.update(meter.stop()),
        )
    after = asyncio.run(verify(database_url, post_id))
    asyncio.run(settle(database_url))  # the dead rows of these votes must not slow later reads
    per_vote = cpu_per_vote(cpu, result.rps)
    log.info(
        "  %d worker(s): %.0f votes/s, p50 %.1f ms, p99 %.1f ms; consistent: %s; CPU per vote: "
        "API %.0f µs, PostgreSQL %.0f µs (serving this database %.0f µs), Redis %.0f µs",
        workers,
        result.rps,
        result.p50_ms,
        result.p99_ms,
        after["consistent"],
        per_vote["api"],
        per_vote["postgres"],
        per_vote["postgres_own"],
        per_vote["redis"],
    )
    if result.bad or result.socket_errors:
        log.warning("  %d bad answers, %d socket errors", result.bad, result.socket_errors)
    return {
        "voters": config.VOTERS,
        "after": after,
        **result.as_dict(),
        "processes_cpu": cpu,
        "cpu_us_per_vote": per_vote,
    }


def cpu_per_vote(cpu: dict[str, float], rps: float) -> dict[str, float]:
    """µs of CPU per vote in the API's workers, in PostgreSQL (all of it: on a shared machine,
    other people's queries too; and only what serves the measured database) and in Redis: what a
    vote costs, whatever else the machine does, where votes/s depends on it."""
    api = sum(v for k, v in cpu.items() if k.startswith("worker"))
    return {
        name: round(pct * 10_000 / max(rps, 1.0), 1)
        for name, pct in (
            ("api", api),
            ("postgres", cpu.get("postgres_cpu_pct", 0.0)),
            ("postgres_own", cpu.get("postgres_own_cpu_pct", 0.0)),
            ("redis", cpu.get("redis_cpu_pct", 0.0)),
        )
    }
