"""The worker's memory under hostile bodies (`python -m tests.bench hostile`).

`agora serve` in a subprocess, production settings, on an empty database of its own. Sent one
after the other: sixty 10 MB bodies (once they took the worker from 190 MB to 890 MB, for good;
now refused with 413 before they are read), then sixty distinct anonymous reads of the largest
size allowed (a body of MAX_BODY_BYTES with a document of MAX_QUERY_BYTES, each answered with
~40 KB of rendered markdown and kept in the shared cache, which is bounded in bytes). The
worker's resident memory (VmRSS of /proc) is read before, between and after.

Then issue 15's rendering attack: four anonymous requests at once, each asking for five aliased
previews of markdown-it's slow case (`"![a" × 13333`), while `/healthz` is polled every 10 ms
from another process's point of view (the bench's): its slowest answer says whether rendering
stalls the worker (it held it 11 s when markdown rendered on the event loop).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson

from agora.migrate import ensure_database
from agora.settings import Settings
from tests.bench import config
from tests.bench.server import AgoraServer

log = logging.getLogger("bench")

DATABASE = "agora_bench_hostile"
BODIES = 60
HUGE = 10 * 1024 * 1024
PREVIEW = "query Preview($source: String!) { renderMarkdown(source: $source) }"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def huge_body(n: int) -> bytes:
    return b'{"query":"{__typename}","variables":{"x":"' + str(n).encode() * (HUGE // 2) + b'"}}'


def largest_read(n: int, settings: Settings) -> bytes:
    """A distinct read as large as allowed: the document padded with a comment to the query
    limit, the body padded with an unused variable to the body limit."""
    query = PREVIEW + "\n#" + f"{n}" * settings.max_query_bytes
    query = query[: settings.max_query_bytes]
    variables = {"source": f"{n} " + "word " * 7_999, "pad": ""}
    bare = len(orjson.dumps({"query": query, "variables": variables}))
    variables["pad"] = "p" * (settings.max_body_bytes - bare)
    body = orjson.dumps({"query": query, "variables": variables})
    assert len(body) == settings.max_body_bytes
    return body


PATHOLOGICAL = "![a" * 13333
ALIASES = " ".join(f"p{i}: renderMarkdown(source: $source)" for i in range(5))
PREVIEWS = f"query P($source: String!) {{ {ALIASES} }}"


async def render_stall(url: str) -> dict[str, Any]:
    """The attack's length and the latencies of /healthz polled throughout it, in ms."""
    latencies: list[float] = []
    done = asyncio.Event()

    async def poll() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            while not done.is_set():
                started = time.perf_counter()
                (await client.get(f"{url}/healthz")).raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.01)

    async with httpx.AsyncClient(timeout=120) as client:
        poller = asyncio.create_task(poll())
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(
                client.post(
                    f"{url}/graphql",
                    json={"query": PREVIEWS, "variables": {"source": f"{n}{PATHOLOGICAL[1:]}"}},
                )
                for n in range(4)
            )
        )
        seconds = time.perf_counter() - started
        done.set()
        await poller
    errors = Counter(
        error["extensions"]["code"]
        for answer in answers
        for error in answer.json().get("errors", [])
    )
    slowest = sorted(latencies)
    return {
        "attack_s": round(seconds, 2),
        "polls": len(slowest),
        "healthz_max_ms": round(slowest[-1], 1),
        "healthz_p99_ms": round(slowest[int((len(slowest) - 1) * 0.99)], 1),
        "healthz_median_ms": round(slowest[len(slowest) // 2], 1),
        "errors": dict(errors),
    }


def run(database_url: str, command: list[str] | None = None) -> dict[str, Any]:
    """`command` starts another server than this tree's `agora serve` (an older version, say)."""
    settings = Settings()  # the defaults the server runs with
    log_path = config.RESULTS_DIR / "logs" / "server-hostile.log"
    # The preview quota lifted (60 a minute per IP): every read and every render here runs.
    server = AgoraServer(
        database_url,
        log_path=log_path,
        command=command,
        extra_env={"RENDER_RATE_LIMIT": "1000000"},
    )
    with server, httpx.Client(timeout=120) as http:
        headers = {"content-type": "application/json"}
        http.post(server.graphql_url, content=b'{"query":"{__typename}"}', headers=headers)
        before = rss_mb(server.pid)
        huge = Counter(
            http.post(server.graphql_url, content=huge_body(n), headers=headers).status_code
            for n in range(BODIES)
        )
        after_huge = rss_mb(server.pid)
        log.info("%d bodies of 10 MB: %s; RSS %.0f -> %.0f MB", BODIES, huge, before, after_huge)
        reads = Counter()
        answer_bytes = 0
        for n in range(BODIES):
            response = http.post(
                server.graphql_url, content=largest_read(n, settings), headers=headers
            )
            reads[response.status_code] += 1
            answer_bytes += len(response.content)
        after_reads = rss_mb(server.pid)
        log.info(
            "%d distinct reads of %d bytes (answers %.0f KB each): %s; RSS %.0f MB",
            BODIES,
            settings.max_body_bytes,
            answer_bytes / BODIES / 1024,
            reads,
            after_reads,
        )
        stall = asyncio.run(render_stall(server.url))
        log.info("rendering attack: %s", stall)
    return {
        "rss_mb_before": round(before, 1),
        "huge_bodies": {"count": BODIES, "bytes": HUGE, "statuses": dict(huge)},
        "rss_mb_after_huge_bodies": round(after_huge, 1),
        "largest_reads": {
            "count": BODIES,
            "bytes": settings.max_body_bytes,
            "answer_kb": round(answer_bytes / BODIES / 1024, 1),
            "statuses": dict(reads),
        },
        "rss_mb_after_largest_reads": round(after_reads, 1),
        "response_cache_bytes": settings.response_cache_bytes,
        "render_stall": stall,
    }


def main() -> dict[str, Any]:
    url = asyncio.run(ensure_database(config.database_url("postgres"), DATABASE))
    return run(url)
