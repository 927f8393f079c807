"""Markdown never stalls a worker (issue 15): rendering runs in worker processes with a time
limit, previews are rate-limited and costed per use, proposal descriptions are capped for display
and rendered once, and no bidi or control character reaches rendered HTML.

The attack of the issue, replayed with `/healthz` polled throughout, is in test_governance.py
(`test_pathological_markdown_never_stalls_the_worker`): it needs proposals on a chain.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from agora.settings import Settings
from tests.support.factories import create_community, create_post, unique_name
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

PREVIEW = "query Preview($source: String!) { renderMarkdown(source: $source) }"
# markdown-it's quadratic case: 40 KB that took about a second to render, on the event loop.
PATHOLOGICAL = "![a" * 13333
# Bidi embeddings, overrides, isolates and marks, and control characters, raw and as entities.
SPOOFING = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\x01\x07\x1b\x7f\x85"
)
SPOOFING_ENTITIES = "&#x202E;&#x2067;&#8207;&#1;&#x7f;&#x9b;"


def previews(count: int) -> str:
    """One operation asking for `count` previews of $source, under aliases."""
    fields = " ".join(f"p{i}: renderMarkdown(source: $source)" for i in range(count))
    return f"query Previews($source: String!) {{ {fields} }}"


def assert_no_spoofing(html: str) -> None:
    hidden = [hex(ord(c)) for c in html if c in SPOOFING or ord(c) < 0x20 and c not in "\t\n\r"]
    assert not hidden, f"{hidden} in {html[:200]!r}"
    assert not any(0x7F <= ord(c) < 0xA0 for c in html)


@pytest.fixture(scope="module")
def strict(settings: Settings, database_url: str, redis_url: str) -> Iterator[LiveServer]:
    """A server whose renders must finish within 0.3 s, and that allows 3 previews a minute."""
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        render_timeout_seconds=0.3,
        render_rate_limit=3,
    )
    yield server
    server.stop()


# --- the time limit ----------------------------------------------------------------------------


async def test_a_preview_that_renders_too_long_is_refused_and_the_next_one_renders(
    strict: LiveServer, stranger: httpx.AsyncClient
) -> None:
    client = Client(strict.graphql_url, stranger)
    # when a preview of markdown-it's slow case overruns the 0.3 s limit
    error = await client.error(PREVIEW, {"source": PATHOLOGICAL})
    # then it is refused, saying what to do
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "source"}
    assert "takes too long to render (over 0.3 seconds)" in error["message"]
    # and the renderer goes on (its worker was killed and replaced)
    word = unique_name("fine")
    assert await client.data(PREVIEW, {"source": f"*{word}*"}) == {
        "renderMarkdown": f"<p><em>{word}</em></p>\n"
    }


async def test_a_post_that_renders_too_long_is_kept_and_shown_as_plain_text(
    strict: LiveServer, http: httpx.AsyncClient
) -> None:
    # given a signed-in member of a community
    alice = await sign_in(Client(strict.graphql_url, http))
    community = await create_community(alice, confirmed=False)
    # when she posts markdown that overruns the time limit, with markup that must stay inert
    body = "<script>alert(1)</script>\n\n" + PATHOLOGICAL[:39_000]
    post = await create_post(alice, community["name"], body=body)
    # then the post is kept as written, and shown as escaped plain text
    assert post["body"] == body
    assert post["bodyHtml"].startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>![a![a")
    assert "<img" not in post["bodyHtml"]


# --- the rate limit and the cost ---------------------------------------------------------------


async def test_previews_are_rate_limited_per_ip(
    strict: LiveServer, stranger: httpx.AsyncClient
) -> None:
    client = Client(strict.graphql_url, stranger)
    # given 3 previews allowed a minute, all spent
    # (each its own text: the same anonymous read may be answered from the shared answers)
    for n in range(3):
        assert await client.data(PREVIEW, {"source": f"hi {n}"}) == {
            "renderMarkdown": f"<p>hi {n}</p>\n"
        }
    # when a fourth is asked for
    error = await client.error(PREVIEW, {"source": "hi 3"})
    # then it is refused, saying when to try again
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 60


async def test_each_aliased_preview_counts_against_the_rate_limit(
    strict: LiveServer, stranger: httpx.AsyncClient
) -> None:
    client = Client(strict.graphql_url, stranger)
    # when one operation asks for 3 previews, then another for one more
    assert len(await client.data(previews(3), {"source": "hi"})) == 3
    error = await client.error(PREVIEW, {"source": "hi again"})
    # then the last is over the quota of 3
    assert error["extensions"]["code"] == "RATE_LIMITED"


async def test_each_aliased_preview_counts_against_the_cost_limit(
    live_server: LiveServer, stranger: httpx.AsyncClient
) -> None:
    client = Client(live_server.graphql_url, stranger)
    # five previews in one operation are allowed
    assert len(await client.data(previews(5), {"source": "*x*"})) == 5
    # six are refused before anything runs, with the cost limit's code and message
    error = await client.error(previews(6), {"source": "*x*"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "could return about 6000 objects; the limit is 5000" in error["message"]


async def test_a_preview_longer_than_a_post_is_refused(
    live_server: LiveServer, stranger: httpx.AsyncClient
) -> None:
    client = Client(live_server.graphql_url, stranger)
    error = await client.error(PREVIEW, {"source": "x" * 40_001})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "source"}
    assert "too long to preview (the limit is 40000)" in error["message"]


# --- bidi and control characters ---------------------------------------------------------------


async def test_bidi_and_control_characters_never_reach_rendered_html(
    live_server: LiveServer, stranger: httpx.AsyncClient, alice: Client
) -> None:
    source = f"pay [moc.elgoog{SPOOFING}](https://x.example/{SPOOFING}) a{SPOOFING_ENTITIES}b"
    # a preview
    html = (await Client(live_server.graphql_url, stranger).data(PREVIEW, {"source": source}))[
        "renderMarkdown"
    ]
    assert_no_spoofing(html)
    assert "moc.elgoog" in html
    # a post's body (its text is kept as written)
    community = await create_community(alice, confirmed=False)
    post = await create_post(alice, community["name"], body=source)
    assert post["body"] == source
    assert_no_spoofing(post["bodyHtml"])
