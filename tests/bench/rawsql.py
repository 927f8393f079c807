"""The raw-SQL side of a listing measurement: the page's own query through an asyncpg pool, with
as many concurrent tasks as the HTTP side has clients, for as long.

Runs in its own process (so that it competes for the CPU like the server does, not with the
benchmark driver):

    python -m tests.bench.rawsql --dsn URL --query list_hot \
        --args '[Infinity, 9223372036854775807, 26]'

and prints one JSON line: requests, seconds, requests/s, p50/p90/p99/max (ms), CPU of this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from typing import Any

import asyncpg

from agora.db import create_pool
from api.posts import repository as posts
from api.search import repository as search

# The .sql files whose queries can be measured, by the name --domain takes.
QUERIES = {"posts": posts.queries, "search": search.queries}


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def _run(
    dsn: str,
    sql: str,
    args: list[Any],
    concurrency: int,
    pool_size: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    # The server's own pool factory (same connection setup, same statement cache).
    pool = await create_pool(dsn, min_size=pool_size, max_size=pool_size)
    latencies: list[float] = []
    errors = 0
    rows_seen = 0
    measuring = False
    stop_at = time.perf_counter() + warmup + duration

    async def client() -> None:
        nonlocal errors, rows_seen
        perf = time.perf_counter
        while True:
            began = perf()
            if began >= stop_at:
                return
            try:
                rows = await pool.fetch(sql, *args)
            except asyncpg.PostgresError:
                errors += 1
                continue
            if measuring:
                latencies.append(perf() - began)
                rows_seen = len(rows)

    tasks = [asyncio.create_task(client()) for _ in range(concurrency)]
    await asyncio.sleep(warmup)
    measuring = True
    cpu0, t0 = _cpu(), time.perf_counter()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    latencies.sort()
    result = {
        "requests": len(latencies),
        "seconds": round(seconds, 3),
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "errors": errors,
        "rows": rows_seen,
        "client_cpu_pct": 100 * cpu / seconds,
    }
    # Reported before the pool closes: the caller stops its CPU meter on this line, while the
    # PostgreSQL processes of this pool still exist, then says (a line on stdin) we may close.
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()
    await pool.close()
    return result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.rawsql")
    parser.add_argument("--dsn", required=True)
    parser.add_argument(
        "--query", required=True, help="name of a query of the domain's queries.sql"
    )
    parser.add_argument("--domain", choices=sorted(QUERIES), default="posts")
    parser.add_argument("--args", required=True, help="JSON list of the query's parameters")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--duration", type=float, default=15)
    ns = parser.parse_args(argv)
    sql = getattr(QUERIES[ns.domain], ns.query)
    run = _run(
        ns.dsn, sql, json.loads(ns.args), ns.concurrency, ns.pool_size, ns.warmup, ns.duration
    )
    try:
        import uvloop  # the server runs on uvloop (uvicorn's default when installed): so does this
    except ImportError:
        asyncio.run(run)
    else:
        uvloop.run(run)


if __name__ == "__main__":
    main()
