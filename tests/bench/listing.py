"""Listing pages through the whole HTTP stack against the same page by its raw SQL.

Three pages: the front page (`posts(sort: HOT, first: 25)`), a deep page (after the 2,000th post
of the front page, by its real cursor) and the largest community's page. For each, in one run and
with the same concurrency (32 clients) and duration, one after the other:

  raw            the page's own query (list_hot / list_hot_in_community of api/posts/queries.sql,
                 same parameters, LIMIT 26 as the resolver asks) through an asyncpg pool of the
                 server's pool size, 32 concurrent tasks, in a process of its own;
  http cached    the frontend's Posts query, anonymous, against a server with the production
                 defaults (listing cache on): what most readers get;
  http viewer    the same query signed in, same server: the shared cached answer with the
                 viewer's votes and standing filled in (api/server/viewer_overlay.py);
  http graphql   the same query signed in (bearer token from the sign-in flow) against a server
                 with LISTING_CACHE_SECONDS=0: strawberry executes it on every request.

The ratio of an HTTP case is its rate over the raw rate of the same page.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from api.core import ids
from api.posts import listing, repository
from api.posts.types import PostSort
from tests.bench import config, wrk
from tests.bench.generate import settle
from tests.bench.procstat import CpuMeter
from tests.bench.server import AgoraServer, sign_in_many

log = logging.getLogger("bench.listing")

OPS_TS = config.PROJECT_ROOT / "frontend" / "src" / "ops.ts"


def frontend_document(operation: str) -> str:
    """The frontend's `operation` with every fragment it spreads, read from frontend/src/ops.ts
    (each `graphql(`...`)` there holds one definition): the bench asks what the forum asks."""
    definitions: dict[str, str] = {}
    for text in re.findall(r"graphql\(\s*`([^`]*)`", OPS_TS.read_text()):
        name = re.match(r"\s*(?:query|mutation|subscription|fragment)\s+(\w+)", text)
        if name:
            definitions[name.group(1)] = text.strip()
    wanted, found = [operation], []
    while wanted:
        name = wanted.pop(0)
        if name not in found:
            found.append(name)
            wanted += re.findall(r"\.\.\.(\w+)", definitions[name])
    return "\n".join(definitions[name] for name in found)


POSTS_QUERY = frontend_document("Posts")

_MAX_ID = 2**63 - 1
_TOP = float("inf")


@dataclass
class Page:
    key: str
    label: str
    variables: dict[str, Any]
    raw_query: str
    raw_args: list[Any]
    expected_ids: list[int]
    rows: int = config.PAGE_SIZE + 1  # what the raw query answers each time

    @property
    def body(self) -> str:
        return json.dumps(
            {"query": POSTS_QUERY, "variables": self.variables, "operationName": "Posts"},
            separators=(",", ":"),
        )


async def pages(database_url: str) -> list[Page]:
    """The three pages, with the post ids each must show (read from the database now)."""
    conn = await asyncpg.connect(database_url)
    try:
        q = repository.queries
        limit = config.PAGE_SIZE + 1
        # what an anonymous reader blocks: no authors, no communities
        front_args: list[Any] = [_TOP, _MAX_ID, limit, [], []]
        front = await conn.fetch(q.list_hot, *front_args)
        before = await conn.fetch(q.list_hot, _TOP, _MAX_ID, config.DEEP_AFTER, [], [])
        last = before[-1]
        start = listing.Page(after=(_TOP, _MAX_ID), since=None)
        cursor = listing.cursor_of(PostSort.HOT, last, start)
        deep_args = [last["hot_rank"], last["id"], limit, [], []]
        deep = await conn.fetch(q.list_hot, *deep_args)
        community = await conn.fetchrow(
            "SELECT id, name, post_count FROM communities ORDER BY post_count DESC, id LIMIT 1"
        )
        community_args = [_TOP, _MAX_ID, limit, community["id"], []]
        in_community = await conn.fetch(q.list_hot_in_community, *community_args)
    finally:
        await conn.close()
    base = {"sort": "HOT", "first": config.PAGE_SIZE}
    n = config.PAGE_SIZE
    return [
        Page(
            "front",
            "front page",
            base,
            "list_hot",
            front_args,
            [r["id"] for r in front[:n]],
        ),
        Page(
            "deep",
            f"deep page (after {config.DEEP_AFTER})",
            base | {"after": cursor},
            "list_hot",
            deep_args,
            [r["id"] for r in deep[:n]],
        ),
        Page(
            "community",
            f"c/{community['name']} ({community['post_count']} posts)",
            base | {"community": community["name"]},
            "list_hot_in_community",
            community_args,
            [r["id"] for r in in_community[:n]],
        ),
    ]


async def check_page(
    server: AgoraServer, page: Page, token: str | None, root: str = "posts"
) -> int:
    """The server answers this page (its `root` field) with exactly the expected posts; returns
    the response size."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(server.graphql_url, content=page.body, headers=headers)
    response.raise_for_status()
    data = response.json()
    if data.get("errors"):
        raise RuntimeError(f"{page.label}: {data['errors']}")
    got = [ids.decode_one(e["node"]["id"], "Post") for e in data["data"][root]["edges"]]
    if got != page.expected_ids:
        raise RuntimeError(f"{page.label}: the server shows {got}, the SQL {page.expected_ids}")
    return len(response.content)


