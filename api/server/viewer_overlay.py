"""Signed-in readers share the cached listings too, with their own state laid over them.

A listing is the same for every reader but for the fields that tell the viewer's relation to
what is listed: their vote on each post, their standing in each community. So when a signed-in
reader's query asks for nothing else that depends on who asks, it is answered from the shared
(anonymous) cached answer, and those fields are filled in from one query of the viewer's state:
the shared listing with the viewer's own votes joined per request.

Which documents qualify is decided once per document text (`is_shareable`): queries whose root
fields are listings of visible content that are the same for everyone (not the SUBSCRIBED feed,
which lists the viewer's own communities), whose every field belongs to the types such listings
hold, and in which no alias renames a viewer field or `id`, because the overlay finds a viewer
field by its name and the object it belongs to by the global id beside it. Anything else (the
`viewer` root, a single post, a comment thread, all of which may reveal removed content to its
author and the moderators) is executed for the viewer as usual.

A viewer who blocks anyone or any community is never given the shared answer: their listings
leave out what they block, so they are not the same list with other viewer fields but another
list. The query of the viewer's state says whom and what they block (in the same round trip),
and such a viewer's request is executed for them. Telling per answer whether it holds blocked
content would need every listed author in the answer; blocking is rare, executing is correct.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    EnumValueNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_leaf_type,
    parse,
    visit,
)
from graphql.language import BREAK

from agora.db import Executor
from api.core import ids
from api.core.caching import TtlCache
from api.core.errors import BadUserInput
from api.core.loaders import blocks_in, fetch_viewer_state
from api.tips import repository as tips_repository
from api.votes.types import VoteDirection

# Root fields that list visible content only: the same for every reader. (`search` finds
# visible content only, too.)
SHARED_ROOTS = frozenset({"posts", "communities", "community", "search", "__typename"})
# The types those listings are made of. A field is shared when its parent and its own type are
# among these (or its type is a scalar or enum), so `User.comments` (comments reveal removed
# content to their authors) is not.
SHARED_TYPES = frozenset(
    {
        "PostConnection",
        "PostEdge",
        "Post",
        "User",
        "Community",
        "CommunityChain",
        "CommunityConnection",
        "CommunityEdge",
        "PageInfo",
        # Search results but comments (whose thread may reveal removed content), so that a
        # search of posts, communities or people is shared.
        "SearchConnection",
        "SearchResultEdge",
        "SearchResult",
        # A post's tips: their count and total are everyone's; `viewerTotal` is filled in.
        "TipSummary",
    }
)
# The fields of shared types that depend on the viewer, by type: what the overlay fills in.
# A field added to a shared type that reads the viewer must be added here.
VIEWER_FIELDS = {
    "Post": frozenset({"viewerVote", "viewerSaved"}),
    "Community": frozenset({"viewerIsMember", "viewerIsModerator", "viewerIsBanned"}),
    # Of an object without an id of its own: found from its post (see TIPS below).
    "TipSummary": frozenset({"viewerTotal"}),
}
# What the viewer tipped, in a post's `tips`: filled in by the id of the post holding it.
TIPS, TIPPED = "tips", "viewerTotal"
# The viewer fields found by the id beside them.
_VIEWER_NAMES = VIEWER_FIELDS["Post"] | VIEWER_FIELDS["Community"]
_ALIAS_REFUSED = _VIEWER_NAMES | {TIPS, TIPPED}
_FLAG_KINDS = {
    "viewerIsMember": "member",
    "viewerIsModerator": "moderator",
    "viewerIsBanned": "banned",
}


class _Check(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.shareable = True

    def _refuse(self) -> Any:
        self.shareable = False
        return BREAK

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> Any:
        if node.operation is not OperationType.QUERY:
            return self._refuse()
        return None

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        parent = self.type_info.get_parent_type()
        field = self.type_info.get_field_def()
        if parent is None or field is None:
            return self._refuse()  # invalid: graphql-core will say why
        name = node.name.value
        alias = node.alias.value if node.alias else None
        if alias is not None and (
            alias == "id" or alias in _ALIAS_REFUSED or name in _ALIAS_REFUSED
        ):
            return self._refuse()
        if parent.name == "Query":
            if name not in SHARED_ROOTS or _asks_own_feed(node):
                return self._refuse()
            return None
        returns = get_named_type(field.type)
        if parent.name not in SHARED_TYPES or not (
            is_leaf_type(returns) or returns.name in SHARED_TYPES
        ):
            return self._refuse()
        return None


def _asks_own_feed(node: FieldNode) -> bool:
    """Whether a root field asks a feed of the viewer's own (`posts(feed: SUBSCRIBED)`), or may
    (a feed given by a variable, which this per-document check cannot see)."""
    return any(
        argument.name.value == "feed"
        and not (isinstance(argument.value, EnumValueNode) and argument.value.value == "ALL")
        for argument in node.arguments or ()
    )


@functools.lru_cache(maxsize=256)
def is_shareable(schema: Any, query: str) -> bool:
    """Whether every reader gets the same answer to `query` but for the viewer fields."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    type_info = TypeInfo(schema)
    check = _Check(type_info)
    visit(document, TypeInfoVisitor(type_info, check))
    return check.shareable


# An object of a shared answer to fill for the viewer, and the row id it stands for.
_Found = tuple[dict[str, Any], int]


