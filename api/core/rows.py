"""Building a type from a row whose columns carry its fields' names, and the row a write
needs or NOT_FOUND."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from api.core.errors import NotFound


def columns(row: asyncpg.Record | Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The named columns of `row`, as keyword arguments: `cls(**columns(row, "name", "title"),
    …)` says which fields are the row's values as they are, and leaves the ones that convert
    or rename to be written out."""
    return {name: row[name] for name in names}


def only_row(rows: list[asyncpg.Record], what: str) -> asyncpg.Record:
    """The one row a read by id found, or NOT_FOUND naming `what` (a post, a comment)."""
    if not rows:
        raise NotFound(f"That {what} does not exist.")
    return rows[0]


def undeleted(row: asyncpg.Record | None, what: str) -> asyncpg.Record:
    """`row` (a post's or a comment's), or NOT_FOUND when it is missing or deleted."""
    if row is None or row["deleted_at"] is not None:
        raise NotFound(f"That {what} does not exist or was deleted.")
    return row