def run_http(
    server: AgoraServer, page: Page, token: str | None, body_bytes: int, seconds: float
) -> wrk.WrkResult:
    """wrk's measurement of the page's request (anonymous without `token`)."""
    return wrk.run(
        server.graphql_url,
        wrk.post_script(page.body, token=token),
        connections=config.CONCURRENCY,
        threads=config.WRK_THREADS,
        duration=seconds,
        server_pid=server.pid,
        body_bytes=body_bytes,
    )


def run_raw(
    database_url: str,
    page: Page,
    duration: float,
    *,
    domain: str = "posts",
    rows: int = config.PAGE_SIZE + 1,
) -> dict[str, Any]:
    """The page's own query (`page.raw_query` of the `domain`'s queries.sql, with
    `page.raw_args`), which must answer `rows` rows each time."""
    command = [
        config.python(),
        "-m",
        "tests.bench.rawsql",
        "--dsn",
        database_url,
        "--domain",
        domain,
        "--query",
        page.raw_query,
        "--args",
        json.dumps(page.raw_args),
        "--concurrency",
        str(config.CONCURRENCY),
        "--pool-size",
        str(config.DB_POOL_SIZE),
        "--warmup",
        str(config.WARMUP_SECONDS),
        "--duration",
        str(duration),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=config.PROJECT_ROOT,
    )
    time.sleep(config.WARMUP_SECONDS + 0.5)  # the program warms up before it measures
    meter = CpuMeter().start()
    assert process.stdout is not None
    line = process.stdout.readline()  # written when the measurement ends
    cpu = meter.stop()
    _, err = process.communicate("done\n")
    if process.returncode != 0 or not line:
        raise RuntimeError(f"raw SQL run failed: {err}")
    result = json.loads(line)
    if result["errors"] or result["rows"] != rows:
        raise RuntimeError(f"raw SQL run had errors or short pages: {result}")
    cpu["client_cpu_pct"] = round(result.pop("client_cpu_pct"), 1)
    result["cpu"] = cpu
    return result


MODES = ("raw", "http_cached", "http_viewer", "http_graphql")


