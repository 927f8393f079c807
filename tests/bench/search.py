"""Search through the whole HTTP stack against its own SQL (issue 17).

Two searches of posts over the whole forum, `search(query: ..., kind: POSTS, first: 25)` asked
with the frontend's own `Search` query (frontend/src/ops.ts): a common word (in a large share of
the million posts) and a rare one (one post's number, in its title). For each, in one run, with
the same concurrency (32 clients) and duration, one after the other:

  raw            the search's own query (search_posts of api/search/queries.sql, same
                 parameters, LIMIT 26 as the resolver asks) through an asyncpg pool of the
                 server's pool size, 32 concurrent tasks, in a process of its own;
  http cached    the query anonymously against a server with the production defaults: the
                 shared answer of the response cache, what most readers get;
  http viewer    the same query signed in, same server: the shared answer with the viewer's votes
                 and standing filled in (api/server/viewer_overlay.py);
  http graphql   the query signed in (bearer token from the sign-in flow) against a server with
                 LISTING_CACHE_SECONDS=0: strawberry executes it on every request.

The ratio of an HTTP case is its rate over the raw rate of the same search.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg

from api.search import repository
from api.search.resolvers import MAX_MATCHES
from tests.bench import config
from tests.bench.generate import settle
from tests.bench.listing import (
    Page,
    aggregate,
    check_page,
    frontend_document,
    run_http,
    run_raw,
)
from tests.bench.server import AgoraServer, sign_in_many

log = logging.getLogger("bench.search")

SEARCH_QUERY = frontend_document("Search")
COMMON_WORD = "garden"
MODES = ("raw", "http_cached", "http_viewer", "http_graphql")


@dataclass
class Search(Page):
    rows: int = config.PAGE_SIZE + 1

    @property
    def body(self) -> str:
        return json.dumps(
            {"query": SEARCH_QUERY, "variables": self.variables, "operationName": "Search"},
            separators=(",", ":"),
        )


async def searches(database_url: str) -> list[Search]:
    """The two searches, with the post ids each must find (read from the database now)."""
    conn = await asyncpg.connect(database_url)
    try:
        # A post from the middle of the dataset: its number is in its title and nowhere else.
        rare_id = await conn.fetchval(
            "SELECT id FROM posts WHERE deleted_at IS NULL AND removed_at IS NULL"
            " ORDER BY id OFFSET (SELECT count(*) / 2 FROM posts) LIMIT 1"
        )
        rare_title = await conn.fetchval("SELECT title FROM posts WHERE id = $1", rare_id)
        rare_word = rare_title.rsplit("(", 1)[1].rstrip(")")
        found = []
        for text in (COMMON_WORD, rare_word):
            args = [text, float("inf"), 0, config.PAGE_SIZE + 1, MAX_MATCHES]
            found.append((text, args, await conn.fetch(repository.queries.search_posts, *args)))
    finally:
        await conn.close()
    cases = []
    for key, (text, args, rows) in zip(("common", "rare"), found, strict=True):
        if key == "rare" and len(rows) != 1:
            raise RuntimeError(f"the rare word {text!r} finds {len(rows)} posts, not one")
        cases.append(
            Search(
                key,
                f"{key} word {text!r}",
                {"query": text, "kind": "POSTS", "first": config.PAGE_SIZE},
                "search_posts",
                args,
                [r["id"] for r in rows[: config.PAGE_SIZE]],
                rows=len(rows),
            )
        )
    return cases


def run(database_url: str, duration: float, rounds: int = 1) -> dict[str, Any]:
    """Both searches, every case, rounds interleaved as in `tests.bench.listing.run`."""
    asyncio.run(settle(database_url))
    cases = asyncio.run(searches(database_url))
    logs = config.RESULTS_DIR / "logs"
    slice_seconds = max(2, round(duration / rounds))
    results: dict[str, Any] = {
        "searches": {},
        "concurrency": config.CONCURRENCY,
        "duration_s": slice_seconds * rounds,
        "rounds": rounds,
        "db_pool_size": config.DB_POOL_SIZE,
    }
    cached = AgoraServer(database_url, log_path=logs / "server-search-cached.log")
    uncached = AgoraServer(
        database_url, listing_cache_seconds=0, log_path=logs / "server-search-nocache.log"
    )
    with cached, uncached:
        [viewer] = asyncio.run(sign_in_many(uncached, ["search-viewer"]))
        token = viewer.token
        assert token
        sizes = {
            case.key: (
                asyncio.run(check_page(cached, case, None, root="search")),
                asyncio.run(check_page(cached, case, token, root="search")),
                asyncio.run(check_page(uncached, case, token, root="search")),
            )
            for case in cases
        }
        measured: dict[str, dict[str, list[dict[str, Any]]]] = {
            c.key: {m: [] for m in MODES} for c in cases
        }
        for round_ in range(rounds):
            for case in cases:
                log.info(
                    "round %d/%d, %s, %d s per case", round_ + 1, rounds, case.label, slice_seconds
                )
                raw = run_raw(database_url, case, slice_seconds, domain="search", rows=case.rows)
                measured[case.key]["raw"].append(raw)
                log.info("  %-13s %7.0f req/s, p99 %7.1f ms", "raw SQL", raw["rps"], raw["p99_ms"])
                anonymous, overlaid, executed = sizes[case.key]
                for mode, server, bearer, body_bytes in (
                    ("http_cached", cached, None, anonymous),
                    ("http_viewer", cached, token, overlaid),
                    ("http_graphql", uncached, token, executed),
                ):
                    result = run_http(server, case, bearer, body_bytes, slice_seconds)
                    measured[case.key][mode].append(result.as_dict())
                    log.info(
                        "  %-13s %7.0f req/s, p99 %7.1f ms, ratio %5.1f%%",
                        mode,
                        result.rps,
                        result.p99_ms,
                        100 * result.rps / raw["rps"],
                    )
    for case in cases:
        entry: dict[str, Any] = {"label": case.label, "response_bytes": sizes[case.key][0]}
        for mode in MODES:
            entry[mode] = aggregate(measured[case.key][mode])
        for mode in MODES:
            entry[mode]["ratio"] = entry[mode]["rps"] / entry["raw"]["rps"]
        results["searches"][case.key] = entry
    return results