def _objects_to_fill(
    data: Any,
) -> tuple[list[_Found], list[_Found], list[_Found]] | None:
    """The posts and communities of a shared answer that hold viewer fields, with their row ids,
    and the posts' `tips` that hold the viewer's total; None if one of them cannot be told apart
    (no `id` beside a viewer field)."""
    posts: list[_Found] = []
    communities: list[_Found] = []
    tips: list[_Found] = []
    claimed: set[int] = set()  # the tips objects found from their post
    pending = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if TIPPED in node and id(node) not in claimed:
            return None
        asked = _VIEWER_NAMES.intersection(node)
        tipped = node.get(TIPS)
        if not (isinstance(tipped, dict) and TIPPED in tipped):
            tipped = None
        if asked or tipped is not None:
            global_id = node.get("id")
            if not isinstance(global_id, str):
                return None
            try:
                kind, row_id = ids.decode(global_id, "Post", "Community")
            except BadUserInput:
                return None
            if not asked <= VIEWER_FIELDS[kind] or (tipped is not None and kind != "Post"):
                return None
            if asked:
                (posts if kind == "Post" else communities).append((node, row_id))
            if tipped is not None:
                claimed.add(id(tipped))
                tips.append((tipped, row_id))
        pending.extend(v for v in node.values() if isinstance(v, dict | list))
    return posts, communities, tips


# A string that starts with NUL marks a slot for a viewer value in a template. No content can
# start so: PostgreSQL text cannot hold NUL, and JSON escapes it, as \u0000.
_SLOT = re.compile(rb'"\\u0000(\d+)"')


@dataclass(frozen=True, slots=True)
class Template:
    """A shared answer cut around its viewer fields: `parts[0] value parts[1] value ...`."""

    parts: list[bytes]
    slots: list[tuple[str, int]]  # per gap, the field and the post or community it is about
    post_ids: list[int]
    community_ids: list[int]

    def render(self, state: dict[str, dict[int, int]]) -> bytes:
        values = [_json_value(field, row_id, state) for field, row_id in self.slots]
        out = [self.parts[0]]
        for value, part in zip(values, self.parts[1:], strict=True):
            out += (value, part)
        return b"".join(out)


def _json_value(field: str, row_id: int, state: dict[str, dict[int, int]]) -> bytes:
    if field == "viewerVote":
        return _VOTES[state["vote"].get(row_id, 0)]
    if field == TIPPED:
        return b'"%d"' % state[TIPPED].get(row_id, 0)  # a BigInt, as a decimal string
    if field == "viewerSaved":
        return b"true" if row_id in state["saved"] else b"false"
    return b"true" if row_id in state[_FLAG_KINDS[field]] else b"false"


_VOTES = {v.value_int: f'"{v.name}"'.encode() for v in VoteDirection}


# A template holds about as many bytes as its answer, and an answer is as large as the cost
# limit lets a query be: bounded in bytes, like the response cache whose entries they mirror.
_TEMPLATES: TtlCache[Template | None] = TtlCache(
    ttl=float("inf"), size=256, max_bytes=16 * 1024 * 1024, weigh=lambda shared, _: 2 * len(shared)
)


def template_of(shared: bytes) -> Template | None:
    """The template of a shared answer (an entry of the response cache: computed once per
    entry, then every signed-in reader's answer is a join of bytes); None if it has no clean
    place for each viewer value."""
    found = _TEMPLATES.peek(shared)
    if found is not None:
        return found[0]
    template = _template(shared)
    _TEMPLATES.put(shared, template)
    return template


def _template(shared: bytes) -> Template | None:
    answer = orjson.loads(shared)
    found = _objects_to_fill(answer.get("data"))
    if found is None:
        return None
    posts, communities, tips = found
    slots: list[tuple[str, int]] = []
    for node, row_id in posts + communities:
        for name in _VIEWER_NAMES & node.keys():
            node[name] = f"\x00{len(slots)}"
            slots.append((name, row_id))
    for node, row_id in tips:
        node[TIPPED] = f"\x00{len(slots)}"
        slots.append((TIPPED, row_id))
    pieces = _SLOT.split(orjson.dumps(answer))
    # split keeps the number of each slot between the parts, in the order of the answer
    order = [int(n) for n in pieces[1::2]]
    if sorted(order) != list(range(len(slots))):
        return None
    return Template(
        parts=pieces[0::2],
        slots=[slots[n] for n in order],
        post_ids=list({row_id for _, row_id in posts + tips}),
        community_ids=list({row_id for _, row_id in communities}),
    )


async def answer_for(db: Executor, shared: bytes, *, viewer_id: int) -> bytes | None:
    """The shared answer with the viewer's votes, saves and standing in it; None when it cannot
    be filled in reliably, or the viewer blocks anything (the caller then executes the query for
    the viewer instead)."""
    template = template_of(shared)
    if template is None:
        return None
    # Asked even for an answer without viewer fields: it says whether the viewer blocks.
    state = await fetch_viewer_state(
        db, viewer_id, post_ids=template.post_ids, community_ids=template.community_ids
    )
    if blocks_in(state):
        return None
    if state["tipped"]:
        # Rare: the viewer tipped a post of the page. What they gave, counted as `tips` counts it.
        state[TIPPED] = await _viewer_tips(db, viewer_id, list(state["tipped"]))
    return template.render(state) if template.slots else shared


async def _viewer_tips(db: Executor, viewer_id: int, post_ids: list[int]) -> dict[int, int]:
    rows = await tips_repository.get_tip_summaries(
        db,
        items=[("Post", post_id, ids.tip_ref("Post", post_id)) for post_id in post_ids],
        viewer_id=viewer_id,
    )
    return {post_id: int(row["viewer_total"]) for post_id, row in zip(post_ids, rows, strict=True)}