def aggregate(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One case over its rounds: the rate over the summed time, the median p50 and p99 of the
    rounds (the worst p99 too), CPU figures averaged, errors summed."""
    requests = sum(r["requests"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    cpu_keys = {k for r in rounds for k in r.get("cpu", {})}
    result: dict[str, Any] = {
        "rps": requests / seconds,
        "requests": requests,
        "seconds": round(seconds, 3),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "worst_p99_ms": max(r["p99_ms"] for r in rounds),
        "cpu": {
            k: round(statistics.fmean(r["cpu"][k] for r in rounds if k in r.get("cpu", {})), 1)
            for k in cpu_keys
        },
        "rounds": rounds,
    }
    for key in ("bad", "socket_errors", "errors"):
        if any(key in r for r in rounds):
            result[key] = sum(r.get(key, 0) for r in rounds)
    server_cpu = result["cpu"].get("server_cpu_pct")
    if server_cpu:
        # Requests per second of one full core of the server: how much CPU a request costs,
        # whatever share of the machine the server got (others may be busy on it).
        result["rps_per_server_core"] = result["rps"] / (server_cpu / 100)
    return result


def run(database_url: str, duration: float, rounds: int = 1) -> dict[str, Any]:
    """Every page, every case; returns the results (cases keyed by page, then mode)."""
    asyncio.run(settle(database_url))
    return measure(database_url, asyncio.run(pages(database_url)), duration, rounds)


def measure(
    database_url: str,
    the_pages: list[Page],
    duration: float,
    rounds: int = 1,
    *,
    name: str = "listing",
    root: str = "posts",
    domain: str = "posts",
) -> dict[str, Any]:
    """Every case of every page (their GraphQL `root` field, their raw query of the `domain`'s
    queries.sql); returns the results (cases keyed by page, then mode).

    With several rounds, each case runs `duration / rounds` seconds per round and the rounds
    interleave (raw, cached, graphql of each page, then again): on a machine whose other load
    changes, every case sees the same mix of it, which keeps the ratios honest.
    """
    logs = config.RESULTS_DIR / "logs"
    slice_seconds = max(2, round(duration / rounds))
    results: dict[str, Any] = {
        "pages": {},
        "concurrency": config.CONCURRENCY,
        "duration_s": slice_seconds * rounds,
        "rounds": rounds,
        "db_pool_size": config.DB_POOL_SIZE,
    }
    cached = AgoraServer(database_url, log_path=logs / f"server-{name}-cached.log")
    uncached = AgoraServer(
        database_url, listing_cache_seconds=0, log_path=logs / f"server-{name}-nocache.log"
    )
    with cached, uncached:
        [viewer] = asyncio.run(sign_in_many(uncached, [f"{name}-viewer"]))
        token = viewer.token
        assert token
        sizes: dict[str, tuple[int, int, int]] = {}
        for page in the_pages:
            sizes[page.key] = (
                asyncio.run(check_page(cached, page, None, root)),
                asyncio.run(check_page(cached, page, token, root)),
                asyncio.run(check_page(uncached, page, token, root)),
            )
            log.info("%s: %s (response %d bytes)", page.key, page.label, sizes[page.key][0])
        measured: dict[str, dict[str, list[dict[str, Any]]]] = {
            p.key: {m: [] for m in MODES} for p in the_pages
        }
        for round_ in range(rounds):
            for page in the_pages:
                log.info(
                    "round %d/%d, %s, %d clients, %d s per case",
                    round_ + 1,
                    rounds,
                    page.label,
                    config.CONCURRENCY,
                    slice_seconds,
                )
                raw = run_raw(database_url, page, slice_seconds, domain=domain, rows=page.rows)
                measured[page.key]["raw"].append(raw)
                log.info(
                    "  %-13s %7.0f req/s, p50 %6.1f ms, p99 %7.1f ms",
                    "raw SQL",
                    raw["rps"],
                    raw["p50_ms"],
                    raw["p99_ms"],
                )
                anonymous, overlaid, executed = sizes[page.key]
                for mode, server, bearer, body_bytes in (
                    ("http_cached", cached, None, anonymous),
                    ("http_viewer", cached, token, overlaid),
                    ("http_graphql", uncached, token, executed),
                ):
                    result = run_http(server, page, bearer, body_bytes, slice_seconds)
                    if result.bad or result.socket_errors:
                        log.warning(
                            "  %d bad answers, %d socket errors", result.bad, result.socket_errors
                        )
                    measured[page.key][mode].append(result.as_dict())
                    log.info(
                        "  %-13s %7.0f req/s, p50 %6.1f ms, p99 %7.1f ms, ratio %5.1f%%, "
                        "server CPU %s%%",
                        mode,
                        result.rps,
                        result.p50_ms,
                        result.p99_ms,
                        100 * result.rps / raw["rps"],
                        result.cpu.get("server_cpu_pct"),
                    )
        for page in the_pages:
            cases: dict[str, Any] = {"label": page.label, "response_bytes": sizes[page.key][0]}
            for mode in MODES:
                cases[mode] = aggregate(measured[page.key][mode])
            raw_rps = cases["raw"]["rps"]
            for mode in MODES:
                cases[mode]["ratio"] = cases[mode]["rps"] / raw_rps
            results["pages"][page.key] = cases
    return results
