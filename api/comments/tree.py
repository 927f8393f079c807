"""A post's comment tree in pre-order, siblings ordered by the requested sort."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import asyncpg

from api.comments.types import CommentSort

SIBLING_ORDER: dict[CommentSort, Callable[[Any], Any]] = {
    # Reddit's "best": the lower bound of the Wilson interval (column `confidence`).
    CommentSort.BEST: lambda r: (-r["confidence"], -r["score"], r["id"]),
    CommentSort.TOP: lambda r: (-r["score"], r["id"]),
    CommentSort.NEW: lambda r: (-r["created_at"].timestamp(), -r["id"]),
    CommentSort.OLD: lambda r: (r["created_at"].timestamp(), r["id"]),
}


def preorder(rows: list[asyncpg.Record], sort: CommentSort) -> list[asyncpg.Record]:
    """Order rows so each comment follows its parent and siblings follow `sort`.

    `rows` must hold every ancestor of every row (a prefix of the tree ordered by path does).
    """
    children: dict[int | None, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        children[row["parent_id"]].append(row)
    key = SIBLING_ORDER[sort]
    ordered: list[Any] = []
    stack = sorted(children[None], key=key, reverse=True)
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(sorted(children[row["id"]], key=key, reverse=True))
    return ordered


def without_blocked(ordered: list[Any], blocked_authors: frozenset[int]) -> list[Any]:
    """A pre-ordered thread without the comments of blocked authors, but for those that hold
    replies still shown (which collapse to "blocked" and keep the thread's shape)."""
    if not blocked_authors:
        return ordered
    shown_below: set[int] = set()  # comments with a kept reply under them
    kept: list[Any] = []
    for row in reversed(ordered):  # replies come after their parents in pre-order
        if row["author_id"] not in blocked_authors or row["id"] in shown_below:
            kept.append(row)
            if row["parent_id"] is not None:
                shown_below.add(row["parent_id"])
    kept.reverse()
    return kept
