"""User markdown to sanitized HTML.

markdown-it renders CommonMark with raw HTML disabled; nh3 (ammonia) then allow-lists tags and
attributes, so whatever slips through the renderer still cannot script the page. Last, characters
that make text lie about itself are dropped from the HTML: bidi overrides, embeddings, isolates
and marks (which can make "moc.elgoog" read as "google.com"), and control characters. They are
dropped from the output, not the input, because markdown-it decodes entities (`&#x202E;`) into
the very characters.

This module is what the render workers import (api.core.rendering): keep it light. Nothing here
bounds the time a render takes; callers on the event loop go through `api.core.rendering`.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_renderer = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)

_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}

# Bidi embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069) and marks (LRM, RLM,
# ALM); C0 controls but tab and newlines, DEL and the C1 controls.
_SPOOFING = [
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x200E,
    0x200F,
    0x061C,
    *(c for c in range(0x20) if chr(c) not in "\t\n\r"),
    *range(0x7F, 0xA0),
]
_DROP = dict.fromkeys(_SPOOFING)


def strip_spoofing(text: str) -> str:
    """`text` without bidi controls and control characters."""
    return text.translate(_DROP)


def render(source: str) -> str:
    return strip_spoofing(
        nh3.clean(
            _renderer.render(source),
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow ugc noopener noreferrer",
        )
    )


def plain(source: str) -> str:
    """`source` shown as it was written, escaped, in paragraphs: what stored text shows when its
    markdown could not be rendered in time."""
    paragraphs = (part.strip("\n") for part in source.replace("\r\n", "\n").split("\n\n"))
    return "".join(
        "<p>" + html.escape(strip_spoofing(part)).replace("\n", "<br>\n") + "</p>\n"
        for part in paragraphs
        if part.strip()
    )
