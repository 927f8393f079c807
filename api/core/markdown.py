"""User markdown to sanitized HTML.

markdown-it renders CommonMark with raw HTML disabled; nh3 (ammonia) then allow-lists tags and
attributes, so whatever slips through the renderer still cannot script the page. A mention,
`@0x…` with a full address, becomes a link to that person's profile.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# A mention: not inside a word, a path or an address (`a@0x…`, `/@0x…`), and not the start of
# a longer hex string.
MENTION = re.compile(r"(?<![0-9A-Za-z_/@])@(0x[0-9a-fA-F]{40})(?![0-9A-Za-z_])")


def _mention(state: StateInline, silent: bool) -> bool:
    # (The look-behind sees the characters before `pos`.)
    found = MENTION.match(state.src, state.pos)
    if found is None or state.linkLevel > 0:  # no link inside a link's text
        return False
    if not silent:
        link = state.push("link_open", "a", 1)
        link.attrs = {"href": f"/u/{found.group(1).lower()}"}
        text = state.push("text", "", 0)
        text.content = found.group(0)
        state.push("link_close", "a", -1)
    state.pos = found.end()
    return True


_renderer = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)
_renderer.inline.ruler.before("emphasis", "mention", _mention)

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


def render(source: str) -> str:
    return nh3.clean(
        _renderer.render(source),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )
