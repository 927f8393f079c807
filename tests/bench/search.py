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
from dataclasses import dataclass
from typing import Any

import asyncpg

from api.search import repository
from api.search.resolvers import MAX_MATCHES
from tests.bench import config
from tests.bench.generate import settle
from tests.bench.listing import Page, frontend_document, measure

SEARCH_QUERY = frontend_document("Search")
COMMON_WORD = "garden"


@dataclass
class Search(Page):
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
            # (nobody blocks anyone: empty arrays of hidden authors and communities)
            args = [text, float("inf"), 0, config.PAGE_SIZE + 1, MAX_MATCHES, [], []]
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
    """Both searches, every case, measured as the listing pages are (`listing.measure`)."""
    asyncio.run(settle(database_url))
    cases = asyncio.run(searches(database_url))
    return measure(
        database_url, cases, duration, rounds, name="search", root="search", domain="search"
    )
