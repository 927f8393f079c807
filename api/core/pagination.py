"""Relay connections over keyset pagination.

A cursor is the sort key of the last item seen, so the next page starts strictly after it: items
added meanwhile never shift a page the way OFFSET would, and no item is skipped or repeated.
Cursors are opaque to clients (base64url of JSON) and checked on the way back in.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import orjson
import strawberry

from api.core.errors import BadUserInput

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    row: strawberry.Private[Any]
    cursor_of: strawberry.Private[Callable[[Any], str]]

    @strawberry.field
    def cursor(self) -> str:
        # Computed only when asked: clients page with pageInfo.endCursor and rarely read these.
        return self.cursor_of(self.row)


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def encode_cursor(kind: str, key: list[Any]) -> str:
    raw = orjson.dumps([kind, *key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str, arity: int) -> list[Any] | None:
    """The key in `cursor`, which must come from a listing of the same `kind`."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, list) or len(value) != arity + 1 or value[0] != kind:
        raise BadUserInput(
            "This cursor does not belong to this list; start again from the first page.",
            field="after",
        )
    return value[1:]


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    return first


def connection(rows: list[Any], first: int, *, node: Any, cursor: Any) -> Connection[Any]:
    """Build a connection from up to `first + 1` rows (the extra row only says there is more)."""
    page = rows[:first]
    edges = [Edge(node=node(row), row=row, cursor_of=cursor) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=cursor(page[-1]) if page else None,
        ),
    )
