"""Fifty people comment on one post at the same instant: the wall time until every one of them
has the answer. Each comment takes the post's row lock, so they are written one after another,
through a pool of 10 connections; eleven at once used to hang the API for good (a request that
held a connection and the lock waited for a second connection). Every comment must succeed.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from typing import Any

import asyncpg
import httpx

from api.core import ids
from api.posts import repository
from tests.bench import config
from tests.bench.generate import settle
from tests.bench.server import AgoraServer, sign_in_many
from tests.support.factories import create_comment

log = logging.getLogger("bench.comments")

COMMENTERS = 50
ROUNDS = 5


async def _hot_post(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(repository.queries.list_hot, float("inf"), 2**63 - 1, 1, [], [])
    finally:
        await conn.close()
    return row["id"]


async def _rounds(server: AgoraServer, post_id: str) -> list[float]:
    people = await sign_in_many(server, [f"commenter-{i}" for i in range(COMMENTERS)])
    limits = httpx.Limits(max_connections=COMMENTERS)
    seconds = []
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        for person in people:
            person.http = http
        for round_ in range(ROUNDS):
            started = time.perf_counter()
            created = await asyncio.gather(
                *(
                    create_comment(person, post_id, f"bench round {round_}, comment {i}")
                    for i, person in enumerate(people)
                )
            )
            seconds.append(time.perf_counter() - started)
            assert len({comment["id"] for comment in created}) == COMMENTERS
    return seconds


def run(database_url: str) -> dict[str, Any]:
    post_id = asyncio.run(_hot_post(database_url))
    log.info("%d simultaneous comments on post %d, %d rounds", COMMENTERS, post_id, ROUNDS)
    server = AgoraServer(database_url, log_path=config.RESULTS_DIR / "logs" / "server-comments.log")
    with server:
        seconds = asyncio.run(_rounds(server, ids.encode("Post", post_id)))
    asyncio.run(settle(database_url))
    median = statistics.median(seconds)
    log.info("  wall time %.2f s median, %.2f s max", median, max(seconds))
    return {
        "commenters": COMMENTERS,
        "post_id": post_id,
        "rounds_s": seconds,
        "median_s": median,
        "max_s": max(seconds),
    }
