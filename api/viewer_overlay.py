"""Signed-in readers share the cached listings too, with their own state laid over them.

A listing is the same for every reader but for the fields that tell the viewer's relation to
what is listed: their vote on each post, their standing in each community. So when a signed-in
reader's query asks for nothing else that depends on who asks, it is answered from the shared
(anonymous) cached answer, and those fields are filled in from one query of the viewer's state:
the shared listing with the viewer's own votes joined per request.

Which documents qualify is decided once per document text (`is_shareable`): queries whose root
fields are listings of visible content, whose every field belongs to the types such listings
hold, and in which no alias renames a viewer field or `id`, because the overlay finds a viewer
field by its name and the object it belongs to by the global id beside it. Anything else (the
`viewer` root, a single post, a comment thread, all of which may reveal removed content to its
author and the moderators) is executed for the viewer as usual.
"""

from __future__ import annotations

import functools
from typing import Any

from graphql import (
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
from api import ids
from api.errors import BadUserInput
from api.loaders import fetch_viewer_state
from api.votes.types import VoteDirection

# Root fields that list visible content only: the same for every reader.
SHARED_ROOTS = frozenset({"posts", "communities", "community", "__typename"})
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
    }
)
# The fields of shared types that depend on the viewer, by type: what the overlay fills in.
# A field added to a shared type that reads the viewer must be added here.
VIEWER_FIELDS = {
    "Post": frozenset({"viewerVote"}),
    "Community": frozenset({"viewerIsMember", "viewerIsModerator", "viewerIsBanned"}),
}
_VIEWER_NAMES = frozenset().union(*VIEWER_FIELDS.values())
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
        if alias is not None and (alias == "id" or alias in _VIEWER_NAMES or name in _VIEWER_NAMES):
            return self._refuse()
        if parent.name == "Query":
            return None if name in SHARED_ROOTS else self._refuse()
        returns = get_named_type(field.type)
        if parent.name not in SHARED_TYPES or not (
            is_leaf_type(returns) or returns.name in SHARED_TYPES
        ):
            return self._refuse()
        return None


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


def _objects_to_fill(data: Any) -> tuple[list[tuple[dict, int]], list[tuple[dict, int]]] | None:
    """The posts and communities of a shared answer that hold viewer fields, with their row ids;
    None if one of them cannot be told apart (no `id` beside a viewer field)."""
    posts: list[tuple[dict, int]] = []
    communities: list[tuple[dict, int]] = []
    pending = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        asked = _VIEWER_NAMES.intersection(node)
        if asked:
            global_id = node.get("id")
            if not isinstance(global_id, str):
                return None
            try:
                kind, row_id = ids.decode(global_id, "Post", "Community")
            except BadUserInput:
                return None
            if not asked <= VIEWER_FIELDS[kind]:
                return None
            (posts if kind == "Post" else communities).append((node, row_id))
        pending.extend(v for v in node.values() if isinstance(v, dict | list))
    return posts, communities


async def fill_in(db: Executor, data: Any, *, viewer_id: int) -> bool:
    """Write the viewer's votes and standing into a shared answer's `data`, in place.

    Returns False (leaving `data` untouched) when the answer cannot be filled in reliably; the
    caller then executes the query for the viewer instead.
    """
    found = _objects_to_fill(data)
    if found is None:
        return False
    posts, communities = found
    if not posts and not communities:
        return True
    state = await fetch_viewer_state(
        db,
        viewer_id,
        post_ids=list({row_id for _, row_id in posts}),
        community_ids=list({row_id for _, row_id in communities}),
    )
    votes = state["vote"]
    for node, row_id in posts:
        node["viewerVote"] = VoteDirection.from_int(votes.get(row_id, 0)).name
    for node, row_id in communities:
        for name in _FLAG_KINDS.keys() & node.keys():
            node[name] = row_id in state[_FLAG_KINDS[name]]
    return True
