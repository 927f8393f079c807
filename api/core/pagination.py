"""Relay connections over keyset pagination.

A cursor is the sort key of the last item seen, so the next page starts strictly after it: items
added meanwhile never shift a page the way OFFSET would, and no item is skipped or repeated.
Cursors are opaque to clients (base64url of JSON) and checked on the way back in.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import asyncpg
import orjson
import strawberry
from graphql import GraphQLField
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.core.errors import BadUserInput
from api.core.ids import MAX_ROW_ID

T = TypeVar("T")

MAX_PAGE_SIZE = 100

# Where a list field without `first` declares the most items it returns (strawberry field
# metadata): its resolver caps the list at that number, and the cost limit counts it.
MAX_ITEMS = "agora.max_items"


def max_items(field: GraphQLField) -> int | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return getattr(definition, "metadata", {}).get(MAX_ITEMS)


@strawberry.type(description="Where a page of a connection ends, and whether another follows.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more items follow this page: ask again with `after: endCursor`."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last edge (pass it as `after` for the next page); "
        "null on an empty page."
    )


@strawberry.type(description="An item of a page, with its place in the listing.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    row: strawberry.Private[asyncpg.Record]
    cursor_of: strawberry.Private[Callable[[asyncpg.Record], str]]

    # Computed only when asked: clients page with pageInfo.endCursor and rarely read these.
    cursor: str = strawberry.field(
        resolver=lambda root: root.cursor_of(root.row),
        description="Where the item stands in the listing: `after` it for what follows.",
    )


@strawberry.type(description="A page of a listing, in the listing's order (keyset pagination).")
class Connection(Generic[T]):
    # As many as the connection's `first`, which the cost limit counts at the connection.
    edges: list[Edge[T]] = strawberry.field(
        metadata={MAX_ITEMS: 1}, description="The page's items, at most `first` of them."
    )
    page_info: PageInfo = strawberry.field(description="Where the page ends.")


def encode_cursor(kind: str, key: list[Any]) -> str:
    raw = orjson.dumps([kind, *key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A cursor we write is about 150 characters; a longer one is forged, and not worth decoding.
MAX_CURSOR_LENGTH = 400


def decode_cursor(
    cursor: str | None, kind: str, *elements: Callable[[Any], Any]
) -> list[Any] | None:
    """The key in `cursor`, which must come from a listing of the same `kind`.

    Each element of the key is checked (and converted) by the matching one of `elements`,
    which raise ValueError or TypeError when it is not what this listing writes: a forged
    cursor of the right shape is the client's mistake, not a query that fails in the database.
    """
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        value = orjson.loads(raw)
        if not isinstance(value, list) or len(value) != len(elements) + 1 or value[0] != kind:
            raise ValueError("another listing's cursor")
        return [check(element) for check, element in zip(elements, value[1:], strict=True)]
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise BadUserInput(
            "This cursor does not belong to this list; start again from the first page.",
            field="after",
        ) from None


# The checks of cursor elements, one per kind of sort key.


def row_id(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_ROW_ID:
        raise ValueError("not a row id")
    return value


def int32(value: Any) -> int:
    if type(value) is not int or not -(2**31) <= value < 2**31:
        raise ValueError("not a 32-bit integer")
    return value


def number(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ValueError("not a finite number")
    return float(value)


def moment(value: Any) -> datetime:
    if type(value) is not str or len(value) > 40:
        raise ValueError("not a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("a time without its zone")
    return parsed.astimezone(UTC)  # (OverflowError at the ends of the calendar)


def nothing(value: Any) -> None:
    if value is not None:
        raise ValueError("a value where the listing writes null")


def name(value: Any) -> str:
    if type(value) is not str or len(value) > 100 or "\x00" in value:
        raise ValueError("not a name")
    value.encode()  # a lone surrogate cannot be sent to the database
    return value


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    return first


def empty_connection() -> Connection[T]:
    """A connection with no items (of a listing that cannot have any yet)."""
    return Connection(edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None))


def connection(
    rows: list[asyncpg.Record],
    first: int,
    *,
    node: Callable[[asyncpg.Record], T],
    cursor: Callable[[asyncpg.Record], str],
) -> Connection[T]:
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


class Keyset:
    """One listing's cursor, declared once: its kind, how a row gives its sort key, and how each
    element of that key is checked on the way back in (see `decode_cursor`)."""

    def __init__(
        self,
        kind: str,
        elements: tuple[Callable[[Any], Any], ...],
        key: Callable[[asyncpg.Record], list[Any]],
    ) -> None:
        self.kind = kind
        self.key = key
        self.elements = elements

    def after(self, cursor: str | None) -> list[Any] | None:
        """The sort key to start strictly after; None for the first page."""
        return decode_cursor(cursor, self.kind, *self.elements)

    def start(self, first: int, after: str | None) -> list[Any] | None:
        """The sort key to start strictly after (None for the first page), once `first` is
        known to be a page size we serve: the two checks a page makes before it reads."""
        check_page_size(first)
        return self.after(after)

    def cursor(self, row: asyncpg.Record) -> str:
        return encode_cursor(self.kind, self.key(row))

    def page(
        self, rows: list[asyncpg.Record], first: int, node: Callable[[asyncpg.Record], T]
    ) -> Connection[T]:
        """The connection of up to `first + 1` rows read after `after(...)`."""
        return connection(rows, first, node=node, cursor=self.cursor)
